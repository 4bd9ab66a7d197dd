package announcements_test

import (
	"context"
	"fmt"
	"testing"

	"pacer/announcements"
	"pacer/pacertest"
)

// BenchmarkAnnouncementTo300Members posts an announcement to a course of
// 300 learners, as wired: each is told in the app and mailed (the outbox
// hook), in the announcement's transaction. Run it on each engine
// (PACER_TEST_STORE=postgres for PostgreSQL).
func BenchmarkAnnouncementTo300Members(b *testing.B) {
	env := pacertest.New(b)
	instr := env.Register("Ines Instructor")
	course := env.Course(instr, map[string]any{"title": "Statistics"})
	for i := range 300 {
		env.Enroll(env.Register(fmt.Sprintf("Student %d", i)), course)
	}
	svc := env.Server.Announcements
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		in := announcements.Input{Title: fmt.Sprintf("Week %d", n), Body: "The exam moved to **Friday**; the notes are up."}
		if _, err := svc.Create(context.Background(), instr.ID, course, in); err != nil {
			b.Fatal(err)
		}
	}
}
