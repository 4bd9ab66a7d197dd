package migrate_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/audit"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

func TestAuditCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewAudit(db)
	at := time.Date(2026, 2, 3, 4, 5, 6, 789012000, time.UTC)
	actions := []string{"login_failed", "password_changed", "refresh_token_reused", "member_role_changed", "ünïcode_äction"}
	const n = 40
	for i := range n {
		e := audit.Entry{At: at.Add(time.Duration(i) * time.Minute), ActorID: uint64(1 + i%4), Action: actions[i%len(actions)]}
		// Course, target, detail and address are each left out of some
		// entries, as the domain leaves them out when there is none.
		if i%3 != 0 {
			e.CourseID = uint64(10 + i%2)
		}
		if i%4 != 1 {
			e.TargetID = uint64(100 + i)
		}
		if i%5 != 2 {
			e.Detail = fmt.Sprintf("détail №%d \"quoted\" \\ 🎓\nsecond line", i)
		}
		switch i % 3 {
		case 1:
			e.IP = "203.0.113.7"
		case 2:
			e.IP = "2001:db8::1"
		}
		if i == 7 {
			e.At = time.Time{} // an entry without its instant
		}
		if _, err := bstore.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	pg := pgtest.Open(t)
	pstore := postgres.NewAudit(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "audit", From: bstore, To: pstore}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"audit/audit_entries": n}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}

	filters := []audit.Filter{{}, {Action: "password_changed"}, {Action: "ünïcode_äction"}, {ActorID: 2}, {CourseID: 11},
		{Action: "login_failed", CourseID: 10}, {ActorID: 3, CourseID: 11}, {Action: "nothing"}, {ActorID: 99}}
	for _, f := range filters {
		for _, limit := range []int{0, 1, 3, 100} {
			// Walk every page as a listing does, from the newest.
			var before uint64
			for page := 0; ; page++ {
				b, bmore, berr := bstore.Newest(ctx, f, before, limit)
				p, pmore, perr := pstore.Newest(ctx, f, before, limit)
				if berr != nil || perr != nil {
					t.Fatalf("Newest: bbolt %v, PostgreSQL %v", berr, perr)
				}
				// An empty page is nil on bbolt and empty on PostgreSQL;
				// the listing answers both the same.
				same := reflect.DeepEqual(b, p) || len(b) == 0 && len(p) == 0
				if !same || bmore != pmore {
					t.Errorf("Newest %+v before %d limit %d:\n bbolt      %v %+v\n PostgreSQL %v %+v", f, before, limit, bmore, b, pmore, p)
				}
				if !bmore || len(b) == 0 || page > n {
					break
				}
				before = b[len(b)-1].ID
			}
		}
	}
	all, _, err := bstore.Newest(ctx, audit.Filter{}, 0, 100)
	if err != nil || len(all) != n {
		t.Fatalf("bbolt lists %d entries (%v)", len(all), err)
	}
	if all[n-1-7].At != (time.Time{}) {
		t.Errorf("the entry without an instant reads %v on bbolt", all[n-1-7].At)
	}

	e, err := pstore.Append(ctx, audit.Entry{At: at, ActorID: 1, Action: "after_the_copy"})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID <= n {
		t.Errorf("an entry after the copy got id %d, not past %d", e.ID, n)
	}
}
