package modules

import (
	"bytes"
	"encoding/json"
	"time"

	"pacer/storage"
)

// Swept is a member of a course as a sweep over every enrolment judges
// them: who, in which role, when their weeks start and when they were last
// active. It is Member without what no sweep reads (the course, known to
// the caller, and how they joined).
type Swept struct {
	UserID       uint64
	Role         string
	EnrolledAt   time.Time
	LastActiveAt *time.Time
}

// Staff reports whether the member teaches the course.
func (m Swept) Staff() bool { return m.Role == RoleInstructor || m.Role == RoleTA }

// Member is the swept member as a Member of course, for code that judges
// one learner at a time.
func (m Swept) Member(course uint64) Member {
	return Member{CourseID: course, UserID: m.UserID, Role: m.Role, EnrolledAt: m.EnrolledAt, LastActiveAt: m.LastActiveAt}
}

// SweepTx returns every member of a course, in user order, in one walk of
// the course's member records inside the caller's transaction (no access
// check). It is the set-oriented read of the sweeps that judge a whole
// course at every tick (engagement's flag_inactive over every enrolment of
// the site): out is reused, so a sweep over many courses keeps one buffer,
// and each record is read with a scanner for the shape encoding/json
// writes (no reflection, no allocation but the last-active times, which
// share a few blocks). A record of any other shape is decoded in full, so
// the result is always what json.Unmarshal would give.
func SweepTx(tx *storage.Tx, courseID uint64, out []Swept) ([]Swept, error) {
	out = out[:0]
	var times []time.Time // blocks the LastActiveAt pointers point into
	err := tx.Each(storage.Members, storage.Key(courseID), func(_, v []byte) error {
		var m Swept
		var last time.Time
		hasLast, ok := scanMember(v, &m, &last)
		if !ok {
			var full Member
			if err := json.Unmarshal(v, &full); err != nil {
				return err
			}
			m = Swept{UserID: full.UserID, Role: full.Role, EnrolledAt: full.EnrolledAt, LastActiveAt: full.LastActiveAt}
		} else if hasLast {
			if len(times) == cap(times) {
				// A new block: pointers into the old one stay valid.
				times = make([]time.Time, 0, 256)
			}
			times = append(times, last)
			m.LastActiveAt = &times[len(times)-1]
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// Roles as stored, so that a scanned role is one of these strings and not
// a new one per record.
var knownRoles = []string{RoleStudent, RoleTA, RoleInstructor}

// scanMember reads a Member record written by encoding/json:
// {"course_id":1,"user_id":2,"role":"student","enrolled_at":"…",
// "last_active_at":null|"…","joined":"…"}, in any order, with no spaces.
// ok is false for anything else (escapes, spaces, other keys or types),
// which the caller then decodes in full: json.Unmarshal matches keys
// without regard to case and unescapes strings, and the two must agree.
func scanMember(v []byte, m *Swept, last *time.Time) (hasLast, ok bool) {
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return false, false
	}
	p := v[1 : len(v)-1]
	for len(p) > 0 {
		key, rest, ok := scanString(p)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return false, false
		}
		val, rest, ok := scanValue(rest[1:])
		if !ok {
			return false, false
		}
		null := string(val) == "null"
		switch string(key) {
		case "course_id":
			if !null && !isUint(val) {
				return false, false
			}
		case "user_id":
			if !null {
				n, ok := parseUint(val)
				if !ok {
					return false, false
				}
				m.UserID = n
			}
		case "role":
			if !null {
				i := roleIndex(val)
				if i < 0 {
					return false, false
				}
				m.Role = knownRoles[i]
			}
		case "enrolled_at":
			if !null {
				if val[0] != '"' || m.EnrolledAt.UnmarshalJSON(val) != nil {
					return false, false
				}
			}
		case "last_active_at":
			hasLast = !null
			if !null {
				if val[0] != '"' || last.UnmarshalJSON(val) != nil {
					return false, false
				}
			}
		case "joined":
			if !null && val[0] != '"' {
				return false, false
			}
		default:
			return false, false
		}
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return false, false
			}
			rest = rest[1:]
		}
		p = rest
	}
	return hasLast, true
}

func roleIndex(val []byte) int {
	if len(val) < 2 || val[0] != '"' {
		return -1
	}
	for i, r := range knownRoles {
		if string(val[1:len(val)-1]) == r {
			return i
		}
	}
	return -1
}

// scanString reads a JSON string without escapes at the start of p: its
// contents and what follows.
func scanString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(p[1:], '"')
	if end < 0 || bytes.IndexByte(p[1:1+end], '\\') >= 0 {
		return nil, nil, false
	}
	return p[1 : 1+end], p[2+end:], true
}

// scanValue reads a string (quotes kept), null or unsigned number at the
// start of p.
func scanValue(p []byte) (val, rest []byte, ok bool) {
	if len(p) == 0 {
		return nil, nil, false
	}
	if p[0] == '"' {
		s, rest, ok := scanString(p)
		if !ok {
			return nil, nil, false
		}
		return p[:len(s)+2], rest, true
	}
	end := bytes.IndexByte(p, ',')
	if end < 0 {
		end = len(p)
	}
	val = p[:end]
	if string(val) != "null" && !isUint(val) {
		return nil, nil, false
	}
	return val, p[end:], true
}

func isUint(b []byte) bool {
	_, ok := parseUint(b)
	return ok
}

// parseUint reads a JSON unsigned integer (no sign, fraction or exponent,
// no leading zero) that fits in 64 bits.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
