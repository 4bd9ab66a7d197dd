// Package migrate copies a bbolt data directory's database into an empty
// PostgreSQL database: `pacer migrate --data DIR --to postgres://…`.
//
// Each owner of records copies its own: the bbolt store exports every
// record it keeps, parents before children, in one read transaction; the
// PostgreSQL store imports each as it comes (streaming: nothing is held
// but the record in flight), keeping its id. The whole copy is one
// PostgreSQL transaction, so a copy that fails leaves the target as empty
// as it found it. At the end the records each store holds are counted and
// compared with what was exported, and every id sequence is moved past
// the copied ids.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/storage/postgres"
)

// Exporter is an owner's bbolt store: Export calls put for every record,
// naming its kind, parents before children.
type Exporter interface {
	Export(ctx context.Context, put func(kind string, rec any) error) error
}

// Importer is the same owner's PostgreSQL store: Import stores one
// exported record as it is (its id kept), in ctx's transaction; Counts
// says how many records of each kind it holds.
type Importer interface {
	Import(ctx context.Context, kind string, rec any) error
	Counts(ctx context.Context) (map[string]int64, error)
}

// Finisher is an Importer with work to do once all of its owner's records
// are in (building rows it staged during Import), before they are counted.
type Finisher interface {
	Finish(ctx context.Context) error
}

// Owner pairs one owner's two stores.
type Owner struct {
	Name string
	From Exporter
	To   Importer
}

// Owners lists every owner of records, in an order where no owner's
// records refer to a later one's.
func Owners(src *storage.DB, dst *postgres.DB) []Owner {
	return []Owner{
		{"auth", bolt.NewAuth(src), postgres.NewAuth(dst)},
		{"modules", bolt.NewModules(src), postgres.NewModules(dst)},
		{"deadlines", bolt.NewDeadlines(src), postgres.NewDeadlines(dst)},
		{"quiz", bolt.NewQuiz(src), postgres.NewQuiz(dst)},
		{"discussion", bolt.NewDiscussion(src), postgres.NewDiscussion(dst)},
		{"media", bolt.NewMedia(src), postgres.NewMedia(dst)},
		{"notify", bolt.NewNotify(src), postgres.NewNotify(dst)},
		{"engagement", bolt.NewEngagement(src), postgres.NewEngagement(dst)},
		{"audit", bolt.NewAudit(src), postgres.NewAudit(dst)},
		{"jobs", bolt.NewJobs(src), postgres.NewJobs(dst)},
		{"announcements", bolt.NewAnnouncements(src), postgres.NewAnnouncements(dst)},
	}
}

// Report is what a copy did: records per owner and kind.
type Report struct {
	Copied map[string]int64 // "owner/kind" → records
	Took   time.Duration
}

// Total is the number of records copied.
func (r Report) Total() (n int64) {
	for _, c := range r.Copied {
		n += c
	}
	return n
}

// ErrNotEmpty is a target database that already holds records.
type ErrNotEmpty struct{ Tables []string }

func (e ErrNotEmpty) Error() string {
	return "the target database is not empty (it has rows in " + strings.Join(e.Tables, ", ") + "): migrate copies into an empty database only"
}

// Run copies src into dst, writing a progress line per kind to progress.
func Run(ctx context.Context, src *storage.DB, dst *postgres.DB, progress io.Writer) (Report, error) {
	last, err := bolt.LastIDs(ctx, src)
	if err != nil {
		return Report{}, err
	}
	return Copy(ctx, dst, Owners(src, dst), last, progress)
}

// Copy copies what owners export into dst, which must be empty, in one
// transaction (Run with every owner; tests copy one at a time), and moves
// each table's id sequence past both its largest id and the last id the
// source gave (lastIDs, by kind; nil: none known).
func Copy(ctx context.Context, dst *postgres.DB, owners []Owner, lastIDs map[string]uint64, progress io.Writer) (Report, error) {
	start := time.Now()
	var rep Report
	err := dst.Write(ctx, func(ctx context.Context) error {
		rep.Copied = map[string]int64{}
		full, err := dst.NonEmptyTables(ctx)
		if err != nil {
			return err
		}
		if len(full) > 0 {
			return ErrNotEmpty{Tables: full}
		}
		for _, o := range owners {
			counts := map[string]int64{}
			var order []string
			err := o.From.Export(ctx, func(kind string, rec any) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if _, seen := counts[kind]; !seen {
					order = append(order, kind)
				}
				counts[kind]++
				if err := o.To.Import(ctx, kind, rec); err != nil {
					return fmt.Errorf("%s/%s record %d: %w", o.Name, kind, counts[kind], err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if f, ok := o.To.(Finisher); ok {
				if err := f.Finish(ctx); err != nil {
					return fmt.Errorf("%s: finish: %w", o.Name, err)
				}
			}
			for _, kind := range order {
				fmt.Fprintf(progress, "%-14s %-26s %10d copied\n", o.Name, kind, counts[kind])
				rep.Copied[o.Name+"/"+kind] = counts[kind]
			}
			if err := verify(ctx, o, counts); err != nil {
				return err
			}
		}
		if err := dst.ResetSequences(ctx); err != nil {
			return err
		}
		for table, last := range lastIDs {
			if err := dst.AdvanceSequence(ctx, table, last); err != nil {
				return err
			}
		}
		return nil
	})
	rep.Took = time.Since(start)
	return rep, err
}

// verify compares what an owner exported with what its PostgreSQL store
// now holds, kind by kind.
func verify(ctx context.Context, o Owner, exported map[string]int64) error {
	held, err := o.To.Counts(ctx)
	if err != nil {
		return fmt.Errorf("%s: count: %w", o.Name, err)
	}
	var problems []string
	kinds := map[string]bool{}
	for k := range exported {
		kinds[k] = true
	}
	for k := range held {
		kinds[k] = true
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if exported[k] != held[k] {
			problems = append(problems, fmt.Sprintf("%s/%s: %d exported, %d stored", o.Name, k, exported[k], held[k]))
		}
	}
	if len(problems) > 0 {
		return errors.New("counts differ after the copy: " + strings.Join(problems, "; "))
	}
	return nil
}
