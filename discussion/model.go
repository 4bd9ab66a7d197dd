// Package discussion owns a course's boards, threads and posts: Markdown
// bodies rendered once at write time, replies nested three levels deep,
// Q&A boards where a student sees other people's replies only after posting
// one, moderation (pin, lock, delete, endorse, reports), subscriptions with
// reply and mention notifications, per-user read state, and search through
// an inverted index kept in the same transaction as the posts.
//
// Every route derives the course from the stored object (post → thread →
// board → course) and answers 404 to anyone who is not a member of it.
package discussion

import "time"

// Board modes.
const (
	ModeDiscussion = "discussion"
	ModeQA         = "qa"
)

// Board kinds: the general board every course has, boards staff create, and
// the board that holds the threads of discussion items.
const (
	KindGeneral = "general"
	KindCustom  = "custom"
	KindItems   = "items"
)

// generalTitle is the title of the general board every course gets.
const generalTitle = "General"

// Report statuses for the queue filter.
const (
	ReportsOpen     = "open"
	ReportsResolved = "resolved"
	ReportsAll      = "all"
)

// maxDepth is the deepest a reply nests; a reply to a post at this depth
// attaches to that post's parent instead.
const maxDepth = 3

// Limits on user input.
const (
	maxBody    = 50_000
	maxReason  = 1_000
	maxQuery   = 256
	maxTerms   = 16
	snippetLen = 200
)

// BoardRecord is a stored board.
type BoardRecord struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	Title     string    `json:"title"`
	Mode      string    `json:"mode"`
	Kind      string    `json:"kind"`
	CreatedBy uint64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ThreadRecord is a stored thread. LastPostID orders the board's thread list:
// within a thread, post ids grow in commit order (see Service.Thread), so
// it is the thread's last activity without ties.
type ThreadRecord struct {
	ID             uint64    `json:"id"`
	CourseID       uint64    `json:"course_id"`
	BoardID        uint64    `json:"board_id"`
	ItemID         uint64    `json:"item_id,omitempty"`
	Title          string    `json:"title"`
	AuthorID       uint64    `json:"author_id"`
	OpeningPostID  uint64    `json:"opening_post_id"`
	AnswerPostID   uint64    `json:"answer_post_id,omitempty"`
	LastPostID     uint64    `json:"last_post_id"`
	Pinned         bool      `json:"pinned,omitempty"`
	Locked         bool      `json:"locked,omitempty"`
	ReplyCount     int       `json:"reply_count"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
	// Rev counts the writes of the record. Every change of a post of the
	// thread (a reply, an edit, a deletion, an endorsement) writes it, so
	// that an unchanged thread record means unchanged posts (see
	// threadCache).
	Rev uint64 `json:"rev,omitempty"`
}

// PostRecord is a stored post. The Markdown source lives apart (PostSources),
// so that reading a page of posts decodes only what the page shows.
type PostRecord struct {
	ID        uint64     `json:"id"`
	CourseID  uint64     `json:"course_id"`
	ThreadID  uint64     `json:"thread_id"`
	ParentID  uint64     `json:"parent_id,omitempty"`
	Depth     int        `json:"depth,omitempty"`
	AuthorID  uint64     `json:"author_id"`
	BodyHTML  string     `json:"body_html,omitempty"`
	Snippet   string     `json:"snippet,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	Endorsed  bool       `json:"endorsed,omitempty"`
	Deleted   bool       `json:"deleted,omitempty"`
	// Mentioned are the members already notified of a mention here, so that
	// an edit notifies only people newly mentioned.
	Mentioned []uint64 `json:"mentioned,omitempty"`
}

