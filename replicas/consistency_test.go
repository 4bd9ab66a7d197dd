package replicas_test

import (
	"fmt"
	"testing"

	"pacer/durability"
	"pacer/replicas"
)

// TestATokenIssuedByOneReplicaWorksOnTheOthers: access tokens and refresh
// tokens are the same on every replica, and so is the rotation's reuse
// detection.
func TestATokenIssuedByOneReplicaWorksOnTheOthers(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	a := register(t, r1, "Token")
	first, err := login(r1, a.Email)
	must(t, err)
	for _, r := range c.Replicas {
		var me struct {
			ID uint64 `json:"id"`
		}
		call(t, r, 200, "GET", "/api/v1/me", first.Access, nil, &me)
		if me.ID != a.ID {
			t.Fatalf("%s: /me is user %d, want %d", r, me.ID, a.ID)
		}
	}
	// Refreshed on replica 2, the new access token works on replica 3 and
	// the new refresh token rotates there.
	var second, third tokens
	call(t, r2, 200, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.Refresh}, &second)
	call(t, r3, 200, "GET", "/api/v1/me", second.AccessToken, nil, nil)
	call(t, r3, 200, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}, &third)
	call(t, r1, 200, "GET", "/api/v1/me", third.AccessToken, nil, nil)
	// The first refresh token, used again on replica 1, is refused there
	// and revokes the family on every replica.
	if s := status(t, r1, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.Refresh}); s != 401 {
		t.Fatalf("replica 1: a rotated refresh token used again: status %d, want 401", s)
	}
	if s := status(t, r2, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": third.RefreshToken}); s != 401 {
		t.Fatalf("replica 2: the newest refresh token of a revoked family: status %d, want 401", s)
	}
}

