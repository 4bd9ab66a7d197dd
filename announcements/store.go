package announcements

import (
	"context"
	"time"
)

// Record is an announcement as it is kept: the rendered body is stored with
// the source, so a read never renders again.
type Record struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	AuthorID  uint64    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Store keeps a course's announcements. An engine implements it (the
// bbolt one is storage/bolt.Announcements); storetest.Run is the contract
// every implementation passes. Each method joins the transaction ctx
// carries (txn.Runner), or runs in its own.
type Store interface {
	// Add stores r under a new id, larger than every id given before, and
	// returns it with that id.
	Add(ctx context.Context, r Record) (Record, error)
	// Newest lists a course's announcements newest first: those with an id
	// below before (every one when before is 0), at most limit of them.
	// more says whether older ones remain past the last.
	Newest(ctx context.Context, course, before uint64, limit int) (items []Record, more bool, err error)
	// DeleteCourse removes every announcement of a course.
	DeleteCourse(ctx context.Context, course uint64) error
}