// ReportRecord is a stored report of a post.
type ReportRecord struct {
	ID         uint64     `json:"id"`
	CourseID   uint64     `json:"course_id"`
	ThreadID   uint64     `json:"thread_id"`
	PostID     uint64     `json:"post_id"`
	ReporterID uint64     `json:"reporter_id"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedBy uint64     `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Author is who wrote something, with their current role in the course
// ("" once they have left it).
type Author struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Board is a board as the API shows it.
type Board struct {
	ID          uint64    `json:"id"`
	CourseID    uint64    `json:"course_id"`
	Title       string    `json:"title"`
	Mode        string    `json:"mode"`
	Kind        string    `json:"kind"`
	ThreadCount int       `json:"thread_count"`
	CreatedAt   time.Time `json:"created_at"`
}

// Thread is a thread as one caller sees it. UnreadCount and LastReadPostID
// are the caller's read state before this answer; RepliesHidden says that a
// Q&A board hides other people's replies until the caller posts one.
type Thread struct {
	ID             uint64    `json:"id"`
	CourseID       uint64    `json:"course_id"`
	BoardID        uint64    `json:"board_id"`
	ItemID         uint64    `json:"item_id,omitempty"`
	Mode           string    `json:"mode"`
	Title          string    `json:"title"`
	Author         Author    `json:"author"`
	Pinned         bool      `json:"pinned"`
	Locked         bool      `json:"locked"`
	Answered       bool      `json:"answered"`
	AnswerPostID   uint64    `json:"answer_post_id"`
	ReplyCount     int       `json:"reply_count"`
	UnreadCount    int       `json:"unread_count"`
	LastReadPostID uint64    `json:"last_read_post_id"`
	Subscribed     bool      `json:"subscribed"`
	RepliesHidden  bool      `json:"replies_hidden"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
}

// Post is a post as the API shows it. A deleted post keeps its place with
// no body.
type Post struct {
	ID        uint64     `json:"id"`
	CourseID  uint64     `json:"course_id"`
	ThreadID  uint64     `json:"thread_id"`
	ParentID  uint64     `json:"parent_id"`
	Depth     int        `json:"depth"`
	Author    Author     `json:"author"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at"`
	Endorsed  bool       `json:"endorsed"`
	Answer    bool       `json:"answer"`
	Deleted   bool       `json:"deleted"`
	CanEdit   bool       `json:"can_edit"`
}

// ThreadPage is a thread with one page of its posts, oldest first.
type ThreadPage struct {
	Thread     Thread `json:"thread"`
	Items      []Post `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// ThreadList is one page of a board's threads, pinned first, then by last
// activity.
type ThreadList struct {
	Board      Board    `json:"board"`
	Items      []Thread `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// Report is a report as the staff queue shows it.
type Report struct {
	ID          uint64     `json:"id"`
	CourseID    uint64     `json:"course_id"`
	ThreadID    uint64     `json:"thread_id"`
	ThreadTitle string     `json:"thread_title"`
	PostID      uint64     `json:"post_id"`
	PostAuthor  Author     `json:"post_author"`
	PostSnippet string     `json:"post_snippet"`
	PostDeleted bool       `json:"post_deleted"`
	Reporter    Author     `json:"reporter"`
	Reason      string     `json:"reason"`
	CreatedAt   time.Time  `json:"created_at"`
	Resolved    bool       `json:"resolved"`
	ResolvedAt  *time.Time `json:"resolved_at"`
}

// ReportList is one page of the report queue.
type ReportList struct {
	Items      []Report `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// Hit is one search result: a post and its thread.
type Hit struct {
	ThreadID uint64 `json:"thread_id"`
	PostID   uint64 `json:"post_id"`
	BoardID  uint64 `json:"board_id"`
	Title    string `json:"title"`
	Snippet  string `json:"snippet"`
}

// Hits is one page of search results, newest post first.
type Hits struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// BoardInput is the body of board creation.
type BoardInput struct {
	Title *string `json:"title"`
	Mode  *string `json:"mode"`
}

// ThreadInput is the body of thread creation.
type ThreadInput struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

// ReplyInput is the body of a reply.
type ReplyInput struct {
	Body     *string `json:"body"`
	ParentID uint64  `json:"parent_id"`
}

// EditInput is the body of a post edit.
type EditInput struct {
	Body *string `json:"body"`
}

// AnswerInput names the reply that answers a thread.
type AnswerInput struct {
	PostID uint64 `json:"post_id"`
}

// ReportInput is the body of a report.
type ReportInput struct {
	Reason *string `json:"reason"`
}
