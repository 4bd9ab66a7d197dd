// Package storetest is the contract of discussion.Store: what every
// engine's implementation must do, checked the same way for each (the
// bbolt engine runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/discussion"
	"pacer/errs"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (discussion.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("boards", func(t *testing.T) { boards(t, open) })
	t.Run("a board's threads page in list order", func(t *testing.T) { threadPages(t, open) })
	t.Run("threads and their posts", func(t *testing.T) { threadsAndPosts(t, open) })
	t.Run("a thread is read with its board and its reader's state", func(t *testing.T) { readerThread(t, open) })
	t.Run("threads are read many at once", func(t *testing.T) { threadSet(t, open) })
	t.Run("the sources of a page's posts are read at once", func(t *testing.T) { postSources(t, open) })
	t.Run("a thread's posts page in id order", func(t *testing.T) { postPages(t, open) })
	t.Run("unread posts are counted from the index", func(t *testing.T) { unread(t, open) })
	t.Run("deleting a thread takes what hangs off it", func(t *testing.T) { deleteThread(t, open) })
	t.Run("deleting a course's boards", func(t *testing.T) { deleteBoards(t, open) })
	t.Run("participants, read marks and follow settings", func(t *testing.T) { readers(t, open) })
	t.Run("read marks and participants are read for many users at once", func(t *testing.T) { readerSets(t, open) })
	t.Run("staff's follow settings are read for many at once", func(t *testing.T) { following(t, open) })
	t.Run("subscriptions", func(t *testing.T) { subscriptions(t, open) })
	t.Run("reports", func(t *testing.T) { reports(t, open) })
	t.Run("the report queue pages by status", func(t *testing.T) { reportPages(t, open) })
	t.Run("search matches every term, newest first", func(t *testing.T) { search(t, open) })
	t.Run("the reply queue", func(t *testing.T) { queue(t, open) })
	t.Run("locked replies lose no update and draw post ids in the order they lock the thread", func(t *testing.T) { lockedToReply(t, open) })
	t.Run("locking work that needs more runs serializable", func(t *testing.T) { serialUpgrade(t, open) })
	t.Run("several users' subscriptions are stored at once", func(t *testing.T) { setSubscriptions(t, open) })
	t.Run("a replier is subscribed unless they opted out", func(t *testing.T) { subscribeReplier(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var at = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

var bg = context.Background()

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get fails the test on err and returns v.
func get[V any](t *testing.T) func(v V, err error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("%s: got %v, want not found", what, err)
	}
}

func addBoard(t *testing.T, s discussion.Store, course uint64, title string) discussion.BoardRecord {
	t.Helper()
	return get[discussion.BoardRecord](t)(s.AddBoard(bg, discussion.BoardRecord{CourseID: course, Title: title,
		Mode: discussion.ModeDiscussion, Kind: discussion.KindCustom, CreatedBy: 7, CreatedAt: at}))
}

// addThread stores a thread with its opening post on board b.
func addThread(t *testing.T, s discussion.Store, b discussion.BoardRecord, title string) (discussion.ThreadRecord, discussion.PostRecord) {
	t.Helper()
	th, p, err := s.AddThread(bg, discussion.ThreadRecord{CourseID: b.CourseID, BoardID: b.ID, Title: title, AuthorID: 7,
		CreatedAt: at, LastActivityAt: at},
		discussion.PostRecord{CourseID: b.CourseID, AuthorID: 7, BodyHTML: "<p>" + title + "</p>", Snippet: title, CreatedAt: at},
		title+" source")
	if err != nil {
		t.Fatal(err)
	}
	return th, p
}

// reply stores a reply by author in thread th and moves the thread's
// last post to it, as the service does; it returns the thread as saved.
func reply(t *testing.T, s discussion.Store, th discussion.ThreadRecord, author uint64) (discussion.ThreadRecord, discussion.PostRecord) {
	t.Helper()
	id := get[uint64](t)(s.NewPostID(bg))
	p := discussion.PostRecord{ID: id, CourseID: th.CourseID, ThreadID: th.ID, ParentID: th.OpeningPostID, Depth: 1,
		AuthorID: author, BodyHTML: "<p>reply</p>", Snippet: "reply", CreatedAt: at}
	must(t, s.SavePost(bg, p, "reply"))
	nt := th
	nt.ReplyCount++
	nt.LastPostID = id
	nt.Rev++
	must(t, s.SaveThread(bg, th, nt))
	return nt, p
}

func ids[R any](rs []R, id func(R) uint64) []uint64 {
	out := []uint64{}
	for _, r := range rs {
		out = append(out, id(r))
	}
	return out
}

func threadID(t discussion.ThreadRecord) uint64 { return t.ID }
func postID(p discussion.PostRecord) uint64     { return p.ID }
func boardID(b discussion.BoardRecord) uint64   { return b.ID }
func reportID(e discussion.ReportEntry) uint64  { return e.Report.ID }

var errAbort = errors.New("abort")
