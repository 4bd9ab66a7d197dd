package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"pacer/media"
)

func sweepAll(t *testing.T, s media.Store, before time.Time, limit int) (media.Removed, bool) {
	t.Helper()
	gone, more, err := s.SweepUnattached(bg, before, limit)
	if err != nil {
		t.Fatalf("SweepUnattached: %v", err)
	}
	return gone, more
}

func attach(t *testing.T, open Open) {
	s, _ := open(t)
	kept := add(t, s, upload(1, 9, 0))
	gone := add(t, s, upload(1, 9, 1))
	when := at.Add(time.Hour)
	if err := s.Attach(bg, map[uint64]time.Time{kept.ID: when}); err != nil {
		t.Fatal(err)
	}
	got, _ := get(t, s, kept.ID)
	if got.AttachedAt == nil || !got.AttachedAt.Equal(when) {
		t.Errorf("AttachedAt after Attach = %v, want %v", got.AttachedAt, when)
	}
	removed, _ := sweepAll(t, s, at.Add(24*time.Hour), 10)
	if !slices.Equal(ids(removed.Media), []uint64{gone.ID}) {
		t.Errorf("swept %v, want only the unattached %d", ids(removed.Media), gone.ID)
	}
	if err := s.Attach(bg, map[uint64]time.Time{99: when}); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Attach of a missing record: %v, want ErrNotFound", err)
	}
}

func remove(t *testing.T, open Open) {
	s, _ := open(t)
	m := add(t, s, courseFile(1, 0), caption("en", 1), caption("de", 2))
	other := add(t, s, courseFile(1, 3))
	got, err := s.Remove(bg, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Media) != 1 || !same(got.Media[0], m) {
		t.Errorf("Removed.Media = %+v, want the record", got.Media)
	}
	if want := []string{m.SHA256, sum(5002), sum(5001)}; !slices.Equal(got.Blobs, want) {
		t.Errorf("Removed.Blobs = %v, want the record's then its captions' in language order %v", got.Blobs, want)
	}
	if _, err := get(t, s, m.ID); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Get after Remove: %v, want ErrNotFound", err)
	}
	if cs := captionsOf(t, s, m.ID); len(cs) != 0 {
		t.Errorf("captions left: %v", langs(cs))
	}
	if !slices.Equal(course(t, s, 1), []uint64{other.ID}) {
		t.Errorf("course 1 lists %v, want only %d", course(t, s, 1), other.ID)
	}
	for _, b := range got.Blobs {
		if inUse(t, s, b) {
			t.Errorf("blob %s… is still in use", b[:8])
		}
	}
	if _, err := s.Remove(bg, m.ID); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Remove of a missing record: %v, want ErrNotFound", err)
	}
}

func sharedBlob(t *testing.T, open Open) {
	s, _ := open(t)
	a := add(t, s, courseFile(1, 0), caption("en", 1))
	b := add(t, s, courseFile(2, 0), caption("en", 1))
	if _, err := s.Remove(bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if !inUse(t, s, a.SHA256) || !inUse(t, s, sum(5001)) {
		t.Error("a blob another record (and its captions) uses is not in use after one was removed")
	}
	if _, err := s.Remove(bg, b.ID); err != nil {
		t.Fatal(err)
	}
	if inUse(t, s, a.SHA256) || inUse(t, s, sum(5001)) {
		t.Error("a blob is in use after every record naming it was removed")
	}
}

func removeCourse(t *testing.T, open Open) {
	s, _ := open(t)
	var want []uint64
	for i := range 3 {
		want = append(want, add(t, s, courseFile(1, i), caption("en", i)).ID)
		add(t, s, courseFile(2, i+10))
	}
	want = append(want, add(t, s, upload(1, 9, 5)).ID)
	got, err := s.RemoveCourse(bg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got.Media), want) {
		t.Errorf("RemoveCourse removed %v, want %v", ids(got.Media), want)
	}
	if len(got.Blobs) != 7 {
		t.Errorf("RemoveCourse named %d blobs, want 7 (4 files, 3 captions)", len(got.Blobs))
	}
	if ids := course(t, s, 1); len(ids) != 0 {
		t.Errorf("course 1 still lists %v", ids)
	}
	if n := len(course(t, s, 2)); n != 3 {
		t.Errorf("course 2 lists %d after course 1 was removed, want 3", n)
	}
	if gone, _ := sweepAll(t, s, at.Add(48*time.Hour), 10); len(gone.Media) != 0 {
		t.Errorf("the removed course's upload is still swept: %v", ids(gone.Media))
	}
	if got, err := s.RemoveCourse(bg, 9); err != nil || len(got.Media) != 0 {
		t.Errorf("removing a course without files: %v, %v", ids(got.Media), err)
	}
}

func sweep(t *testing.T, open Open) {
	s, _ := open(t)
	var want []uint64
	// Added newest first, so that upload order and id order differ.
	for i := 4; i >= 0; i-- {
		want = append(want, add(t, s, upload(1, 9, i)).ID)
	}
	slices.Reverse(want)
	add(t, s, courseFile(1, 0))
	late := add(t, s, upload(1, 9, 30))
	captioned := want[0]
	if err := s.PutCaption(bg, media.Caption{MediaID: captioned, Lang: "en", SHA256: sum(9000), CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	before := at.Add(10 * time.Minute)
	first, more := sweepAll(t, s, before, 3)
	if !slices.Equal(ids(first.Media), want[:3]) || !more {
		t.Errorf("first sweep = %v, more %v; want the oldest three %v and more", ids(first.Media), more, want[:3])
	}
	if !slices.Contains(first.Blobs, sum(9000)) {
		t.Errorf("the swept upload's captions' blob is not among %v", first.Blobs)
	}
	if cs := captionsOf(t, s, captioned); len(cs) != 0 {
		t.Errorf("a swept upload kept its captions %v", langs(cs))
	}
	second, more := sweepAll(t, s, before, 3)
	if !slices.Equal(ids(second.Media), want[3:]) || more {
		t.Errorf("second sweep = %v, more %v; want %v and no more", ids(second.Media), more, want[3:])
	}
	if again, more := sweepAll(t, s, before, 3); len(again.Media) != 0 || more {
		t.Errorf("a third sweep removed %v (more %v), want nothing", ids(again.Media), more)
	}
	if _, err := get(t, s, late.ID); err != nil {
		t.Errorf("an upload made after the instant was swept: %v", err)
	}
	if n := len(course(t, s, 1)); n != 2 {
		t.Errorf("course 1 lists %d records after the sweep, want the course file and the late upload", n)
	}
}

// lockBlob: LockBlob gives an unlock that lets the same blob be locked
// again, and locks of different blobs do not wait for each other. (That a
// second lock of one blob waits for the first is the engine's own test:
// an engine serving one process may hold nothing.)
func lockBlob(t *testing.T, open Open) {
	s, _ := open(t)
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	unlockA, err := s.LockBlob(bg, a)
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := s.LockBlob(bg, b)
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	unlockA()
	again, err := s.LockBlob(bg, a)
	if err != nil {
		t.Fatal(err)
	}
	again()
}
