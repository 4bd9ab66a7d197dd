package bolt

import (
	"fmt"
	"slices"
	"testing"

	"pacer/storage"
)

// TestEachOfReadsTheSameByScanAndByLookup reads sets of member keys, close
// together (one range scan) and far apart (one lookup each), with keys
// missing and keys of another course around them.
func TestEachOfReadsTheSameByScanAndByLookup(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const course = 7
	err = db.Update(func(tx *storage.Tx) error {
		for u := uint64(1); u <= 5000; u++ {
			if u%3 == 0 {
				continue // not a member
			}
			for _, c := range []uint64{course - 1, course, course + 1} {
				if err := tx.PutRaw(storage.Members, storage.Key(c, u), fmt.Appendf(nil, "%d/%d", c, u)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ids  []uint64
	}{
		{"close together", []uint64{10, 11, 12, 14, 15, 20, 21, 30}},
		{"far apart", []uint64{1, 900, 2000, 3000, 4999, 5000, 6000}},
		{"at the ends", []uint64{1, 2, 4999, 5000, 5001}},
		{"close together past the last member", []uint64{4990, 4991, 4995, 4999, 5000, 5001, 5002}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := db.View(func(tx *storage.Tx) error {
				return eachOf(tx, storage.Members, storage.Key(course), func(id uint64) []byte { return storage.Key(course, id) }, tc.ids,
					func(id uint64, v []byte) error {
						got = append(got, fmt.Sprintf("%d=%s", id, v))
						return nil
					})
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, id := range tc.ids {
				if id%3 != 0 && id <= 5000 {
					want = append(want, fmt.Sprintf("%d=%d/%d", id, course, id))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
