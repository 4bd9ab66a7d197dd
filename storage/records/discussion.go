package records

import "pacer/discussion"

// DiscussionPost is a post with its Markdown source, which bbolt keeps
// apart from the record (post_sources). HasSource says whether a source
// is stored at all: a deleted post has none, while a post written with an
// empty body has an empty one.
type DiscussionPost struct {
	Post      discussion.PostRecord
	Source    string
	HasSource bool
}

// DiscussionParticipant is a user who has replied in a thread.
type DiscussionParticipant struct{ Thread, User uint64 }

// DiscussionSubscription is one user's subscription entry in a thread.
type DiscussionSubscription struct {
	Thread uint64
	discussion.Subscriber
}

// DiscussionFollowOff is a staff member who turned off following every
// thread of a course.
type DiscussionFollowOff struct{ Course, User uint64 }
