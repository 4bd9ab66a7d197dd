package bolt

import (
	"bytes"
	"time"

	"pacer/modules"
)

// The member sweep's reader of stored member records: one walk of a
// course's records at every tick of the at-risk sweep over every
// enrolment of the site, so a record in the shape encoding/json writes is
// scanned (no reflection, no allocation but the last-active times) and
// any other shape is decoded in full, so the result is always what
// json.Unmarshal would give.

// Roles as stored, so that a scanned role is one of these strings and not
// a new one per record.
var knownRoles = []string{modules.RoleStudent, modules.RoleTA, modules.RoleInstructor}

// scanMember reads a Member record written by encoding/json:
// {"course_id":1,"user_id":2,"role":"student","enrolled_at":"…",
// "last_active_at":null|"…","joined":"…"}, in any order, with no spaces.
// ok is false for anything else (escapes, spaces, other keys or types),
// which the caller then decodes in full: json.Unmarshal matches keys
// without regard to case and unescapes strings, and the two must agree.
func scanMember(v []byte, m *modules.Swept, last *time.Time) (hasLast, ok bool) {
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
