package migrate_test

import (
	"context"
	"io"
	"reflect"
	"testing"

	"pacer/engagement"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/storage/records"
)

// engagementDay is one day CourseActivity reported.
type engagementDay struct {
	User  uint64
	Day   int64
	Count uint32
}

// engagementCourse lists what CourseActivity reports of a course's window.
func engagementCourse(t *testing.T, s engagement.Store, course uint64, first, today int64) []engagementDay {
	t.Helper()
	var out []engagementDay
	err := s.CourseActivity(context.Background(), course, first, today, func(user uint64, day int64, count uint32) {
		out = append(out, engagementDay{user, day, count})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// engagementStates lists a course's ladder states, copied out of the call.
func engagementStates(t *testing.T, s engagement.Store, course uint64) []records.EngagementState {
	t.Helper()
	var out []records.EngagementState
	err := s.States(context.Background(), course, func(user uint64, raw []byte) error {
		out = append(out, records.EngagementState{Course: course, User: user, State: append([]byte{}, raw...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEngagementCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewEngagement(db)
	const today = 20500 // a UTC day in 2026
	var counts []engagement.DayCount
	for course := uint64(1); course <= 3; course++ {
		for user := uint64(1); user <= 5; user++ {
			for ago := int64(0); ago < 60; ago += int64(user) + int64(course) {
				counts = append(counts, engagement.DayCount{Course: course, User: user, Day: today - ago, Count: uint32(1 + ago%7)})
			}
		}
	}
	counts = append(counts,
		engagement.DayCount{Course: 1, User: 1, Day: today, Count: 5},                 // added to the day already counted
		engagement.DayCount{Course: 1, User: 6, Day: today - 3, Count: 0},             // a day stored with no action
		engagement.DayCount{Course: 2, User: 7, Day: today - 2, Count: 1<<32 - 1},     // the largest count
		engagement.DayCount{Course: 2, User: 8, Day: 0, Count: 2},                     // the first day there is
		engagement.DayCount{Course: 3, User: 9, Day: today + 2, Count: 4},             // after today
		engagement.DayCount{Course: 1<<63 + 5, User: 1<<64 - 1, Day: today, Count: 1}, // ids past int64
	)
	if err := bstore.AddActivity(ctx, counts); err != nil {
		t.Fatal(err)
	}
	if err := bstore.AddActivity(ctx, counts[:10]); err != nil { // a second flush of the same days
		t.Fatal(err)
	}
	states := []records.EngagementState{
		{Course: 1, User: 1, State: []byte(`{"flags":["inactive"],"rung":2,"nudged":"2026-02-01T00:00:00Z"}`)},
		{Course: 1, User: 2, State: []byte(`{"note":"élan 🎓 \"quoted\" \\"}`)},
		{Course: 1, User: 3, State: nil},                      // stored empty
		{Course: 1, User: 4, State: []byte{0, 0xff, 0xfe, 1}}, // bytes that are no text
		{Course: 2, User: 1, State: []byte(`{}`)},
		{Course: 2, User: 2, State: []byte(`{"gone":true}`)},
		{Course: 3, User: 5, State: []byte(`{ "spaced" :  1 }`)}, // kept as written, not reformatted
	}
	for _, st := range states {
		if err := bstore.PutState(ctx, st.Course, st.User, st.State); err != nil {
			t.Fatal(err)
		}
	}
	if err := bstore.DeleteState(ctx, 2, 2); err != nil {
		t.Fatal(err)
	}
	// A day whose value is not a count reads as no activity on bbolt; it
	// is not copied, and reads the same on PostgreSQL.
	if err := db.Update(func(tx *storage.Tx) error {
		return tx.PutRaw(storage.ActivityDays, storage.Key(4, 1, today), []byte{0, 0, 9})
	}); err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	pstore := postgres.NewEngagement(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "engagement", From: bstore, To: pstore}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// The day counted twice in the first flush is one record.
	if want := map[string]int64{"engagement/activity_days": int64(len(counts) - 1), "engagement/engagement_states": 6}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}

	compare := func(when string) {
		t.Helper()
		courses := []uint64{1, 2, 3, 4, 1<<63 + 5}
		for _, course := range courses {
			for _, w := range [][2]int64{{today - 59, today}, {today - 6, today}, {0, today + 5}, {today, today}, {today + 1, today + 9}} {
				b, p := engagementCourse(t, bstore, course, w[0], w[1]), engagementCourse(t, pstore, course, w[0], w[1])
				if !reflect.DeepEqual(b, p) {
					t.Errorf("%s: CourseActivity %d %v:\n bbolt      %v\n PostgreSQL %v", when, course, w, b, p)
				}
			}
			for user := uint64(0); user <= 10; user++ {
				for _, n := range []int{0, 1, 7, 30, 90} {
					b, p := make([]uint32, n), make([]uint32, n)
					berr := bstore.Activity(ctx, course, user, today, b)
					perr := pstore.Activity(ctx, course, user, today, p)
					if berr != nil || perr != nil || !reflect.DeepEqual(b, p) {
						t.Errorf("%s: Activity %d %d %d:\n bbolt      %v %v\n PostgreSQL %v %v", when, course, user, n, b, berr, p, perr)
					}
				}
				b, bok, berr := bstore.State(ctx, course, user)
				p, pok, perr := pstore.State(ctx, course, user)
				if berr != nil || perr != nil || bok != pok || string(b) != string(p) {
					t.Errorf("%s: State %d %d: bbolt %q %v %v, PostgreSQL %q %v %v", when, course, user, b, bok, berr, p, pok, perr)
				}
			}
			if b, p := engagementStates(t, bstore, course), engagementStates(t, pstore, course); !reflect.DeepEqual(b, p) {
				t.Errorf("%s: States %d:\n bbolt      %v\n PostgreSQL %v", when, course, b, p)
			}
		}
		if b := engagementCourse(t, bstore, 1<<63+5, 0, today); len(b) != 1 || b[0].User != 1<<64-1 {
			t.Errorf("%s: the learner of ids past int64 reads %v", when, b)
		}
	}
	compare("after the copy")
	if raw, ok, _ := pstore.State(ctx, 1, 3); !ok || raw == nil || len(raw) != 0 {
		t.Errorf("the empty state reads %v %v on PostgreSQL", raw, ok)
	}

	// Activity added after the copy adds to the copied counts.
	more := []engagement.DayCount{{Course: 1, User: 1, Day: today, Count: 3}, {Course: 2, User: 7, Day: today - 1, Count: 1}}
	for _, s := range []engagement.Store{bstore, pstore} {
		if err := s.AddActivity(ctx, more); err != nil {
			t.Fatal(err)
		}
		if err := s.PutState(ctx, 1, 2, []byte(`{"rung":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	compare("after more activity")
}
