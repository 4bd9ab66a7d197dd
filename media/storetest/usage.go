package storetest

import (
	"testing"

	"pacer/media"
)

func usage(t *testing.T, open Open) {
	s, _ := open(t)
	c, u := media.Account{ID: 1}, media.Account{User: true, ID: 1}
	total := func(a media.Account) int64 {
		t.Helper()
		n, err := s.Usage(bg, a)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if total(c) != 0 {
		t.Fatal("a new account uses bytes")
	}
	if err := s.AddUsage(bg, map[media.Account]int64{c: 500, u: 70}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(bg, map[media.Account]int64{c: 200}); err != nil {
		t.Fatal(err)
	}
	if total(c) != 700 || total(u) != 70 {
		t.Errorf("totals = %d, %d; want 700 for the course, 70 for the user of the same id", total(c), total(u))
	}
	if err := s.AddUsage(bg, map[media.Account]int64{u: -100}); err != nil {
		t.Fatal(err)
	}
	if total(u) != 0 {
		t.Errorf("a total taken below zero is %d, want 0", total(u))
	}
	if err := s.ClearUsage(bg, c); err != nil {
		t.Fatal(err)
	}
	if total(c) != 0 {
		t.Errorf("a cleared total is %d", total(c))
	}
}

func countedUsage(t *testing.T, open Open) {
	s, _ := open(t)
	if done, err := s.UsageCounted(bg); err != nil || done {
		t.Fatalf("UsageCounted of a new store = %v, %v", done, err)
	}
	c, u := media.Account{ID: 2}, media.Account{User: true, ID: 3}
	if err := s.CountedUsage(bg, map[media.Account]int64{c: 1234, u: 56}); err != nil {
		t.Fatal(err)
	}
	if done, _ := s.UsageCounted(bg); !done {
		t.Error("UsageCounted after CountedUsage is false")
	}
	if n, _ := s.Usage(bg, c); n != 1234 {
		t.Errorf("course total = %d, want 1234", n)
	}
	if n, _ := s.Usage(bg, u); n != 56 {
		t.Errorf("user total = %d, want 56", n)
	}
}
