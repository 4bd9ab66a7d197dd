package engagement_test

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pacer/engagement"
	"pacer/pacertest"
	"pacer/storage"
)

// TestSweepJudgesAsOneAtATime checks that the job's set-oriented read of a
// course (one walk per bucket, scanned records) judges every learner
// exactly as reading them one at a time does, through a timeline with
// everything the walks must get right: learners with and without progress
// and activity, an extension, a learner who left and one who became staff
// (their ladder records go), activity older than the window (long enough
// that the walk jumps over it) and after now, and member and ladder
// records not in the shape encoding/json writes (decoded in full).
func TestSweepJudgesAsOneAtATime(t *testing.T) {
	env := pacertest.New(t)
	env.Clock.Set(date(4, 9, 0, 0))
	sched := newCourse(t, env, scheduledCourse(7*days, 3*days),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	self := newCourse(t, env, selfPacedCourse(5*days, 2*days),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Extra", 0})
	var learners []pacertest.User
	for i, name := range []string{"Ann", "Bob", "Cy", "Di", "Ed", "Flo"} {
		u := sched.student(name)
		env.Enroll(u, self.id)
		learners = append(learners, u)
		if i%2 == 0 {
			sched.open(t, u, 0)
		}
		if i%3 == 0 {
			self.open(t, u, 0)
		}
		env.Clock.Advance(7 * time.Hour)
	}
	ann, bob, cy, di := learners[0], learners[1], learners[2], learners[3]

	db := env.Bolt()
	put := func(b storage.Bucket, key []byte, raw string) {
		t.Helper()
		if err := db.Update(func(tx *storage.Tx) error { return tx.PutRaw(b, key, []byte(raw)) }); err != nil {
			t.Fatal(err)
		}
	}
	count := func(n uint32) string {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], n)
		return string(b[:])
	}
	// Bob has a long history (every day from October 2026 into the course)
	// and a day in the future.
	for d := 0; d < 100; d++ {
		day := uint64(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Unix()/86400) + uint64(d)
		put(storage.ActivityDays, storage.Key(self.id, bob.ID, day), count(uint32(d+1)))
	}
	put(storage.ActivityDays, storage.Key(self.id, bob.ID, uint64(date(30, 0, 0, 0).Unix()/86400)), count(3))
	// Cy's member record with spaces, as another encoder might write it.
	put(storage.Members, storage.Key(sched.id, cy.ID), fmt.Sprintf(
		`{ "course_id": %d, "user_id": %d, "role": "student", "enrolled_at": "2027-01-04T12:00:00Z", "last_active_at": "2027-01-05T10:00:00+01:00" }`,
		sched.id, cy.ID))

	instants := []time.Time{date(6, 0, 0, 0), date(11, 9, 0, 0), date(12, 10, 0, 0), date(15, 0, 0, 0),
		date(18, 0, 0, 1), date(20, 0, 0, 1), date(21, 0, 0, 0), date(25, 0, 0, 0), date(29, 0, 0, 0)}
	for i, at := range instants {
		env.Clock.Set(at)
		switch i {
		case 2:
			r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/extensions", sched.id), env.Login(sched.teacher).Token,
				map[string]any{"user_id": ann.ID, "module_id": sched.modules[1], "due_at": "2027-01-27T00:00:00Z"})
			if r.Status != 201 {
				t.Fatalf("extension: %d %s", r.Status, r.Body)
			}
			self.open(t, env.Login(di), 1)
		case 3:
			// Di leaves the self-paced course; Bob becomes a TA of the
			// scheduled one. Both had ladder records there.
			if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", self.id), env.Login(di).Token, nil); r.Status != 204 {
				t.Fatalf("leave: %d %s", r.Status, r.Body)
			}
			env.SetRole(env.Login(sched.teacher), sched.id, bob, "ta")
		case 5:
			// A ladder record with spaces.
			put(storage.Engagement, storage.Key(sched.id, ann.ID), `{ "flags": ["inactive"], "since": "2027-01-11T09:00:00Z" }`)
		}
		sweep, each, err := env.Server.Engagement.JudgeBothWays(at)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sweep, each) {
			t.Fatalf("at %s the sweep judged\n%s\nand one at a time\n%s", at, strings.Join(sweep, "\n"), strings.Join(each, "\n"))
		}
		if i > 0 && len(each) == 0 {
			t.Errorf("at %s nothing changed: the timeline tests nothing", at)
		}
		run(t, env)
	}
}

// TestLadderRecordScan checks the job's reading of stored ladder records
// against encoding/json, for the shape it writes and for shapes it must
// leave to a full decode.
func TestLadderRecordScan(t *testing.T) {
	for _, raw := range []string{
		`{}`,
		`{"flags":["inactive"],"since":"2027-01-11T09:00:00Z"}`,
		`{"flags":["inactive","behind","missed_deadline"],"since":"2027-01-11T09:00:00Z","nudged":["inactive","behind"],"nudged_at":"2027-01-11T09:00:00Z","escalated":["inactive"],"escalated_at":"2027-01-14T09:00:00.5Z"}`,
		`{"nudged_at":"2027-01-11T10:00:00+01:00"}`,
		`{"flags":[],"nudged":null,"since":null}`,
		`{"flags":["inactive"],"flags":["behind"]}`,
		`{ "flags": ["inactive"] }`,
		`{"Flags":["inactive"]}`,
		`{"flags":["asleep"]}`,
		`{"flags":["in\u0061ctive"]}`,
		`{"flags":["inactive"],"other":1}`,
		`{"since":"yesterday"}`,
		`{"flags":["inactive"`,
		`{"flags":["inactive"],}`,
		`[]`,
	} {
		scanned, decoded := engagement.DecodeStateBothWays([]byte(raw))
		if scanned != decoded {
			t.Errorf("%s: scanned %s, encoding/json %s", raw, scanned, decoded)
		}
	}
}
