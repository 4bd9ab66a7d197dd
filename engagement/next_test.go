package engagement_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"pacer/pacertest"
)

// TestNextStepAgreesWithTheCourseService checks that the job's own next
// step (nextFromFacts, used for nudges at scale) matches the one computed
// from modules.Learner, the single place where locking is decided, for
// learners at every stage of a course with weeks, a prerequisite and an
// unpublished module.
func TestNextStepAgreesWithTheCourseService(t *testing.T) {
	env := pacertest.New(t)
	teacher := env.Register("Teacher")
	course := env.Course(teacher, map[string]any{"pacing": "scheduled", "starts_at": "2027-01-04T00:00:00Z", "timezone": "Europe/Berlin"})
	var mods, items []uint64
	for w := 1; w <= 4; w++ {
		fields := map[string]any{"title": fmt.Sprintf("Week %d", w), "week": w}
		if w == 3 {
			fields["prerequisites"] = []uint64{mods[0]}
		}
		if w == 4 {
			fields["published"] = false
		}
		m := env.Module(teacher, course, fields)
		mods = append(mods, m)
		for i := 0; i < 2; i++ {
			items = append(items, env.Item(teacher, course, m, map[string]any{"title": fmt.Sprintf("R%d.%d", w, i)}))
		}
	}
	env.Module(teacher, course, map[string]any{"title": "Empty"})
	var learners []pacertest.User
	for n := 0; n < 5; n++ {
		u := env.Register(fmt.Sprintf("L%d", n))
		env.Enroll(u, course)
		learners = append(learners, u)
	}
	// L0 does nothing; L1 one item; L2 all of week 1; L3 weeks 1 and 2; L4 everything visible.
	env.Clock.Set(time.Date(2027, 1, 19, 9, 0, 0, 0, time.UTC))
	for n, u := range learners {
		u = env.Login(u)
		for _, it := range items[:[]int{0, 1, 2, 4, 6}[n]] {
			env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", course, it), u.Token, nil)
		}
	}
	for _, at := range []time.Time{env.Clock.Now(), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)} {
		env.Clock.Set(at)
		for _, u := range learners {
			got, want, err := env.Server.Engagement.NextSteps(course, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s at %s: next from facts %+v, from the course service %+v", u.Name, at, got, want)
			}
		}
	}
}
