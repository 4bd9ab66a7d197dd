package bolt

import (
	"encoding/json"
	"fmt"
	"pacer/modules"
	"testing"
)

// TestScanMember checks the sweep's reading of member records against
// encoding/json: the shape it writes is scanned to the same member, and
// every other shape is left to a full decode (ok false), since
// json.Unmarshal matches keys without regard to case and unescapes.
func TestScanMember(t *testing.T) {
	for _, c := range []struct {
		raw     string
		scanned bool
	}{
		{`{"course_id":1,"user_id":2,"role":"student","enrolled_at":"2027-01-04T12:00:00Z","last_active_at":null}`, true},
		{`{"course_id":1,"user_id":18446744073709551615,"role":"ta","enrolled_at":"2027-01-04T12:00:00.123456789Z","last_active_at":"2027-01-05T10:00:00+01:00","joined":"invitation"}`, true},
		{`{"course_id":1,"user_id":3,"role":"instructor","enrolled_at":"2027-01-04T12:00:00Z","last_active_at":"2027-01-05T10:00:00Z","joined":"created"}`, true},
		{`{"user_id":4,"role":null,"enrolled_at":null}`, true},
		{`{}`, true},
		{`{"course_id":1,"user_id":2,"Role":"student"}`, false},
		{`{"course_id":1,"user_id":2,"role":"stud\u0065nt"}`, false},
		{`{"course_id":1,"user_id":2,"role":"observer"}`, false},
		{`{ "course_id": 1 }`, false},
		{`{"course_id":1,"user_id":18446744073709551616}`, false},
		{`{"course_id":1,"user_id":-2}`, false},
		{`{"course_id":1,"user_id":2.5}`, false},
		{`{"course_id":1,"user_id":02}`, false},
		{`{"course_id":1,"enrolled_at":"soon"}`, false},
		{`{"course_id":1,"extra":{"a":1}}`, false},
		{`{"course_id":1,}`, false},
		{`{"course_id":1`, false},
		{`[]`, false},
	} {
		var m modules.Swept
		var last = m.EnrolledAt
		hasLast, ok := scanMember([]byte(c.raw), &m, &last)
		if ok != c.scanned {
			t.Errorf("%s: scanned %v, want %v", c.raw, ok, c.scanned)
			continue
		}
		if !ok {
			continue
		}
		if hasLast {
			m.LastActiveAt = &last
		}
		var want modules.Member
		if err := json.Unmarshal([]byte(c.raw), &want); err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		// Sprint shows the times' zones, and LastActiveAt's time, not its
		// address.
		got := fmt.Sprint(m.Member(0))
		exp := fmt.Sprint(modules.Member{UserID: want.UserID, Role: want.Role, EnrolledAt: want.EnrolledAt, LastActiveAt: want.LastActiveAt})
		if got != exp {
			t.Errorf("%s: scanned %s, encoding/json %s", c.raw, got, exp)
		}
	}
}
