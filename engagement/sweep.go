package engagement

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	"pacer/modules"
)

// courseSweep is what the job reads of one course to judge every student
// in it: one walk of each bucket over the course's key range, merged with
// the members (all four buckets are keyed course|user|…, so each walk
// meets the students in the same order as the member list), instead of
// point reads per learner. At 50,000 enrolments the point reads (three
// cursor seeks per learner, each allocating on the way down the tree) and
// the full JSON decode of every member and ladder record were most of a
// tick that finds nothing new. The buffers are reused from course to
// course.
type courseSweep struct {
	members  []modules.Swept
	students []int // indexes into members
	// completed and started are per student and module:
	// [student*len(cv.mods)+module].
	completed, started []int
	// days is per student and day, HistoryDays each, today first.
	days []uint32
	// state[i] is student i's stored ladder record, raw (a slice of
	// arena), when had[i]; gone are the users with a record who are not
	// students any more.
	state []([]byte)
	had   []bool
	arena []byte
	gone  []uint64
	// ext is the course's extended due times by learner (few learners
	// have any).
	ext map[uint64]map[uint64]time.Time
}

// read walks the course's members, progress, activity and ladder records.
func (sw *courseSweep) read(ctx context.Context, courses *modules.Service, store Store, cv *courseView, now time.Time) error {
	course := cv.course.ID
	var err error
	if sw.members, err = courses.Sweep(ctx, course, sw.members); err != nil {
		return err
	}
	sw.students = sw.students[:0]
	for i, m := range sw.members {
		switch {
		case m.Staff():
			cv.staff = append(cv.staff, m.UserID)
		case m.Role == modules.RoleStudent:
			sw.students = append(sw.students, i)
		}
	}
	n, mods := len(sw.students), len(cv.mods)
	sw.completed = zeroed(sw.completed, n*mods)
	sw.started = zeroed(sw.started, n*mods)
	sw.days = zeroed(sw.days, n*HistoryDays)
	sw.state = zeroed(sw.state, n)
	sw.had = zeroed(sw.had, n)
	sw.arena, sw.gone = sw.arena[:0], sw.gone[:0]
	sw.ext = nil
	if src := courses.Extensions; src != nil {
		if sw.ext, err = src.CourseOverrides(ctx, course); err != nil {
			return err
		}
	}

	// Progress, in user order: records of non-students are stepped over.
	j := 0
	err = courses.EachCourseProgress(ctx, course, func(user, item uint64, done bool) {
		if i, ok := sw.find(&j, user); ok {
			cv.count(item, done, sw.completed[i*mods:(i+1)*mods], sw.started[i*mods:(i+1)*mods])
		}
	})
	if err != nil {
		return err
	}

	// Activity: only the HistoryDays up to today count (as Service.activity
	// reads them).
	today := unixDay(now.UnixNano())
	j = 0
	err = store.CourseActivity(ctx, course, max(today-HistoryDays+1, 0), today, func(user uint64, day int64, count uint32) {
		if i, ok := sw.find(&j, user); ok {
			sw.days[i*HistoryDays+int(today-day)] = count
		}
	})
	if err != nil {
		return err
	}

	// Ladder states, in user order. A state without a student is of
	// someone who left or became staff, and goes.
	j = 0
	return store.States(ctx, course, func(u uint64, raw []byte) error {
		i, ok := sw.find(&j, u)
		if !ok {
			sw.gone = append(sw.gone, u)
			return nil
		}
		at := len(sw.arena)
		sw.arena = append(sw.arena, raw...)
		sw.state[i], sw.had[i] = sw.arena[at:len(sw.arena):len(sw.arena)], true
		return nil
	})
}

// facts builds student i's facts from what read found, with cv.facts as
// the views build them, so that a learner is judged alike everywhere.
func (sw *courseSweep) facts(cv *courseView, i int, now time.Time, sc *scratch) (modules.Member, Facts) {
	m := sw.members[sw.students[i]].Member(cv.course.ID)
	n := len(cv.mods)
	return m, cv.facts(m, sw.ext[m.UserID], sw.completed[i*n:(i+1)*n], sw.started[i*n:(i+1)*n],
		sw.days[i*HistoryDays:(i+1)*HistoryDays], nil, now, sc)
}

// find moves *j forward to user among the students (both in user order)
// and returns the student's index.
func (sw *courseSweep) find(j *int, user uint64) (int, bool) {
	for *j < len(sw.students) && sw.members[sw.students[*j]].UserID < user {
		*j++
	}
	return *j, *j < len(sw.students) && sw.members[sw.students[*j]].UserID == user
}

// zeroed is buf with length n, all zero, reusing its array when it can.
func zeroed[T any](buf []T, n int) []T {
	buf = slices.Grow(buf[:0], n)[:n]
	clear(buf)
	return buf
}

