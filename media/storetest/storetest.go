// Package storetest is the contract of media.Store: what every engine's
// implementation must do, checked the same way for each (the bbolt engine
// runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"pacer/media"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (media.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("Add gives growing ids and keeps every field", func(t *testing.T) { addKeepsFields(t, open) })
	t.Run("Get answers ErrNotFound for a missing record", func(t *testing.T) { getMissing(t, open) })
	t.Run("Course pages a course in id order", func(t *testing.T) { coursePages(t, open) })
	t.Run("All lists every record in id order", func(t *testing.T) { all(t, open) })
	t.Run("Attach takes an upload off the unattached list", func(t *testing.T) { attach(t, open) })
	t.Run("Remove deletes a record with its captions", func(t *testing.T) { remove(t, open) })
	t.Run("a blob stays in use while any record names it", func(t *testing.T) { sharedBlob(t, open) })
	t.Run("LockBlob locks one blob until unlock", func(t *testing.T) { lockBlob(t, open) })
	t.Run("RemoveCourse removes only that course", func(t *testing.T) { removeCourse(t, open) })
	t.Run("SweepUnattached removes old unattached uploads oldest first", func(t *testing.T) { sweep(t, open) })
	t.Run("captions are kept one per language", func(t *testing.T) { captions(t, open) })
	t.Run("watch states are kept per learner and item", func(t *testing.T) { watches(t, open) })
	t.Run("Batch commits each caller's work", func(t *testing.T) { batch(t, open) })
	t.Run("usage totals add up and never go below zero", func(t *testing.T) { usage(t, open) })
	t.Run("CountedUsage sets the totals once", func(t *testing.T) { countedUsage(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var (
	at       = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	bg       = context.Background()
	errAbort = errors.New("abort")
)

// sum is a blob name made from n: 64 hex digits.
func sum(n int) string { return fmt.Sprintf("%064x", n+1) }

func courseFile(course uint64, n int) media.Media {
	return media.Media{CourseID: course, OwnerID: 7, Purpose: media.PurposeCourse, ContentType: "video/webm",
		Size: int64(100 + n), SHA256: sum(n), Filename: fmt.Sprintf("week%d.webm", n), Duration: 61.5,
		CreatedAt: at.Add(time.Duration(n) * time.Minute)}
}

func upload(course, user uint64, n int) media.Media {
	return media.Media{CourseID: course, OwnerID: user, Purpose: media.PurposeSubmission, ContentType: "application/pdf",
		Size: int64(1000 + n), SHA256: sum(1000 + n), Filename: "essay.pdf", CreatedAt: at.Add(time.Duration(n) * time.Minute)}
}

func caption(lang string, n int) media.Caption {
	return media.Caption{Lang: lang, Label: "Label " + lang, SHA256: sum(5000 + n), Size: 40, Cues: 3, CreatedAt: at}
}

func add(t *testing.T, s media.Store, m media.Media, caps ...media.Caption) media.Media {
	t.Helper()
	got, err := s.Add(bg, m, caps)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return got
}

func get(t *testing.T, s media.Store, id uint64) (media.Media, error) {
	t.Helper()
	m, err := s.Get(bg, id)
	if err != nil && !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return m, err
}

func course(t *testing.T, s media.Store, c uint64) []uint64 {
	t.Helper()
	page, _, err := s.Course(bg, c, 0, 1000)
	if err != nil {
		t.Fatalf("Course(%d): %v", c, err)
	}
	return ids(page)
}

func ids(ms []media.Media) []uint64 {
	out := []uint64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func inUse(t *testing.T, s media.Store, sum string) bool {
	t.Helper()
	used, err := s.BlobInUse(bg, sum)
	if err != nil {
		t.Fatalf("BlobInUse: %v", err)
	}
	return used
}

func captionsOf(t *testing.T, s media.Store, m uint64) []media.Caption {
	t.Helper()
	cs, err := s.Captions(bg, m)
	if err != nil {
		t.Fatalf("Captions(%d): %v", m, err)
	}
	return cs
}

func langs(cs []media.Caption) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Lang)
	}
	return out
}

// same compares records, whatever the location of their instants.
func same(a, b media.Media) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || (a.AttachedAt == nil) != (b.AttachedAt == nil) ||
		a.AttachedAt != nil && !a.AttachedAt.Equal(*b.AttachedAt) {
		return false
	}
	a.CreatedAt, b.CreatedAt, a.AttachedAt, b.AttachedAt = at, at, nil, nil
	return a == b
}

