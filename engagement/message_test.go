package engagement_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/notify"
	"pacer/pacertest"
)

func TestStaffMessages(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 1", 1}, weekModule{"Week 2", 2})
	ann, bob := c.student("Ann"), c.student("Bob")
	outsider := env.Register("Outsider")
	other := newCourse(t, env, nil)
	stranger := other.student("Stranger")
	env.Clock.Set(date(10, 9, 0, 0))
	c.open(t, bob, 0)
	env.Clock.Set(date(11, 0, 0, 1)) // Week 1 is past due: Ann is behind, Bob is not
	path := fmt.Sprintf("/api/v1/courses/%d/nudges", c.id)
	teacher := env.Login(c.teacher)

	t.Run("chosen learners get an instructor message and an e-mail", func(t *testing.T) {
		r := env.Do("POST", path, teacher.Token, map[string]any{"user_ids": []uint64{ann.ID, bob.ID, ann.ID},
			"message": "Week 2 starts today <b>— come say hi</b>"})
		if r.Status != 201 {
			t.Fatalf("nudges: %d %s", r.Status, r.Body)
		}
		if m := r.Map(); m["sent"] != float64(2) {
			t.Fatalf("answer %v", m)
		}
		for _, u := range []pacertest.User{ann, bob} {
			ns := notes(t, env, u, notify.KindInstructorMessage)
			if len(ns) != 1 || ns[0].Title != "Teacher sent you a message in Test course" ||
				ns[0].Body != "Week 2 starts today <b>— come say hi</b>" {
				t.Fatalf("%s's messages: %+v", u.Name, ns)
			}
		}
		mails, _ := env.Server.Outbox.Mails(ann.ID)
		if len(mails) != 1 || mails[0].Kind != notify.KindInstructorMessage {
			t.Fatalf("Ann's mail: %+v", mails)
		}
		if !strings.Contains(mails[0].HTML, "&lt;b&gt;— come say hi&lt;/b&gt;") || strings.Contains(mails[0].HTML, "<b>") {
			t.Fatalf("the message is not escaped in the HTML part:\n%s", mails[0].HTML)
		}
		if !strings.Contains(mails[0].Text, "Week 2 starts today <b>— come say hi</b>") {
			t.Fatalf("plain text part:\n%s", mails[0].Text)
		}
	})
	t.Run("everyone carrying a flag", func(t *testing.T) {
		r := env.Do("POST", path, teacher.Token, map[string]any{"flag": "behind", "message": "Catch up with Week 1"})
		var res struct {
			Sent    int      `json:"sent"`
			UserIDs []uint64 `json:"user_ids"`
		}
		r.Decode(&res)
		if r.Status != 201 || res.Sent != 1 || res.UserIDs[0] != ann.ID {
			t.Fatalf("flag behind: %d %s", r.Status, r.Body)
		}
		if ns := notes(t, env, bob, notify.KindInstructorMessage); len(ns) != 1 {
			t.Fatalf("Bob, on track, got %d messages", len(ns))
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, c := range []struct {
			name string
			body any
			code string
		}{
			{"a learner of another course", map[string]any{"user_ids": []uint64{stranger.ID}, "message": "hi"}, "validation_failed"},
			{"a staff member", map[string]any{"user_ids": []uint64{c.ta.ID}, "message": "hi"}, "validation_failed"},
			{"nobody", map[string]any{"message": "hi"}, "validation_failed"},
			{"both a list and a flag", map[string]any{"user_ids": []uint64{ann.ID}, "flag": "behind", "message": "hi"}, "validation_failed"},
			{"an unknown flag", map[string]any{"flag": "sleepy", "message": "hi"}, "validation_failed"},
			{"no message", map[string]any{"user_ids": []uint64{ann.ID}, "message": "  "}, "validation_failed"},
			{"a huge message", map[string]any{"user_ids": []uint64{ann.ID}, "message": strings.Repeat("x", 5001)}, "validation_failed"},
			{"an unknown field", map[string]any{"user_ids": []uint64{ann.ID}, "message": "hi", "role": "instructor"}, "bad_request"},
			{"not JSON", "{", "bad_request"},
		} {
			r := env.Do("POST", path, teacher.Token, c.body)
			if r.Status != 400 || r.ErrCode() != c.code {
				t.Errorf("%s: %d %s, want 400 %s", c.name, r.Status, r.Body, c.code)
			}
		}
		if ns := notes(t, env, stranger, notify.KindInstructorMessage); len(ns) != 0 {
			t.Fatalf("a refused request still messaged: %+v", ns)
		}
	})
	t.Run("students get 403 and outsiders 404", func(t *testing.T) {
		body := map[string]any{"user_ids": []uint64{bob.ID}, "message": "hi"}
		if r := env.Do("POST", path, env.Login(ann).Token, body); r.Status != 403 {
			t.Fatalf("student: %d", r.Status)
		}
		if r := env.Do("POST", path, env.Login(outsider).Token, body); r.Status != 404 {
			t.Fatalf("outsider: %d", r.Status)
		}
		if r := env.Do("POST", path, env.Login(outsider).Token, map[string]any{"message": ""}); r.Status != 404 {
			t.Fatalf("outsider with a bad body: %d", r.Status)
		}
	})
}