// stateBuf holds a decoded ladder record's slices and times, reused from
// learner to learner: a tick that changes nothing keeps no state, so it
// need not allocate one per learner.
type stateBuf struct {
	flags, nudged, escalated []string
	times                    [3]time.Time
}

// decodeState reads a stored ladder record into st, whose slices and
// times then belong to buf (own copies them out). Records in the shape
// encoding/json writes them are scanned; anything else is decoded in full,
// so st is always what json.Unmarshal gives.
func decodeState(raw []byte, st *state, buf *stateBuf) error {
	*st = state{}
	if scanState(raw, st, buf) {
		return nil
	}
	*st = state{}
	return json.Unmarshal(raw, st)
}

// scanState reads {"flags":[…],"since":"…","nudged":[…],"nudged_at":"…",
// "escalated":[…],"escalated_at":"…"} (any of them left out, no spaces,
// flags among the known ones). It reports false for any other shape.
func scanState(v []byte, st *state, buf *stateBuf) bool {
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return false
	}
	p := v[1 : len(v)-1]
	for len(p) > 0 {
		end := bytes.IndexByte(p, ':')
		if end < 2 || p[0] != '"' || p[end-1] != '"' {
			return false
		}
		key := p[1 : end-1]
		p = p[end+1:]
		var ok bool
		switch string(key) {
		case "flags":
			st.Flags, p, ok = scanFlags(p, buf.flags[:0])
			buf.flags = st.Flags[:0:cap(st.Flags)]
		case "nudged":
			st.Nudged, p, ok = scanFlags(p, buf.nudged[:0])
			buf.nudged = st.Nudged[:0:cap(st.Nudged)]
		case "escalated":
			st.Escalated, p, ok = scanFlags(p, buf.escalated[:0])
			buf.escalated = st.Escalated[:0:cap(st.Escalated)]
		case "since":
			st.Since, p, ok = scanTime(p, &buf.times[0])
		case "nudged_at":
			st.NudgedAt, p, ok = scanTime(p, &buf.times[1])
		case "escalated_at":
			st.EscalatedAt, p, ok = scanTime(p, &buf.times[2])
		}
		if !ok {
			return false
		}
		if len(p) > 0 {
			if p[0] != ',' || len(p) == 1 {
				return false
			}
			p = p[1:]
		}
	}
	return true
}

var knownFlags = []string{FlagInactive, FlagBehind, FlagMissed}

// scanFlags reads null or an array of known flag names into out (an empty
// array is an empty, non-nil slice, as json.Unmarshal makes it).
func scanFlags(p []byte, out []string) ([]string, []byte, bool) {
	if bytes.HasPrefix(p, []byte("null")) {
		return nil, p[4:], true
	}
	if len(p) < 2 || p[0] != '[' {
		return nil, nil, false
	}
	p = p[1:]
	if out == nil {
		out = make([]string, 0, len(knownFlags))
	}
	if p[0] == ']' {
		return out, p[1:], true
	}
	for {
		if len(p) == 0 || p[0] != '"' {
			return nil, nil, false
		}
		end := bytes.IndexByte(p[1:], '"')
		if end < 0 {
			return nil, nil, false
		}
		name := p[1 : 1+end]
		k := slices.IndexFunc(knownFlags, func(f string) bool { return f == string(name) })
		if k < 0 {
			return nil, nil, false
		}
		out = append(out, knownFlags[k])
		p = p[2+end:]
		switch {
		case len(p) > 0 && p[0] == ',':
			p = p[1:]
		case len(p) > 0 && p[0] == ']':
			return out, p[1:], true
		default:
			return nil, nil, false
		}
	}
}

// scanTime reads null or a quoted RFC 3339 time into *at, exactly as
// time.Time's UnmarshalJSON does.
func scanTime(p []byte, at *time.Time) (*time.Time, []byte, bool) {
	if bytes.HasPrefix(p, []byte("null")) {
		return nil, p[4:], true
	}
	if len(p) < 2 || p[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(p[1:], '"')
	if end < 0 || bytes.IndexByte(p[1:1+end], '\\') >= 0 {
		return nil, nil, false
	}
	if err := at.UnmarshalJSON(p[:end+2]); err != nil {
		return nil, nil, false
	}
	return at, p[end+2:], true
}

// own copies out everything of st that may point into a stateBuf or the
// run's scratch, for a state the run keeps.
func (st state) own() state {
	cp := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := *t
		return &u
	}
	st.Flags, st.Nudged, st.Escalated = slices.Clone(st.Flags), slices.Clone(st.Nudged), slices.Clone(st.Escalated)
	st.Since, st.NudgedAt, st.EscalatedAt = cp(st.Since), cp(st.NudgedAt), cp(st.EscalatedAt)
	return st
}
