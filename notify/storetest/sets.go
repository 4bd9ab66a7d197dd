package storetest

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"pacer/notify"
)

// batchesAndPrefsOf: BatchesOf and PrefsOf answer for many users at once
// what Batch and Prefs answer for one; users without a record are left
// out (their Batch and Prefs are the zero ones).
func batchesAndPrefsOf(t *testing.T, open Open) {
	s, _ := open(t)
	if bs, err := s.BatchesOf(bg, nil); err != nil || len(bs) != 0 {
		t.Errorf("BatchesOf nobody = %v, %v", bs, err)
	}
	if ps, err := s.PrefsOf(bg, nil); err != nil || len(ps) != 0 {
		t.Errorf("PrefsOf nobody = %v, %v", ps, err)
	}
	n := note(5, 0)
	for _, b := range []notify.Batch{{User: 5, Count: 1, Dropped: 2, FirstAt: at}, {User: 6, Count: 1, FirstAt: at.Add(1)}} {
		if err := saveBatch(bg, s, b, &n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPrefs(bg, 5, notify.Prefs{Chosen: map[string]bool{notify.KindReply: false}, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPrefs(bg, 7, notify.Prefs{UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	users := []uint64{5, 7, 8, 5}
	bs, err := s.BatchesOf(bg, users)
	if err != nil {
		t.Fatal(err)
	}
	if keys := slices.Sorted(maps.Keys(bs)); !slices.Equal(keys, []uint64{5}) {
		t.Errorf("BatchesOf(%v) has users %v, want 5 only (6 was not asked about)", users, keys)
	}
	ps, err := s.PrefsOf(bg, users)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Errorf("PrefsOf(%v) = %v, want 5 and 7", users, ps)
	}
	for _, u := range users {
		one, err := s.Batch(bg, u)
		if err != nil {
			t.Fatal(err)
		}
		if many, ok := bs[u]; ok && !reflect.DeepEqual(many, one) || !ok && (one.Count != 0 || one.Dropped != 0) {
			t.Errorf("BatchesOf gave %+v (%v) for %d, Batch %+v", many, ok, u, one)
		}
		p, err := s.Prefs(bg, u)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ps[u], p) {
			t.Errorf("PrefsOf gave %+v for %d, Prefs %+v", ps[u], u, p)
		}
	}
}
