// Package demo seeds a sample course for `pacer --demo`: an instructor, a
// student, and a few weeks of a real self-paced course, so that a newcomer
// sees the platform working at once.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"pacer/announcements"
	"time"

	"pacer/auth"
	"pacer/modules"
	"pacer/server"
)

// Account is a seeded account and its one-time password.
type Account struct {
	Role     string
	Email    string
	Password string
	ID       uint64
}

func password() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Seed fills an empty database; on a non-empty one it does nothing and
// returns no accounts.
func Seed(s *server.Server) ([]Account, error) {
	// Only an empty database (a fresh data directory) is seeded.
	if any, err := s.Auth.AnyUser(context.Background()); err != nil || any {
		return nil, err
	}
	accounts := []Account{
		{Role: "admin", Email: "admin@pacer.test", Password: password()},
		{Role: "instructor", Email: "ada@pacer.test", Password: password()},
		{Role: "student", Email: "sam@pacer.test", Password: password()},
	}
	names := []string{"Site Admin", "Ada Lovelace", "Sam Student"}
	for i := range accounts {
		u, err := s.Auth.CreateUser(context.Background(), auth.NewUser{Email: accounts[i].Email, Password: accounts[i].Password, Name: names[i]}, i == 0)
		if err != nil {
			return nil, err
		}
		accounts[i].ID = u.ID
	}
	teacher, student := accounts[1].ID, accounts[2].ID
	now := s.Config().Now().UTC()
	// Week 1 began on the Monday before last, so week 1 is behind the
	// student, week 2 is this week and weeks 3 and 4 are still locked: every
	// state shows at once.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.UTC
	}
	local := now.In(berlin)
	monday := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin).
		AddDate(0, 0, -((int(local.Weekday())+6)%7)-7)
	start := monday.UTC()
	c, err := s.Courses.CreateCourse(context.Background(), teacher, modules.CourseInput{
		Title:       ptr("Thinking in Statistics"),
		Description: ptr(courseDescription),
		Published:   ptr(true),
		Pacing:      ptr("scheduled"),
		StartsAt:    &start,
		Timezone:    ptr("Europe/Berlin"),
		Enrollment:  ptr("open"),
	})
	if err != nil {
		return nil, err
	}
	var prev uint64
	var moduleIDs []uint64
	for i, w := range weeks {
		in := modules.ModuleInput{Title: ptr(w.title), Summary: ptr(w.summary), Week: modules.Nullable[int]{Set: true, Value: i + 1}}
		if prev != 0 {
			in.Prerequisites = &[]uint64{prev}
		}
		m, err := s.Courses.CreateModule(context.Background(), teacher, c.ID, in)
		if err != nil {
			return nil, err
		}
		prev = m.ID
		moduleIDs = append(moduleIDs, m.ID)
		for _, p := range w.pages {
			if _, err := s.Courses.CreateItem(context.Background(), teacher, c.ID, m.ID, modules.ItemInput{
				Kind: ptr(modules.KindPage), Title: ptr(p.title), Body: ptr(p.body)}); err != nil {
				return nil, err
			}
		}
	}
	if err := seedLecture(s, teacher, c.ID); err != nil {
		return nil, err
	}
	if err := seedAssignment(s, teacher, c.ID, moduleIDs[1]); err != nil {
		return nil, err
	}
	if err := seedQuiz(s, teacher, c.ID, moduleIDs[1]); err != nil {
		return nil, err
	}
	if _, err := s.Courses.Enroll(context.Background(), c.ID, student, "", "demo"); err != nil {
		return nil, err
	}
	if err := seedConversation(s, teacher, student, c.ID, moduleIDs[1]); err != nil {
		return nil, err
	}
	if _, err := s.Announcements.Create(context.Background(), teacher, c.ID, announcements.Input{Title: "Week 2 is open",
		Body: "Start with **Mean and median**, then hand in *Exercise: summarise five numbers* before the week ends.\n\n" +
			"Questions about the data set go to the week's discussion, so everyone sees the answer."}); err != nil {
		return nil, err
	}
	// The student has done the first week's reading.
	mods, err := s.Courses.GetModule(context.Background(), student, c.ID, firstModule(s, c.ID))
	if err != nil {
		return nil, fmt.Errorf("read week 1: %w", err)
	}
	for _, it := range mods.Items {
		if _, err := s.Courses.Complete(context.Background(), student, c.ID, it.ID); err != nil {
			return nil, err
		}
	}
	return accounts, nil
}

func firstModule(s *server.Server, course uint64) uint64 {
	var id uint64
	_ = s.Tx.Read(context.Background(), func(ctx context.Context) error {
		mods, err := s.Courses.Modules(ctx, course)
		if err == nil && len(mods) > 0 {
			id = mods[0].ID
		}
		return err
	})
	return id
}

func ptr[T any](v T) *T { return &v }
