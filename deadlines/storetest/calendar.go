package storetest

import (
	"testing"

	"pacer/deadlines"
)

func calendarGeneration(t *testing.T, open Open) {
	s, _ := open(t)
	gen := value[uint64](t)
	if g := gen(s.CalendarGeneration(bg, 5)); g != 0 {
		t.Errorf("generation before a rotation = %d, want 0", g)
	}
	if g := gen(s.RotateCalendar(bg, 5)); g != 1 {
		t.Errorf("first rotation gave %d, want 1", g)
	}
	if g := gen(s.RotateCalendar(bg, 5)); g != 2 {
		t.Errorf("second rotation gave %d, want 2", g)
	}
	if g := gen(s.CalendarGeneration(bg, 5)); g != 2 {
		t.Errorf("generation = %d, want 2", g)
	}
	if g := gen(s.CalendarGeneration(bg, 6)); g != 0 {
		t.Errorf("another user's generation = %d, want 0", g)
	}
}

func eventStates(t *testing.T, open Open) {
	s, _ := open(t)
	states := value[map[deadlines.EventKey]deadlines.EventState](t)
	if got := states(s.EventStates(bg, 5)); len(got) != 0 {
		t.Errorf("states before any: %v", got)
	}
	opens := deadlines.EventKey{Course: 1, Module: 100, Kind: 1}
	due := deadlines.EventKey{Course: 1, Module: 100, Kind: 2}
	other := deadlines.EventKey{Course: 2, Module: 7, Kind: 2}
	must(t, s.PutEventStates(bg, 5, map[deadlines.EventKey]deadlines.EventState{
		opens: {At: day(1), Sequence: 0, Modified: at}, due: {At: day(7), Sequence: 0, Modified: at}}))
	must(t, s.PutEventStates(bg, 6, map[deadlines.EventKey]deadlines.EventState{other: {At: day(2), Modified: at}}))
	must(t, s.PutEventStates(bg, 5, map[deadlines.EventKey]deadlines.EventState{due: {At: day(9), Sequence: 1, Modified: day(3)}}))
	got := states(s.EventStates(bg, 5))
	if len(got) != 2 {
		t.Fatalf("user 5 has %d event states, want 2: %v", len(got), got)
	}
	if st := got[opens]; !st.At.Equal(day(1)) || st.Sequence != 0 || !st.Modified.Equal(at) {
		t.Errorf("opening = %+v", st)
	}
	if st := got[due]; !st.At.Equal(day(9)) || st.Sequence != 1 || !st.Modified.Equal(day(3)) {
		t.Errorf("due after the update = %+v", st)
	}
	if got := states(s.EventStates(bg, 6)); len(got) != 1 || !got[other].At.Equal(day(2)) {
		t.Errorf("user 6's states = %v", got)
	}
}
