package bolt_test

import (
	"context"
	"fmt"
	"testing"

	"pacer/engagement"
	engagementstore "pacer/engagement/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestEngagementStore(t *testing.T) {
	engagementstore.Run(t, func(t *testing.T) (engagement.Store, txn.Runner) {
		db := open(t)
		return bolt.NewEngagement(db), db
	})
}

// A course's deletion leaves none of its activity or ladder states, and
// every record of another course.
func TestEngagementDeleteCourseLeavesNoRecord(t *testing.T) {
	s := bolt.NewEngagement(open(t))
	ctx := context.Background()
	for _, course := range []uint64{1, 2} {
		if err := s.AddActivity(ctx, []engagement.DayCount{{Course: course, User: 10, Day: 100, Count: 2}, {Course: course, User: 11, Day: 101, Count: 1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutState(ctx, course, 10, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCourse(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got := exportedCourses(t, s)
	want := map[string]map[uint64]int{"activity_days": {2: 2}, "engagement_states": {2: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records left by kind and course: %v, want %v", got, want)
	}
}
