package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
)

func TestStaffPostAnnouncementsThroughThePageAndMembersSeeThemOnTheCourseHome(t *testing.T) {
	env := pacertest.New(t)
	ines, ann, ed := env.Register("Ines"), env.Register("Ann"), env.Register("Ed")
	id, _, _ := course(t, env, ines, ann)
	home, list := fmt.Sprintf("/courses/%d", id), fmt.Sprintf("/courses/%d/announcements", id)

	staff := signedIn(t, env, ines)
	if p := staff.get(home); !p.has("Post an announcement") {
		t.Fatalf("the course home offers staff no way to post:\n%s", snippet(p.Body))
	}
	tok := staff.token(list)

	// A title on two lines is refused on the form, with the field marked
	// and the text kept.
	p := staff.post(list, form("_csrf", tok, "title", "Exam\nmoved", "body", "Kept text"))
	wantStatus(t, "a two-line title", p, 400)
	if !p.has(`aria-invalid="true"`) || !p.has("Kept text") {
		t.Errorf("the refused form does not mark the title or keep the body:\n%s", snippet(p.Body))
	}

	p = staff.post(list, form("_csrf", tok, "title", "Exam moved <b>now</b>", "body", "On **Friday**. <script>alert(1)</script>"))
	wantRedirect(t, "posting", p, list)

	student := signedIn(t, env, ann)
	for _, path := range []string{home, list} {
		p := student.get(path)
		wantStatus(t, path, p, 200)
		if !p.has("Exam moved &lt;b&gt;now&lt;/b&gt;") || !p.has("<strong>Friday</strong>") || strings.Contains(p.Body, "<script>alert") {
			t.Errorf("%s does not show the announcement safely:\n%s", path, snippet(p.Body))
		}
		if p.has("Post announcement") {
			t.Errorf("%s offers a student the posting form", path)
		}
	}
	if p := student.get("/notifications"); !p.has("Statistics: Exam moved") {
		t.Errorf("the student's notifications do not name the announcement:\n%s", snippet(p.Body))
	}

	// A student's post is refused, and an outsider sees nothing.
	p = student.post(list, form("_csrf", student.token(list), "title", "Me too", "body", "x"))
	wantStatus(t, "a student posting", p, 403)
	outsider := signedIn(t, env, ed)
	wantStatus(t, "an outsider's list", outsider.get(list), 404)
}

func TestTheDiscussionsPageTurnsFollowingEveryThreadOffAndOn(t *testing.T) {
	env := pacertest.New(t)
	ines, ann := env.Register("Ines"), env.Register("Ann")
	id, _, _ := course(t, env, ines, ann)
	path := fmt.Sprintf("/courses/%d/discussions", id)
	staff := signedIn(t, env, ines)
	p := staff.get(path)
	if !p.has("Stop following every thread") {
		t.Fatalf("the discussions page has no follow switch:\n%s", snippet(p.Body))
	}
	tok := staff.token(path)
	wantRedirect(t, "turning following off", staff.post(path+"/follow", form("_csrf", tok, "on", "0")), path)
	if p := staff.get(path); !p.has("Follow every thread") {
		t.Errorf("following is still on:\n%s", snippet(p.Body))
	}
	var got struct {
		FollowThreads bool `json:"follow_threads"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/discussion-settings", id), ines.Token, nil).Decode(&got)
	if got.FollowThreads {
		t.Error("the API says following is on after the page turned it off")
	}
	wantRedirect(t, "turning following on", staff.post(path+"/follow", form("_csrf", tok, "on", "1")), path)
	if p := staff.get(path); !p.has("Stop following every thread") {
		t.Errorf("following is still off:\n%s", snippet(p.Body))
	}
	student := signedIn(t, env, ann)
	if p := student.get(path); p.has("following every thread") || p.has("Follow every thread") {
		t.Error("a student sees the staff follow switch")
	}
	wantStatus(t, "a student's switch", student.post(path+"/follow", form("_csrf", student.token(path), "on", "0")), 403)
}
