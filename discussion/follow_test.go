package discussion_test

import (
	"fmt"
	"testing"

	"pacer/pacertest"
)

func TestStaffHearOfRepliesInEveryThreadOfTheirCourseUntilTheyTurnItOff(t *testing.T) {
	c := newClass(t)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, c.ed}
	settings := fmt.Sprintf("/api/v1/courses/%d/discussion-settings", c.course)
	thread, _ := c.thread(c.ann, c.general, "Study group", "Who is in?")
	if !c.view(c.instr, thread, "").Thread.Subscribed {
		t.Error("the instructor's thread view says she does not follow a new thread of her course")
	}
	c.reply(c.bob, thread, 0, "Me")
	wantCounts(t, "a reply", c.counts(everyone...),
		map[string]int{"Ann reply": 1, "Ines Instructor reply": 1, "Tom Assistant reply": 1})

	var got struct {
		FollowThreads bool `json:"follow_threads"`
	}
	c.env.Do("GET", settings, c.instr.Token, nil).Decode(&got)
	if !got.FollowThreads {
		t.Error("follow_threads is off before anyone turned it off")
	}
	c.unfollow(c.instr)
	c.env.Do("GET", settings, c.instr.Token, nil).Decode(&got)
	if got.FollowThreads {
		t.Error("follow_threads is still on after turning it off")
	}
	if c.view(c.instr, thread, "").Thread.Subscribed {
		t.Error("the instructor's thread view says she still follows the thread")
	}
	for _, u := range everyone {
		c.readNotifications(u)
	}
	c.reply(c.bob, thread, 0, "Tuesday?")
	wantCounts(t, "the instructor turned following off", c.counts(everyone...),
		map[string]int{"Ann reply": 2, "Ines Instructor reply": 1, "Tom Assistant reply": 2})

	// Her own choice about one thread still counts.
	if r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("subscribe: %d", r.Status)
	}
	for _, u := range everyone {
		c.readNotifications(u)
	}
	c.reply(c.bob, thread, 0, "Or Wednesday")
	wantCounts(t, "the instructor subscribed to the thread", c.counts(everyone...),
		map[string]int{"Ann reply": 3, "Ines Instructor reply": 2, "Tom Assistant reply": 3})

	// A TA who unsubscribes from a thread stops hearing of it, and one
	// who stops being staff stops following.
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("unsubscribe: %d", r.Status)
	}
	for _, u := range everyone {
		c.readNotifications(u)
	}
	c.reply(c.bob, thread, 0, "Wednesday then")
	wantCounts(t, "the TA unsubscribed", c.counts(everyone...),
		map[string]int{"Ann reply": 4, "Ines Instructor reply": 3, "Tom Assistant reply": 3})
}

func TestSomeoneWhoBecomesStaffFollowsTheThreadsThatAlreadyExist(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Early thread", "Hello")
	c.env.Enroll(c.ed, c.course)
	c.reply(c.bob, thread, 0, "Hi")
	wantCounts(t, "a reply while Ed is a student", c.counts(c.ed), map[string]int{})

	c.env.SetRole(c.instr, c.course, c.ed, "ta")
	c.reply(c.bob, thread, 0, "Hi again")
	wantCounts(t, "a reply once Ed is a TA", c.counts(c.ed), map[string]int{"Ed Outsider reply": 1})

	c.readNotifications(c.ed)
	c.env.SetRole(c.instr, c.course, c.ed, "student")
	c.reply(c.bob, thread, 0, "And again")
	wantCounts(t, "a reply once Ed is a student again", c.counts(c.ed), map[string]int{"Ed Outsider reply": 1})
}

func TestDiscussionSettingsAreStaffOnlyAndCheckTheirBody(t *testing.T) {
	c := newClass(t)
	settings := fmt.Sprintf("/api/v1/courses/%d/discussion-settings", c.course)
	for _, tc := range []struct {
		name   string
		u      pacertest.User
		method string
		body   any
		want   int
	}{
		{"an outsider gets 404", c.ed, "GET", nil, 404},
		{"an outsider's change gets 404", c.ed, "PUT", map[string]any{"follow_threads": false}, 404},
		{"a student gets 403", c.ann, "GET", nil, 403},
		{"a student's change gets 403", c.ann, "PUT", map[string]any{"follow_threads": false}, 403},
		{"a TA reads hers", c.ta, "GET", nil, 200},
		{"an empty change is 400", c.ta, "PUT", map[string]any{}, 400},
		{"an unknown field is 400", c.ta, "PUT", map[string]any{"follow": false}, 400},
		{"a wrong type is 400", c.ta, "PUT", map[string]any{"follow_threads": "no"}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := c.env.Do(tc.method, settings, tc.u.Token, tc.body); r.Status != tc.want {
				t.Fatalf("%s: %d %s, want %d", tc.method, r.Status, r.Body, tc.want)
			}
		})
	}
	if r := c.env.Do("GET", "/api/v1/courses/999999/discussion-settings", c.instr.Token, nil); r.Status != 404 {
		t.Fatalf("unknown course: %d", r.Status)
	}
}