// TestAWriteOnOneReplicaIsReadOnAnotherAtOnce sends each write to one
// replica and reads it on another with the very next request. Each thing
// is read on the reading replica before the write too, so that a value a
// replica kept from before the write would be caught.
func TestAWriteOnOneReplicaIsReadOnAnotherAtOnce(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	ins := register(t, r1, "Instructor")
	st := register(t, r2, "Student")

	t.Run("a course created on one replica is listed by the others", func(t *testing.T) {
		listed := func(r int, id uint64) bool {
			var out struct {
				Items []struct {
					ID     uint64 `json:"id"`
					MyRole string `json:"my_role"`
				} `json:"items"`
			}
			call(t, c.Replicas[r], 200, "GET", "/api/v1/courses?limit=200", ins.Access, nil, &out)
			for _, it := range out.Items {
				if it.ID == id && it.MyRole == "instructor" {
					return true
				}
			}
			return false
		}
		listed(1, 0)
		listed(2, 0)
		var co idOnly
		call(t, r1, 201, "POST", "/api/v1/courses", ins.Access, map[string]any{"title": "Listed"}, &co)
		for _, r := range []int{1, 2} {
			if !listed(r, co.ID) {
				t.Errorf("%s does not list course %d, created on replica 1, as the instructor's", c.Replicas[r], co.ID)
			}
		}
	})

	co := newCourse(t, r1, ins, "Consistency")
	coPath := fmt.Sprintf("/api/v1/courses/%d", co.ID)
	enroll(t, r3, co, st)

	t.Run("a course edited on one replica", func(t *testing.T) {
		var before, after struct {
			Title string `json:"title"`
		}
		call(t, r3, 200, "GET", coPath, st.Access, nil, &before)
		call(t, r2, 200, "PATCH", coPath, ins.Access, map[string]any{"title": "Consistency, edited"}, nil)
		call(t, r3, 200, "GET", coPath, st.Access, nil, &after)
		if after.Title != "Consistency, edited" {
			t.Errorf("replica 3 answers the title %q after replica 2 changed it from %q", after.Title, before.Title)
		}
	})

	page := co.item(t, r2, ins, map[string]any{"kind": "page", "title": "Reading", "body": "First version."})
	itemPath := fmt.Sprintf("%s/items/%d", coPath, page)

	t.Run("an item edited on one replica", func(t *testing.T) {
		type item struct {
			Title    string `json:"title"`
			BodyHTML string `json:"body_html"`
		}
		var before, after item
		call(t, r1, 200, "GET", itemPath, ins.Access, nil, &before)
		call(t, r3, 200, "PATCH", itemPath, ins.Access, map[string]any{"title": "Reading, revised", "body": "Second version."}, nil)
		call(t, r1, 200, "GET", itemPath, ins.Access, nil, &after)
		if after.Title != "Reading, revised" || !contains(after.BodyHTML, "Second version.") {
			t.Errorf("replica 1 answers %+v after replica 3 edited the item (before: %+v)", after, before)
		}
	})

	t.Run("an item completed on one replica shows in progress on another", func(t *testing.T) {
		status := func(r int) string {
			var p struct {
				Items []struct {
					ItemID uint64 `json:"item_id"`
					Status string `json:"status"`
				} `json:"items"`
			}
			call(t, c.Replicas[r], 200, "GET", coPath+"/progress", st.Access, nil, &p)
			for _, it := range p.Items {
				if it.ItemID == page {
					return it.Status
				}
			}
			return "absent"
		}
		if s := status(2); s == "completed" {
			t.Fatalf("the page is %s before the student opened it", s)
		}
		call(t, r1, 200, "POST", itemPath+"/complete", st.Access, map[string]any{}, nil)
		if s := status(2); s != "completed" {
			t.Errorf("replica 3 answers the page %q after replica 1 completed it", s)
		}
	})

	t.Run("a grade given on one replica", func(t *testing.T) {
		asg := co.item(t, r1, ins, map[string]any{"kind": "assignment", "title": "Essay", "body": "Write.", "points": 10})
		var sub idOnly
		call(t, r2, 201, "POST", fmt.Sprintf("%s/items/%d/submissions", coPath, asg), st.Access, map[string]any{"body": "My essay."}, &sub)
		cell := func(r int) (status string, final *float64) {
			var g struct {
				Row struct {
					Cells []struct {
						ItemID     uint64   `json:"item_id"`
						Status     string   `json:"status"`
						FinalScore *float64 `json:"final_score"`
					} `json:"cells"`
				} `json:"row"`
			}
			call(t, c.Replicas[r], 200, "GET", coPath+"/grades", st.Access, nil, &g)
			for _, cl := range g.Row.Cells {
				if cl.ItemID == asg {
					return cl.Status, cl.FinalScore
				}
			}
			return "absent", nil
		}
		if s, _ := cell(0); s != "needs_grading" {
			t.Fatalf("replica 1: the submitted essay is %q, want needs_grading", s)
		}
		call(t, r3, 200, "PATCH", fmt.Sprintf("%s/submissions/%d", coPath, sub.ID), ins.Access, map[string]any{"score": 8, "feedback": "Good."}, nil)
		if s, f := cell(0); s != "graded" || f == nil || *f != 8 {
			t.Errorf("replica 1 answers the essay %q with final score %v after replica 3 graded it 8", s, f)
		}
	})

	t.Run("a quiz attempt across replicas, graded on another", func(t *testing.T) {
		quiz := co.item(t, r1, ins, map[string]any{"kind": "quiz", "title": "Check", "points": 5,
			"quiz": map[string]any{"feedback": "on_submit"}})
		var q struct {
			ID      uint64 `json:"id"`
			Choices []struct {
				ID      int  `json:"id"`
				Correct bool `json:"correct"`
			} `json:"choices"`
		}
		call(t, r2, 201, "POST", fmt.Sprintf("%s/items/%d/questions", coPath, quiz), ins.Access, map[string]any{
			"kind": "single", "prompt": "Is this one platform?",
			"choices": []map[string]any{{"text": "Yes", "correct": true}, {"text": "No", "correct": false}},
		}, &q)
		right := -1
		for _, ch := range q.Choices {
			if ch.Correct {
				right = ch.ID
			}
		}
		// Started on replica 3, answered on replica 1, submitted on
		// replica 2: the attempt is one wherever it is touched.
		if s, _ := gradebookCell(t, r3, coPath, ins, st.ID, quiz); s != "not_submitted" {
			t.Fatalf("replica 3's gradebook has the quiz %q before any attempt, want not_submitted", s)
		}
		var att idOnly
		call(t, r3, 201, "POST", fmt.Sprintf("%s/items/%d/attempts", coPath, quiz), st.Access, map[string]any{}, &att)
		call(t, r1, 200, "PUT", fmt.Sprintf("%s/attempts/%d/answers/%d", coPath, att.ID, q.ID), st.Access,
			map[string]any{"choice_ids": []int{right}}, nil)
		var sub struct {
			Passed     bool    `json:"passed"`
			FinalScore float64 `json:"final_score"`
		}
		call(t, r2, 200, "POST", fmt.Sprintf("%s/attempts/%d/submit", coPath, att.ID), st.Access, map[string]any{}, &sub)
		if !sub.Passed {
			t.Fatalf("replica 2: the attempt answered right on replica 1 did not pass: %+v", sub)
		}
		if s, f := gradebookCell(t, r3, coPath, ins, st.ID, quiz); s != "graded" || f == nil || *f != 5 {
			t.Errorf("replica 3's gradebook has the quiz %q with final score %v, want graded 5", s, f)
		}
	})

	t.Run("a member's role changed on one replica", func(t *testing.T) {
		members := coPath + "/members"
		if s := status(t, r2, "GET", members, st.Access, nil); s != 403 {
			t.Fatalf("replica 2: a student lists the members: status %d, want 403", s)
		}
		call(t, r1, 200, "PUT", fmt.Sprintf("%s/%d", members, st.ID), ins.Access, map[string]any{"role": "ta"}, nil)
		if s := status(t, r2, "GET", members, st.Access, nil); s != 200 {
			t.Errorf("replica 2: the new TA lists the members: status %d, want 200", s)
		}
		call(t, r3, 200, "PUT", fmt.Sprintf("%s/%d", members, st.ID), ins.Access, map[string]any{"role": "student"}, nil)
		if s := status(t, r1, "GET", members, st.Access, nil); s != 403 {
			t.Errorf("replica 1: the student again lists the members: status %d, want 403", s)
		}
	})

	t.Run("a reply posted on one replica", func(t *testing.T) {
		thread := newThread(t, r1, co, ins, "Questions")
		path := fmt.Sprintf("/api/v1/threads/%d", thread)
		read := func(r int) (count int, last string) {
			var p struct {
				Thread struct {
					ReplyCount int `json:"reply_count"`
				} `json:"thread"`
				Items []struct {
					BodyHTML string `json:"body_html"`
				} `json:"items"`
			}
			call(t, c.Replicas[r], 200, "GET", path+"?limit=200", ins.Access, nil, &p)
			if n := len(p.Items); n > 0 {
				last = p.Items[n-1].BodyHTML
			}
			return p.Thread.ReplyCount, last
		}
		read(2)
		call(t, r2, 201, "POST", path+"/replies", st.Access, map[string]any{"body": "A reply from replica two."}, nil)
		if n, last := read(2); n != 1 || !contains(last, "replica two") {
			t.Errorf("replica 3 answers %d replies, the last %q, after replica 2 took one", n, last)
		}
	})
}