func addKeepsFields(t *testing.T, open Open) {
	s, _ := open(t)
	var last uint64
	for i, in := range []media.Media{courseFile(1, 0), upload(2, 9, 1), courseFile(1, 2)} {
		got := add(t, s, in)
		if got.ID <= last {
			t.Fatalf("id %d after %d: ids must grow", got.ID, last)
		}
		last = got.ID
		in.ID = got.ID
		if !same(got, in) {
			t.Errorf("Add %d returned %+v, want %+v", i, got, in)
		}
		read, err := get(t, s, got.ID)
		if err != nil || !same(read, in) {
			t.Errorf("Get(%d) = %+v, %v; want %+v", got.ID, read, err, in)
		}
	}
	m := add(t, s, courseFile(1, 3), caption("pt-BR", 1), caption("en", 2))
	cs := captionsOf(t, s, m.ID)
	if !slices.Equal(langs(cs), []string{"en", "pt-BR"}) {
		t.Fatalf("captions added with the record = %v, want en, pt-BR in language order", langs(cs))
	}
	for _, c := range cs {
		if c.MediaID != m.ID {
			t.Errorf("caption %s names media %d, want the new record %d", c.Lang, c.MediaID, m.ID)
		}
	}
	for _, sum := range []string{m.SHA256, cs[0].SHA256, cs[1].SHA256} {
		if !inUse(t, s, sum) {
			t.Errorf("blob %s… is not in use after Add", sum[:8])
		}
	}
}

func getMissing(t *testing.T, open Open) {
	s, _ := open(t)
	add(t, s, courseFile(1, 0))
	if _, err := get(t, s, 99); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Get of a missing record: %v, want ErrNotFound", err)
	}
	if inUse(t, s, sum(77)) {
		t.Error("a blob no record names is in use")
	}
}

func coursePages(t *testing.T, open Open) {
	s, _ := open(t)
	var want []uint64
	for i := range 7 {
		want = append(want, add(t, s, courseFile(1, i)).ID)
		add(t, s, courseFile(2, i))
	}
	var got []uint64
	after := uint64(0)
	for pages := 0; ; pages++ {
		page, more, err := s.Course(bg, 1, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		got = append(got, ids(page)...)
		if !more {
			break
		}
		if len(page) != 3 {
			t.Fatalf("a page with more after it holds %d, want the limit 3", len(page))
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of course 1 = %v, want %v (id order, no other course)", got, want)
	}
	if page, more, _ := s.Course(bg, 1, 0, 7); len(page) != 7 || more {
		t.Errorf("a limit of exactly all: %d records, more %v; want 7, false", len(page), more)
	}
	if page, more, _ := s.Course(bg, 3, 0, 10); len(page) != 0 || more {
		t.Errorf("a course without files: %v, more %v", ids(page), more)
	}
}

func all(t *testing.T, open Open) {
	s, _ := open(t)
	if got, err := s.All(bg); err != nil || len(got) != 0 {
		t.Fatalf("All of an empty store = %v, %v", ids(got), err)
	}
	want := []uint64{add(t, s, courseFile(2, 0)).ID, add(t, s, upload(1, 9, 1)).ID, add(t, s, courseFile(1, 2)).ID}
	got, err := s.All(bg)
	if err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("All = %v, %v; want %v", ids(got), err, want)
	}
}
