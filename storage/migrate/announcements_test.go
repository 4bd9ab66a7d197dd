package migrate_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/announcements"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

func TestAnnouncementsCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewAnnouncements(db)
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	// Courses 1 and 3 keep theirs; course 2's are deleted in between, so
	// the copied ids have a gap.
	courses := []uint64{1, 2, 3, 1, 2, 1, 3, 1, 1, 2, 1}
	for i, c := range courses {
		r := announcements.Record{CourseID: c, AuthorID: uint64(7 + i%2), CreatedAt: at.Add(time.Duration(i) * time.Hour),
			Title: fmt.Sprintf("Annonce №%d — «élan» 🎓", i), Body: fmt.Sprintf("**Bold** and `code` %d\n\n> quoted \"text\" \\", i),
			BodyHTML: fmt.Sprintf("<p><strong>Bold</strong> and <code>code</code> %d</p>", i)}
		switch i {
		case 4:
			r.Body, r.BodyHTML = "", "" // a title alone
		case 5:
			r.CreatedAt = time.Time{}
		}
		if _, err := bstore.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := bstore.DeleteCourse(ctx, 2); err != nil {
		t.Fatal(err)
	}
	last, err := bstore.Add(ctx, announcements.Record{CourseID: 3, Title: "the last", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	pstore := postgres.NewAnnouncements(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "announcements", From: bstore, To: pstore}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"announcements/announcements": 9}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	for _, course := range []uint64{1, 2, 3, 99} {
		for _, limit := range []int{0, 1, 2, 50} {
			var before uint64
			for page := 0; ; page++ {
				b, bmore, berr := bstore.Newest(ctx, course, before, limit)
				p, pmore, perr := pstore.Newest(ctx, course, before, limit)
				if berr != nil || perr != nil {
					t.Fatalf("Newest: bbolt %v, PostgreSQL %v", berr, perr)
				}
				// An empty page is nil on bbolt and empty on PostgreSQL;
				// the listing answers both the same.
				same := reflect.DeepEqual(b, p) || len(b) == 0 && len(p) == 0
				if !same || bmore != pmore {
					t.Errorf("Newest course %d before %d limit %d:\n bbolt      %v %+v\n PostgreSQL %v %+v", course, before, limit, bmore, b, pmore, p)
				}
				if !bmore || len(b) == 0 || page > len(courses) {
					break
				}
				before = b[len(b)-1].ID
			}
		}
	}
	if all, _, _ := pstore.Newest(ctx, 1, 0, 50); len(all) != 6 {
		t.Errorf("course 1 has %d announcements on PostgreSQL, want 6", len(all))
	}

	r, err := pstore.Add(ctx, announcements.Record{CourseID: 1, Title: "after the copy", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID <= last.ID {
		t.Errorf("an announcement after the copy got id %d, not past %d", r.ID, last.ID)
	}
	// Deleting a copied course's announcements works on the copy too.
	if err := pstore.DeleteCourse(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if left, _, _ := pstore.Newest(ctx, 3, 0, 50); len(left) != 0 {
		t.Errorf("course 3 keeps %d announcements after DeleteCourse", len(left))
	}
}
