package deadlines_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"pacer/modules"
	"pacer/pacertest"
	"pacer/storage"
)

// BenchmarkModulesList measures the modules list of a student in a course
// of 20 weekly modules × 10 items, each module needing the one before, with
// extensions on a quarter of the modules and half the course done: the
// service call and the whole HTTP route.
//
//	go test ./deadlines/ -run '^$' -bench ModulesList -benchmem
func BenchmarkModulesList(b *testing.B) {
	env := newEnv(b)
	inst := env.Register("Ines")
	ann := env.Register("Ann")
	course := env.Course(inst, map[string]any{"title": "Big course", "pacing": "scheduled",
		"starts_at": courseStart.Format(time.RFC3339), "timezone": "Europe/Berlin"})
	var mods []uint64
	var items [][]uint64
	for i := 0; i < 20; i++ {
		fields := map[string]any{"title": fmt.Sprintf("Week %d", i+1), "week": i + 1}
		if i > 0 {
			fields["prerequisites"] = []uint64{mods[i-1]}
		}
		m := env.Module(inst, course, fields)
		mods = append(mods, m)
		var its []uint64
		for j := 0; j < 10; j++ {
			its = append(its, env.Item(inst, course, m, map[string]any{"kind": "page", "title": fmt.Sprintf("Page %d.%d", i+1, j+1)}))
		}
		items = append(items, its)
	}
	env.Enroll(ann, course)
	for i := 0; i < 20; i += 4 {
		r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/extensions", course), inst.Token, map[string]any{
			"user_id": ann.ID, "module_id": mods[i], "due_at": courseStart.AddDate(0, 0, 7*(i+1)+3).Format(time.RFC3339)})
		if r.Status != 201 {
			b.Fatalf("extension: %d %s", r.Status, r.Body)
		}
	}
	env.Clock.Set(courseStart.AddDate(0, 0, 7*12))
	for i := 0; i < 10; i++ {
		for _, it := range items[i] {
			if _, err := env.Server.Courses.Complete(context.Background(), ann.ID, course, it); err != nil {
				b.Fatalf("complete: %v", err)
			}
		}
	}
	list, err := env.Server.Courses.ListModules(context.Background(), ann.ID, course)
	if err != nil || len(list) != 20 || list[10].State != "open" || list[11].State != "locked" || !list[0].Extended {
		b.Fatalf("unexpected list: %v %+v", err, list)
	}

	b.Run("service", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := env.Server.Courses.ListModules(context.Background(), ann.ID, course); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		b.ReportAllocs()
		path := fmt.Sprintf("/api/v1/courses/%d/modules", course)
		for b.Loop() {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Authorization", "Bearer "+ann.Token)
			res, err := env.Server.App.Test(req, -1)
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("%v %v", res, err)
			}
			res.Body.Close()
		}
	})
}

// sweepEnv is a scheduled course of 20 weekly modules (one assignment each)
// with 10,000 students, written straight into the store: registering them
// through the API would take minutes of fsyncs and measure nothing of the
// sweep.
func sweepEnv(b *testing.B, learners int) (*pacertest.Env, uint64, []uint64) {
	env := newEnv(b)
	inst := env.Register("Ines")
	course := env.Course(inst, map[string]any{"title": "Huge course", "pacing": "scheduled",
		"starts_at": courseStart.Format(time.RFC3339), "timezone": "America/New_York"})
	var mods []uint64
	for i := 0; i < 20; i++ {
		m := env.Module(inst, course, map[string]any{"title": fmt.Sprintf("Week %d", i+1), "week": i + 1})
		env.Item(inst, course, m, map[string]any{"kind": "assignment", "title": "Task"})
		mods = append(mods, m)
	}
	err := env.Bolt().Update(func(tx *storage.Tx) error {
		for u := 0; u < learners; u++ {
			uid := uint64(1_000_000 + u)
			m := modules.Member{CourseID: course, UserID: uid, Role: modules.RoleStudent, EnrolledAt: pacertest.Start}
			if err := tx.Put(storage.Members, storage.Key(course, uid), m); err != nil {
				return err
			}
			if err := tx.PutRaw(storage.MembersByUser, storage.Key(uid, course), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return env, course, mods
}

// BenchmarkSchedulerSweep measures the jobs over 10,000 learners × 20
// modules. "steady" is a tick with nothing new (every learner was already
// told): the cost of looking. "deadline_passes" is the tick that finds two
// cut-offs passed for all 10,000 learners at once (the marks are wiped
// before each iteration): 20,000 missed deadlines checked against progress,
// recorded and notified, in batched write transactions.
//
//	go test ./deadlines/ -run '^$' -bench SchedulerSweep -benchmem -benchtime 5x
func BenchmarkSchedulerSweep(b *testing.B) {
	const learners = 10_000
	env, course, _ := sweepEnv(b, learners)
	sched := env.Server.Scheduler
	// Weeks 1 and 2 are open, Week 1 is past its cut-off and Week 2 is due
	// within 24 hours.
	now := week2Due.Add(-12 * time.Hour)
	want := map[string]int{"open_windows": 2 * learners, "deadline_reminders": learners, "enforce_deadlines": learners}
	for _, job := range []string{"open_windows", "deadline_reminders", "enforce_deadlines"} {
		res, err := sched.RunAt(job, now)
		if err != nil || res.Error != "" || res.Changed != want[job] {
			b.Fatalf("warm-up %s: %+v %v", job, res, err)
		}
	}
	for _, job := range []string{"open_windows", "deadline_reminders", "enforce_deadlines"} {
		b.Run("steady/"+job, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := sched.RunAt(job, now)
				if err != nil || res.Changed != 0 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
	b.Run("deadline_passes/enforce_deadlines", func(b *testing.B) {
		b.ReportAllocs()
		at := week2Due.Add(49 * time.Hour)
		for b.Loop() {
			b.StopTimer()
			// Forget every mark, so that each iteration records both
			// weeks' missed deadlines afresh.
			err := env.Bolt().Update(func(tx *storage.Tx) error {
				for u := 0; u < learners; u++ {
					_ = tx.DeletePrefix(storage.JobMarks, storage.Key(course, uint64(1_000_000+u)))
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := sched.RunAt("enforce_deadlines", at)
			if err != nil || res.Changed != 2*learners {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}
