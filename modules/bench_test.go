package modules_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"pacer/pacertest"
)

// benchCourse is a published course with one open module of items pages
// and students enrolled, each signed in.
func benchCourse(b *testing.B, students, items int) (env *pacertest.Env, course uint64, pages []uint64, learners []pacertest.User) {
	b.Helper()
	env = pacertest.New(b)
	ins := env.Register("Ines")
	course = env.Course(ins, nil)
	mod := env.Module(ins, course, map[string]any{"published": true})
	for i := 0; i < items; i++ {
		pages = append(pages, env.Item(ins, course, mod, map[string]any{"title": fmt.Sprint("Page ", i), "published": true}))
	}
	for i := 0; i < students; i++ {
		u := env.Register(fmt.Sprint("Student ", i))
		env.Enroll(u, course)
		learners = append(learners, u)
	}
	return env, course, pages, learners
}

// BenchmarkListModules is a student's modules list, the hottest read.
func BenchmarkListModules(b *testing.B) {
	env, course, _, learners := benchCourse(b, 1, 24)
	svc := env.Server.Courses
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.ListModules(context.Background(), learners[0].ID, course); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstItemViewParallel is 64 learners at once each opening a page
// for the first time: every view records progress in a durable commit, so
// this measures how Batch groups concurrent writes into commits.
func BenchmarkFirstItemViewParallel(b *testing.B) {
	const items = 24
	// Enough learners for every view to be a first one.
	env, course, pages, learners := benchCourse(b, max(64, b.N/items+1), items)
	svc := env.Server.Courses
	var next atomic.Int64
	b.SetParallelism(32) // 64 callers on 2 cores: a commit is mostly waiting for the disk
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := int(next.Add(1) - 1)
			u, page := learners[k%len(learners)], pages[(k/len(learners))%items]
			if _, err := svc.GetItem(context.Background(), u.ID, course, page); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
