package discussion_test

import (
	"testing"

	"pacer/pacertest"
)

// TestMentionsByNamesWithSpacesQuotedOrNot: a name with a space is
// mentioned as @Sam Student (the longest member name that matches) or
// quoted, @"Sam Student" (exactly that name).
func TestMentionsByNamesWithSpacesQuotedOrNot(t *testing.T) {
	c := newClass(t)
	sam := c.env.Register("Sam Student")
	samuel := c.env.Register("Sam")
	c.env.Enroll(sam, c.course)
	c.env.Enroll(samuel, c.course)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, sam, samuel}
	thread, _ := c.thread(c.ann, c.general, "Names", "Who is who?")

	// Unquoted, the longest member name wins: this is Sam Student, not Sam.
	// (The staff follow every thread of their course, so they are told of
	// each reply as the thread's author is.)
	c.reply(c.bob, thread, 0, "Over to @Sam Student, please.")
	wantCounts(t, "an unquoted name with a space", c.counts(everyone...), map[string]int{"Ann reply": 1, "Ines Instructor reply": 1, "Tom Assistant reply": 1, "Sam Student mention": 1})

	// Quoted (straight or curly quotes), the name is exactly what is
	// inside, whatever follows it; a quoted part of a name is nobody.
	c.reply(c.bob, thread, 0, `@"Sam Student"'s idea and @“tom assistant”, not @"Ines"`)
	wantCounts(t, "quoted names", c.counts(everyone...), map[string]int{"Ann reply": 1, "Ines Instructor reply": 1, "Tom Assistant reply": 1, "Sam Student mention": 2, "Tom Assistant mention": 1})
	c.reply(c.bob, thread, 0, `Thanks @"Sam"`)
	wantCounts(t, "a quoted short name", c.counts(everyone...), map[string]int{"Ann reply": 1, "Ines Instructor reply": 1, "Tom Assistant reply": 1, "Sam Student mention": 2, "Tom Assistant mention": 1, "Sam mention": 1})
}
