package securitytest_test

// Membership by consent and enrolment keys that cannot be guessed (issue
// 12, items 1 and 5). These run on a small application of their own rather
// than the shared world, since they count attempts and change memberships.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

// mailsTo lists the kinds of the e-mails queued for a user.
func mailsTo(t *testing.T, env *pacertest.Env, user uint64) []string {
	t.Helper()
	mails, err := env.Server.Outbox.Mails(user)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range mails {
		kinds = append(kinds, m.Kind)
	}
	return kinds
}

// auditCount is how many audit entries of an action there are.
func auditCount(t *testing.T, env *pacertest.Env, admin pacertest.User, action string) int {
	t.Helper()
	var list struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/admin/audit?limit=200&action="+action, admin.Token, nil).Decode(&list)
	return len(list.Items)
}

func TestNobodyIsAddedToACourseOrShownTheirAddressWithoutConsent(t *testing.T) {
	env := pacertest.New(t)
	attacker, victim, other := env.Register("Mallory"), env.Register("Victor"), env.Register("Olive")
	course := env.Course(attacker, map[string]any{"title": "Free prizes"})
	base := fmt.Sprintf("/api/v1/courses/%d", course)

	// Adding a user by id is refused, whether or not the account exists,
	// and the answer holds no address.
	for _, id := range []uint64{victim.ID, 1 << 40} {
		r := env.Do("PUT", fmt.Sprintf("%s/members/%d", base, id), attacker.Token, map[string]any{"role": "ta"})
		if r.Status != 404 || strings.Contains(string(r.Body), "@") {
			t.Errorf("PUT members/%d by a course's creator: %d %s, want 404 without an address", id, r.Status, r.Body)
		}
	}
	if r := env.Do("GET", base+"/members", attacker.Token, nil); strings.Contains(string(r.Body), victim.Email) ||
		strings.Contains(string(r.Body), fmt.Sprintf(`"user_id":%d,`, victim.ID)) {
		t.Errorf("the victim is listed: %s", r.Body)
	}
	r := env.Do("POST", base+"/nudges", attacker.Token, map[string]any{"user_ids": []uint64{victim.ID}, "message": "Click here"})
	if r.Status == 201 || slices.Contains(mailsTo(t, env, victim.ID), "instructor_message") {
		t.Errorf("a nudge reached a non-member: %d %s", r.Status, r.Body)
	}

	// An invitation answers the same for an address with an account and
	// one without, and adds nobody.
	shape := func(r pacertest.Resp) string {
		m := r.Map()
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return fmt.Sprintf("%d %v %v %v", r.Status, keys, m["role"], m["created_at"])
	}
	known := env.Do("POST", base+"/invitations", attacker.Token, map[string]any{"email": victim.Email, "role": "ta"})
	unknown := env.Do("POST", base+"/invitations", attacker.Token, map[string]any{"email": "nobody@example.test", "role": "ta"})
	if shape(known) != shape(unknown) || known.Status != 201 || known.Map()["email"] != victim.Email {
		t.Errorf("invitation answers differ: %s / %s", known.Body, unknown.Body)
	}
	if a, _ := env.Server.Courses.Access(context.Background(), course, victim.ID); a.Member != nil {
		t.Fatalf("an invitation made the victim a %s", a.Role())
	}

	// The invitee is told in-app and by e-mail, and alone may answer.
	var mine struct {
		Items []struct {
			ID          uint64 `json:"id"`
			CourseID    uint64 `json:"course_id"`
			CourseTitle string `json:"course_title"`
			Role        string `json:"role"`
			InvitedBy   struct {
				ID   uint64 `json:"id"`
				Name string `json:"name"`
			} `json:"invited_by"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/me/invitations", victim.Token, nil).Decode(&mine)
	if len(mine.Items) != 1 || mine.Items[0].CourseID != course || mine.Items[0].CourseTitle != "Free prizes" ||
		mine.Items[0].Role != "ta" || mine.Items[0].InvitedBy.ID != attacker.ID || mine.Items[0].InvitedBy.Name != "Mallory" {
		t.Fatalf("the victim's invitations: %+v", mine.Items)
	}
	if n := env.Do("GET", "/api/v1/notifications", victim.Token, nil); !strings.Contains(string(n.Body), `"kind":"invitation"`) {
		t.Errorf("no invitation notification: %s", n.Body)
	}
	if !slices.Contains(mailsTo(t, env, victim.ID), "invitation") {
		t.Errorf("no invitation e-mail: %v", mailsTo(t, env, victim.ID))
	}
	inv := fmt.Sprintf("/api/v1/invitations/%d", mine.Items[0].ID)
	for _, u := range []pacertest.User{other, attacker} {
		if r := env.Do("POST", inv+"/accept", u.Token, nil); r.Status != 404 {
			t.Errorf("%s accepted someone else's invitation: %d", u.Name, r.Status)
		}
	}
	if r := env.Do("DELETE", inv, other.Token, nil); r.Status != 404 {
		t.Errorf("a stranger declined someone else's invitation: %d", r.Status)
	}
	if r := env.Do("DELETE", inv, victim.Token, nil); r.Status != 204 {
		t.Fatalf("decline: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", inv+"/accept", victim.Token, nil); r.Status != 404 {
		t.Errorf("a declined invitation was accepted: %d", r.Status)
	}
	if a, _ := env.Server.Courses.Access(context.Background(), course, victim.ID); a.Member != nil {
		t.Fatalf("the victim became a member after declining")
	}
}

func TestAnInvitationWaitsForItsAddressToRegister(t *testing.T) {
	env := pacertest.New(t)
	ins, ta, admin := env.Register("Ines"), env.Register("Tomas"), env.Admin()
	course := env.Course(ins, map[string]any{"title": "Statistics", "published": false})
	base := fmt.Sprintf("/api/v1/courses/%d", course)
	env.Invite(ins, course, ta, "ta")

	if r := env.Do("POST", base+"/invitations", ins.Token, map[string]any{"email": "  Later@Example.TEST ", "role": "ta"}); r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	// A TA may not invite, nor revoke an instructor's invitation.
	if r := env.Do("POST", base+"/invitations", ta.Token, map[string]any{"email": "x@example.test", "role": "student"}); r.Status != 403 {
		t.Errorf("a TA invited: %d", r.Status)
	}
	r := env.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": "later@example.test", "password": "correct horse battery", "name": "Lena"})
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var reg struct {
		User struct {
			ID uint64 `json:"id"`
		} `json:"user"`
		Token string `json:"access_token"`
	}
	r.Decode(&reg)
	var mine struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/me/invitations", reg.Token, nil).Decode(&mine)
	if len(mine.Items) != 1 {
		t.Fatalf("the new account finds no invitation")
	}
	inv := fmt.Sprintf("/api/v1/invitations/%d", mine.Items[0].ID)
	if r := env.Do("DELETE", inv, ta.Token, nil); r.Status != 404 {
		t.Errorf("a TA revoked an invitation: %d", r.Status)
	}
	r = env.Do("POST", inv+"/accept", reg.Token, nil)
	if r.Status != 201 || r.Map()["role"] != "ta" || r.Map()["enrolled_at"] == nil {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", base+"/members", ins.Token, nil); !strings.Contains(string(r.Body), "later@example.test") {
		t.Errorf("a member who accepted is not shown to staff with their address: %s", r.Body)
	}

	// Revoking: the course's instructor withdraws an invitation.
	r = env.Do("POST", base+"/invitations", ins.Token, map[string]any{"email": "gone@example.test", "role": "student"})
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/invitations/%d", r.ID()), ins.Token, nil); r.Status != 204 {
		t.Errorf("revoke: %d", r.Status)
	}
	var pending struct {
		Items []any `json:"items"`
	}
	env.Do("GET", base+"/invitations", ins.Token, nil).Decode(&pending)
	if len(pending.Items) != 0 {
		t.Errorf("pending after accept and revoke: %v", pending.Items)
	}
	for action, want := range map[string]int{"invitation_sent": 3, "invitation_accepted": 2, "invitation_revoked": 1} {
		if n := auditCount(t, env, admin, action); n != want {
			t.Errorf("%d audit entries %s, want %d", n, action, want)
		}
	}
}

func TestStaffMayLeaveACourseButNotItsLastInstructor(t *testing.T) {
	env := pacertest.New(t)
	ins, ta, co, admin, someone := env.Register("Ines"), env.Register("Tomas"), env.Register("Cora"), env.Admin(), env.Register("Sid")
	course := env.Course(ins, nil)
	base := fmt.Sprintf("/api/v1/courses/%d", course)
	env.Invite(ins, course, ta, "ta")

	if r := env.Do("DELETE", base+"/enroll", ta.Token, nil); r.Status != 204 {
		t.Fatalf("a TA cannot leave: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", base+"/enroll", ins.Token, nil); r.Status != 409 || r.ErrCode() != "conflict" {
		t.Fatalf("the last instructor left: %d %s", r.Status, r.Body)
	}
	env.Invite(ins, course, co, "instructor")
	if r := env.Do("DELETE", base+"/enroll", ins.Token, nil); r.Status != 204 {
		t.Fatalf("an instructor with a colleague cannot leave: %d %s", r.Status, r.Body)
	}
	// An administrator may add anyone, and a role change is audited.
	r := env.Do("PUT", fmt.Sprintf("%s/members/%d", base, someone.ID), admin.Token, map[string]any{"role": "student"})
	if r.Status != 200 || r.Map()["role"] != "student" {
		t.Fatalf("admin add: %d %s", r.Status, r.Body)
	}
	// Who did not join themselves does not show their address to staff.
	if r := env.Do("GET", base+"/members", co.Token, nil); !strings.Contains(string(r.Body), fmt.Sprintf(`"user_id":%d,`, someone.ID)) ||
		strings.Contains(string(r.Body), someone.Email) || !strings.Contains(string(r.Body), co.Email) {
		t.Errorf("members after an admin's add: %s", r.Body)
	}
	if n := auditCount(t, env, admin, "role_change"); n != 1 {
		t.Errorf("%d role changes audited, want 1", n)
	}
}

func TestEnrolmentKeysMustBeLong(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	for _, key := range []string{"1234", "seven77", "  1234567  "} {
		r := env.Do("POST", "/api/v1/courses", ins.Token, map[string]any{"title": "K", "enrollment": "key", "enroll_key": key})
		if r.Status != 400 || r.ErrCode() != "validation_failed" || !strings.Contains(string(r.Body), `"enroll_key"`) {
			t.Errorf("create with key %q: %d %s", key, r.Status, r.Body)
		}
	}
	course := env.Course(ins, map[string]any{"enrollment": "key", "enroll_key": "eight888"})
	r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", course), ins.Token, map[string]any{"enroll_key": "4821"})
	if r.Status != 400 || !strings.Contains(string(r.Body), `"enroll_key"`) {
		t.Errorf("patch to a short key: %d %s", r.Status, r.Body)
	}
	open := env.Course(ins, nil)
	r = env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", open), ins.Token, map[string]any{"enrollment": "key", "enroll_key": "4821"})
	if r.Status != 400 || !strings.Contains(string(r.Body), `"enroll_key"`) {
		t.Errorf("switch to a short key: %d %s", r.Status, r.Body)
	}
}

// guess sends one enrolment key and returns the status.
func guess(env *pacertest.Env, u pacertest.User, course uint64, key string) pacertest.Resp {
	return env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), u.Token, map[string]any{"enroll_key": key})
}

func TestEnrolmentKeyGuessesAreLimitedPerAccount(t *testing.T) {
	env := pacertest.New(t)
	ins, admin, guesser := env.Register("Ines"), env.Admin(), env.Register("Guy")
	course := env.Course(ins, map[string]any{"enrollment": "key", "enroll_key": "correct staple"})
	n := 0
	for ; n < 100; n++ {
		r := guess(env, guesser, course, fmt.Sprintf("%04d", n))
		if r.Status == 429 {
			secs, _ := strconv.Atoi(r.Header.Get("Retry-After"))
			if r.ErrCode() != "rate_limited" || secs < 1 || secs > 3600 {
				t.Errorf("429 without its code or Retry-After: %q %s", r.Header.Get("Retry-After"), r.Body)
			}
			break
		}
		if r.Status != 403 {
			t.Fatalf("guess %d: %d %s", n, r.Status, r.Body)
		}
	}
	if n == 0 || n > 10 {
		t.Fatalf("%d wrong keys before 429, want at most 10", n)
	}
	// Over the limit even the right key is refused, so guessing on tells
	// nothing; the failures are audited.
	if r := guess(env, guesser, course, "correct staple"); r.Status != 429 {
		t.Errorf("the right key over the limit: %d", r.Status)
	}
	// A course open to all stays open to them.
	if r := guess(env, guesser, env.Course(ins, nil), ""); r.Status != 201 {
		t.Errorf("an open course while limited: %d %s", r.Status, r.Body)
	}
	if got := auditCount(t, env, admin, "enroll_key_wrong"); got != n {
		t.Errorf("%d wrong keys audited, want %d", got, n)
	}
	env.Clock.Advance(61 * time.Minute)
	guesser = env.Login(guesser)
	if r := guess(env, guesser, course, "correct staple"); r.Status != 201 {
		t.Errorf("after the window, the right key: %d %s", r.Status, r.Body)
	}
}

func TestEnrolmentKeyGuessesAreLimitedPerAddress(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	course := env.Course(ins, map[string]any{"enrollment": "key", "enroll_key": "correct staple"})
	// Many accounts from one address, each far under its own limit.
	tried := 0
	for i := 0; i < 20; i++ {
		u := env.Register(fmt.Sprintf("Sybil %d", i))
		for j := 0; j < 3; j++ {
			r := guess(env, u, course, fmt.Sprintf("%d-%d", i, j))
			if r.Status == 429 {
				if tried == 0 || tried > 30 {
					t.Fatalf("%d wrong keys from one address before 429, want at most 30", tried)
				}
				if r.Header.Get("Retry-After") == "" {
					t.Errorf("429 without Retry-After")
				}
				return
			}
			tried++
		}
	}
	t.Fatalf("%d wrong keys from one address and no 429", tried)
}

// TestInvitationMailNamesTheCourse: the invitation e-mail that a known
// address gets is Pacer's own text around the course title.
func TestInvitationMailNamesTheCourse(t *testing.T) {
	env := pacertest.New(t)
	ins, sam := env.Register("Ines"), env.Register("Sam")
	course := env.Course(ins, map[string]any{"title": "Linear algebra"})
	env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/invitations", course), ins.Token, map[string]any{"email": sam.Email, "role": "student"})
	outbox := env.Server.Outbox
	if _, err := outbox.SendOutbox(context.Background(), env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	mails, err := outbox.Mails(sam.ID)
	if err != nil || len(mails) != 1 || mails[0].To != sam.Email || !strings.Contains(mails[0].Subject, "Linear algebra") ||
		!strings.Contains(mails[0].Text, "only if you accept") {
		t.Fatalf("invitation mail: %+v %v", mails, err)
	}
}
