package discussion_test

import (
	"fmt"
	"testing"

	"pacer/pacertest"
)

// A delivery reads its audience's memberships and Q&A participation for
// all the subscribers at once; who hears of a reply stays as before.
func TestInAQAThreadOnlyThoseWhoMaySeeAReplyHearOfIt(t *testing.T) {
	c := newClass(t)
	carl, dan := c.env.Register("Carl"), c.env.Register("Dan")
	c.env.Enroll(carl, c.course)
	c.env.Enroll(dan, c.course)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, carl, dan}
	thread, _ := c.thread(c.ann, c.qaBoard(), "Is the median the middle value", "?")
	// Bob and Dan subscribe without replying; Dan then leaves the course.
	for _, u := range []pacertest.User{c.bob, dan} {
		if r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), u.Token, nil); r.Status != 204 {
			t.Fatalf("subscribe: %d", r.Status)
		}
	}
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", c.course), dan.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}

	// A student's reply: the asker and the staff may see it; Bob, who has
	// not replied, may not, and Dan is no longer a member.
	c.reply(carl, thread, 0, "After sorting, yes")
	wantCounts(t, "Carl's reply", c.counts(everyone...),
		map[string]int{"Ann reply": 1, "Ines Instructor reply": 1, "Tom Assistant reply": 1})

	for _, u := range everyone {
		c.readNotifications(u)
	}
	// Carl replied, so he sees (and hears of) the TA's reply.
	c.reply(c.ta, thread, 0, "Right, and for an even count the mean of the two middle ones")
	wantCounts(t, "the TA's reply", c.counts(everyone...),
		map[string]int{"Ann reply": 2, "Ines Instructor reply": 2, "Tom Assistant reply": 1, "Carl reply": 1})
}

func TestSomeoneWhoLeftTheCourseHearsOfNoMoreReplies(t *testing.T) {
	c := newClass(t)
	dan := c.env.Register("Dan")
	c.env.Enroll(dan, c.course)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, dan}
	thread, _ := c.thread(c.ann, c.general, "Study group", "Who is in?")
	for _, u := range []pacertest.User{c.bob, dan} {
		if r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), u.Token, nil); r.Status != 204 {
			t.Fatalf("subscribe: %d", r.Status)
		}
	}
	c.reply(c.ta, thread, 0, "Me")
	wantCounts(t, "a reply", c.counts(everyone...),
		map[string]int{"Ann reply": 1, "Bob reply": 1, "Dan reply": 1, "Ines Instructor reply": 1})
	for _, u := range everyone {
		c.readNotifications(u)
	}
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", c.course), dan.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	c.reply(c.ann, thread, 0, "Tuesday?")
	wantCounts(t, "a reply after Dan left", c.counts(everyone...),
		map[string]int{"Ann reply": 1, "Bob reply": 2, "Dan reply": 1, "Ines Instructor reply": 2, "Tom Assistant reply": 1})
}