// TestASitePermissionChangedOnOneReplicaHoldsOnTheOthers: an
// administrator restricts course creation on one replica and grants it to
// one user on another; a third answers both at once.
func TestASitePermissionChangedOnOneReplicaHoldsOnTheOthers(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	adm := admin(t, c)
	u := register(t, r1, "Creator")
	create := func(r *replicas.Replica) int {
		t.Helper()
		return status(t, r, "POST", "/api/v1/courses", u.Access, map[string]any{"title": "Mine"})
	}
	if s := create(r2); s != 201 {
		t.Fatalf("replica 2: anyone creates a course: status %d, want 201", s)
	}
	call(t, r1, 200, "PATCH", "/api/v1/admin/settings", adm.Access, map[string]any{"course_creation": "creators"}, nil)
	// The suites share the site: put the setting back whatever happens.
	t.Cleanup(func() {
		if err := r1.Client.JSON(200, "PATCH", "/api/v1/admin/settings", adm.Access, map[string]any{"course_creation": "anyone"}, nil); err != nil {
			t.Errorf("restore course_creation: %v", err)
		}
	})
	if s := create(r2); s != 403 {
		t.Fatalf("replica 2: a user without the permission creates a course after replica 1 restricted it: status %d, want 403", s)
	}
	call(t, r3, 200, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", u.ID), adm.Access, map[string]any{"can_create_courses": true}, nil)
	if s := create(r2); s != 201 {
		t.Errorf("replica 2: the user replica 3 allowed creates a course: status %d, want 201", s)
	}
}

// TestRevocationOnOneReplicaHoldsOnTheOthersAtOnce: a sign-out, a
// disabled account and a password change on one replica refuse the
// account's tokens on the others at the very next request.
func TestRevocationOnOneReplicaHoldsOnTheOthersAtOnce(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	// accepted checks that token works on replicas 2 and 3 before the
	// change (so they have seen the account), refused that it no longer
	// does after.
	accepted := func(t *testing.T, token string) {
		t.Helper()
		call(t, r2, 200, "GET", "/api/v1/me", token, nil, nil)
		call(t, r3, 200, "GET", "/api/v1/me", token, nil, nil)
	}
	refused := func(t *testing.T, token, after string) {
		t.Helper()
		for _, r := range []*replicas.Replica{r2, r3} {
			if s := status(t, r, "GET", "/api/v1/me", token, nil); s != 401 {
				t.Errorf("%s: the token after %s on replica 1: status %d, want 401", r, after, s)
			}
		}
	}

	t.Run("sign-out", func(t *testing.T) {
		a := register(t, r1, "Leaver")
		accepted(t, a.Access)
		if s := status(t, r1, "POST", "/api/v1/auth/logout", a.Access, map[string]string{"refresh_token": a.Refresh}); s != 204 {
			t.Fatalf("replica 1: logout: status %d, want 204", s)
		}
		refused(t, a.Access, "a sign-out")
		if s := status(t, r3, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.Refresh}); s != 401 {
			t.Errorf("replica 3: the signed-out refresh token: status %d, want 401", s)
		}
	})

	t.Run("disabled account", func(t *testing.T) {
		adm := admin(t, c)
		a := register(t, r2, "Disabled")
		accepted(t, a.Access)
		call(t, r1, 200, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", a.ID), adm.Access, map[string]any{"disabled": true}, nil)
		refused(t, a.Access, "disabling the account")
		if _, err := login(r3, a.Email); err == nil {
			t.Error("replica 3: a disabled account signs in")
		}
	})

	t.Run("password change", func(t *testing.T) {
		a := register(t, r3, "Changer")
		other, err := login(r2, a.Email)
		must(t, err)
		accepted(t, other.Access)
		const newPassword = "a brand new password"
		call(t, r1, 200, "PATCH", "/api/v1/me", a.Access, map[string]any{"password": newPassword, "current_password": durability.Password}, nil)
		refused(t, other.Access, "a password change")
		if _, err := login(r3, a.Email); err == nil {
			t.Error("replica 3: the old password still signs in")
		}
		call(t, r2, 200, "POST", "/api/v1/auth/login", "", map[string]string{"email": a.Email, "password": newPassword}, nil)
	})
}

// newThread opens a thread in the course's general board and returns it.
func newThread(t *testing.T, r *replicas.Replica, co course, author account, title string) uint64 {
	t.Helper()
	var boards struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	call(t, r, 200, "GET", fmt.Sprintf("/api/v1/courses/%d/boards", co.ID), author.Access, nil, &boards)
	for _, b := range boards.Items {
		if b.Kind == "general" {
			var th idOnly
			call(t, r, 201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", b.ID), author.Access,
				map[string]any{"title": title, "body": "Ask here."}, &th)
			return th.ID
		}
	}
	t.Fatalf("course %d has no general board", co.ID)
	return 0
}

// gradebookCell is a student's cell of an item in the gradebook replica r
// answers the instructor.
func gradebookCell(t *testing.T, r *replicas.Replica, coPath string, ins account, student, item uint64) (string, *float64) {
	t.Helper()
	var book struct {
		Rows []struct {
			UserID uint64 `json:"user_id"`
			Cells  []struct {
				ItemID     uint64   `json:"item_id"`
				Status     string   `json:"status"`
				FinalScore *float64 `json:"final_score"`
			} `json:"cells"`
		} `json:"rows"`
	}
	call(t, r, 200, "GET", coPath+"/gradebook", ins.Access, nil, &book)
	for _, row := range book.Rows {
		for _, cl := range row.Cells {
			if row.UserID == student && cl.ItemID == item {
				return cl.Status, cl.FinalScore
			}
		}
	}
	return "absent", nil
}
