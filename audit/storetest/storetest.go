// Package storetest is the contract of audit.Store, run against every
// engine's implementation (storage/bolt runs it for bbolt).
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/audit"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (audit.Store, txn.Runner)

var at = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("Append gives growing ids and keeps every field", func(t *testing.T) {
		s, _ := open(t)
		var last uint64
		for i := range 3 {
			in := audit.Entry{At: at.Add(time.Duration(i) * time.Minute), ActorID: 7, Action: "grade", CourseID: 3,
				TargetID: uint64(i + 1), Detail: "score 8", IP: "192.0.2.1"}
			got, err := s.Append(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID <= last {
				t.Fatalf("id %d after %d: ids must grow", got.ID, last)
			}
			last, in.ID = got.ID, got.ID
			items, _, err := s.Newest(context.Background(), audit.Filter{}, 0, 1)
			if err != nil || len(items) != 1 {
				t.Fatalf("Newest: %v, %v", items, err)
			}
			if !items[0].At.Equal(in.At) {
				t.Errorf("at = %v, want %v", items[0].At, in.At)
			}
			items[0].At = in.At
			if items[0] != in {
				t.Errorf("read back %+v, want %+v", items[0], in)
			}
		}
	})
	t.Run("Newest filters and pages newest first", func(t *testing.T) {
		s, _ := open(t)
		var want []uint64
		for i := range 12 {
			e := audit.Entry{At: at, ActorID: uint64(i%3 + 1), Action: []string{"login", "grade"}[i%2], CourseID: uint64(i % 2)}
			got, err := s.Append(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			if e.ActorID == 1 && e.Action == "login" {
				want = append(want, got.ID)
			}
		}
		slices.Reverse(want)
		f := audit.Filter{ActorID: 1, Action: "login"}
		var got []uint64
		before := uint64(0)
		for range 10 {
			items, more, err := s.Newest(context.Background(), f, before, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range items {
				if !f.Match(e) {
					t.Errorf("%+v does not match the filter", e)
				}
				got = append(got, e.ID)
			}
			if !more {
				break
			}
			before = items[len(items)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages = %v, want %v", got, want)
		}
		if items, more, _ := s.Newest(context.Background(), audit.Filter{CourseID: 99}, 0, 5); len(items) != 0 || more {
			t.Errorf("a filter nothing matches: %v, more %v", items, more)
		}
	})
	t.Run("an entry of a failed transaction is not kept", func(t *testing.T) {
		s, run := open(t)
		abort := errors.New("abort")
		err := run.Write(context.Background(), func(ctx context.Context) error {
			if _, err := s.Append(ctx, audit.Entry{At: at, Action: "x"}); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("Write = %v", err)
		}
		if items, _, _ := s.Newest(context.Background(), audit.Filter{}, 0, 5); len(items) != 0 {
			t.Errorf("an aborted entry was kept: %+v", items)
		}
	})
}
