package migrate_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sort"
	"testing"
	"time"

	"pacer/discussion"
	"pacer/errs"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// discussionAt is the test's clock: UTC, whole microseconds, as PostgreSQL
// keeps instants.
var discussionAt = time.Date(2027, 3, 1, 10, 30, 0, 123456000, time.UTC)

func discussionTime(minutes int) time.Time {
	return discussionAt.Add(time.Duration(minutes) * time.Minute)
}

func discussionTimePtr(minutes int) *time.Time { t := discussionTime(minutes); return &t }

// discussionFill writes varied discussions through the bbolt store and
// returns the words it indexed per course, for the searches to ask.
func discussionFill(t *testing.T, s discussion.Store) map[uint64][]string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	board := func(course uint64, title, mode, kind string) discussion.BoardRecord {
		b, err := s.AddBoard(ctx, discussion.BoardRecord{CourseID: course, Title: title, Mode: mode, Kind: kind, CreatedBy: 9, CreatedAt: discussionTime(0)})
		must(err)
		return b
	}
	general := board(1, "General", discussion.ModeDiscussion, discussion.KindGeneral)
	qa := board(1, "Questions — Fragen · 質問", discussion.ModeQA, discussion.KindCustom)
	items := board(1, "Items", discussion.ModeDiscussion, discussion.KindItems)
	other := board(2, "Général", discussion.ModeDiscussion, discussion.KindGeneral)
	// A course whose boards went away leaves a gap in the board ids.
	board(4, "gone", discussion.ModeDiscussion, discussion.KindGeneral)
	must(s.DeleteCourseBoards(ctx, 4))
	renamed := qa
	renamed.Title = "Q&A \"renamed\" ✓"
	must(s.PutBoard(ctx, renamed))

	thread := func(b discussion.BoardRecord, author uint64, title, source string, minute int, edit func(*discussion.ThreadRecord)) (discussion.ThreadRecord, discussion.PostRecord) {
		tr := discussion.ThreadRecord{CourseID: b.CourseID, BoardID: b.ID, Title: title, AuthorID: author,
			CreatedAt: discussionTime(minute), LastActivityAt: discussionTime(minute)}
		if edit != nil {
			edit(&tr)
		}
		th, p, err := s.AddThread(ctx, tr, discussion.PostRecord{CourseID: b.CourseID, AuthorID: author, BodyHTML: "<p>" + source + "</p>",
			Snippet: source, CreatedAt: discussionTime(minute)}, source)
		must(err)
		return th, p
	}
	reply := func(th *discussion.ThreadRecord, parent discussion.PostRecord, author uint64, source string, minute int, edit func(*discussion.PostRecord)) discussion.PostRecord {
		id, err := s.NewPostID(ctx)
		must(err)
		p := discussion.PostRecord{ID: id, CourseID: th.CourseID, ThreadID: th.ID, ParentID: parent.ID, Depth: parent.Depth + 1,
			AuthorID: author, BodyHTML: "<p>" + source + "</p>", Snippet: source, CreatedAt: discussionTime(minute)}
		if edit != nil {
			edit(&p)
		}
		must(s.SavePost(ctx, p, source))
		old := *th
		th.LastPostID, th.ReplyCount, th.LastActivityAt, th.Rev = id, th.ReplyCount+1, discussionTime(minute), th.Rev+1
		must(s.SaveThread(ctx, old, *th))
		must(s.AddParticipant(ctx, th.ID, author))
		must(s.QueueReply(ctx, th.ID, id))
		return p
	}

	t1, p1 := thread(general, 7, "Welcome ✓", "Hello **world**, café 日本語", 1, nil)
	r1 := reply(&t1, p1, 8, "A reply with an ' apostrophe and a \\ backslash", 2, nil)
	r2 := reply(&t1, r1, 9, "", 3, nil) // an empty source is kept as such
	r3 := reply(&t1, r2, 7, "nested deeper", 4, func(p *discussion.PostRecord) {
		p.EditedAt, p.Endorsed, p.Mentioned = discussionTimePtr(5), true, []uint64{8, 9}
	})
	// A deleted post keeps no source.
	reply(&t1, p1, 10, "removed words", 6, func(p *discussion.PostRecord) { p.Deleted, p.BodyHTML, p.Snippet = true, "", "" })
	// Mentions remembered through UpdatePost, which leaves the source.
	p1.Mentioned = []uint64{9}
	must(s.UpdatePost(ctx, p1))

	t2, p2 := thread(general, 8, "Pinned and locked", "rules of the course", 10, func(tr *discussion.ThreadRecord) { tr.Pinned, tr.Locked = true, true })
	old := t2
	t2.Rev = 3
	must(s.SaveThread(ctx, old, t2))

	t3, p3 := thread(qa, 11, "How do I 'quote'?", "question about quoting", 20, nil)
	a3 := reply(&t3, p3, 9, "the answer", 21, nil)
	old = t3
	t3.AnswerPostID, t3.Rev = a3.ID, t3.Rev+1
	must(s.SaveThread(ctx, old, t3))

	t4, _ := thread(items, 7, "Item talk", "about the item", 30, func(tr *discussion.ThreadRecord) { tr.ItemID = 42 })

	// A thread deleted with everything hanging off it leaves gaps in the
	// thread, post and report ids.
	t5, p5 := thread(general, 12, "Spam", "buy now", 40, nil)
	reply(&t5, p5, 13, "spam reply", 41, nil)
	must(s.AddParticipant(ctx, t5.ID, 12))
	must(s.SetSubscription(ctx, t5.ID, 12, discussion.Subscription{State: discussion.SubOn}))
	must(s.MoveReadMarks(ctx, []discussion.ReadMark{{Thread: t5.ID, User: 12, Post: p5.ID}}))
	_, err := s.AddReport(ctx, discussion.ReportRecord{CourseID: 1, ThreadID: t5.ID, PostID: p5.ID, ReporterID: 7, Reason: "spam", CreatedAt: discussionTime(42)})
	must(err)
	must(s.DeleteThread(ctx, t5))

	t6, p6 := thread(other, 20, "Ünïcödé thread", "Straße ÉCOLE foo-bar", 50, nil)
	reply(&t6, p6, 21, "more Straße", 51, nil)

	// Readers.
	must(s.AddParticipant(ctx, t1.ID, 8)) // already there: one entry
	must(s.SetSubscription(ctx, t1.ID, 7, discussion.Subscription{State: discussion.SubOn, Notification: 555}))
	must(s.SetSubscription(ctx, t1.ID, 8, discussion.Subscription{State: discussion.SubOff}))
	must(s.SetSubscription(ctx, t1.ID, 9, discussion.Subscription{State: discussion.SubFollowed, Notification: 1 << 40}))
	must(s.SetSubscription(ctx, t1.ID, 10, discussion.Subscription{State: discussion.SubOn}))
	must(s.SetSubscription(ctx, t1.ID, 10, discussion.Subscription{State: discussion.SubNone})) // removed
	must(s.SetSubscription(ctx, t3.ID, 11, discussion.Subscription{State: discussion.SubOn}))
	must(s.MoveReadMarks(ctx, []discussion.ReadMark{
		{Thread: t1.ID, User: 7, Post: r3.ID}, {Thread: t1.ID, User: 8, Post: r1.ID}, {Thread: t3.ID, User: 9, Post: p3.ID},
		{Thread: t6.ID, User: 21, Post: p6.ID},
	}))
	must(s.MoveReadMarks(ctx, []discussion.ReadMark{{Thread: t1.ID, User: 8, Post: p1.ID}})) // never back
	must(s.SetFollows(ctx, 1, 9, false))
	must(s.SetFollows(ctx, 2, 20, false))
	must(s.SetFollows(ctx, 1, 7, false))
	must(s.SetFollows(ctx, 1, 7, true)) // on again: no entry

	// Reports: open, resolved, and one resolved then saved again.
	rep := func(th discussion.ThreadRecord, post, reporter uint64, reason string, minute int) discussion.ReportRecord {
		r, err := s.AddReport(ctx, discussion.ReportRecord{CourseID: th.CourseID, ThreadID: th.ID, PostID: post, ReporterID: reporter,
			Reason: reason, CreatedAt: discussionTime(minute)})
		must(err)
		return r
	}
	rep(t1, r1.ID, 9, "rude ☹", 60)
	res := rep(t1, r2.ID, 7, "off topic", 61)
	resolved := res
	resolved.ResolvedBy, resolved.ResolvedAt = 1, discussionTimePtr(62)
	must(s.SaveReport(ctx, res, resolved))
	rep(t3, a3.ID, 11, "wrong", 63)
	rep(t6, p6.ID, 21, "", 64)

	// Search postings: every word of each post, some taken out again.
	words := map[uint64][]string{}
	var ps []discussion.Posting
	index := func(course, thread, post uint64, text string) {
		for _, w := range discussion.Terms(text) {
			ps = append(ps, discussion.Posting{Course: course, Term: w, Post: post, Thread: thread})
			words[course] = append(words[course], w)
		}
	}
	index(1, t1.ID, p1.ID, "Welcome ✓ Hello world, café 日本語")
	index(1, t1.ID, r1.ID, "A reply with an ' apostrophe and a \\ backslash o'neil world")
	index(1, t1.ID, r3.ID, "nested deeper world café")
	index(1, t2.ID, p2.ID, "Pinned and locked rules of the course")
	index(1, t3.ID, p3.ID, "How do I 'quote'? question about quoting")
	index(1, t3.ID, a3.ID, "the answer world")
	index(1, t4.ID, t4.OpeningPostID, "Item talk about the item")
	index(2, t6.ID, p6.ID, "Ünïcödé thread Straße ÉCOLE foo-bar world")
	must(s.AddPostings(ctx, ps))
	must(s.RemovePostings(ctx, []discussion.Posting{{Course: 1, Term: "deeper", Post: r3.ID, Thread: t1.ID},
		{Course: 1, Term: "missing", Post: 999, Thread: 1}}))

	// The queue: one delivered, the others still queued.
	must(s.DropQueued(ctx, []discussion.QueuedReply{{Thread: t1.ID, Post: r1.ID}}))
	return words
}

// discussionAnswers reads everything a store answers about the filled
// data, each answer under a name, so that two stores can be compared
// answer by answer.
func discussionAnswers(t *testing.T, s discussion.Store, words map[uint64][]string) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	put := func(name string, v any, err error) {
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				out[name] = "not found"
				return
			}
			t.Fatalf("%s: %v", name, err)
		}
		if pair, ok := v.([2]any); ok {
			v = [2]any{discussionNoEmpty(pair[0]), pair[1]}
		}
		out[name] = discussionNoEmpty(v)
	}
	const maxID = 12 // past every id the fill gives
	users := []uint64{0, 7, 8, 9, 10, 11, 12, 13, 20, 21}
	for course := uint64(0); course <= 5; course++ {
		bs, err := s.CourseBoards(ctx, course)
		put(fmt.Sprintf("CourseBoards(%d)", course), bs, err)
		for _, u := range users {
			f, err := s.Follows(ctx, course, u)
			put(fmt.Sprintf("Follows(%d,%d)", course, u), f, err)
		}
		for _, status := range []string{discussion.ReportsOpen, discussion.ReportsResolved, discussion.ReportsAll} {
			var after *discussion.ReportPlace
			for page := 0; ; page++ {
				items, more, err := s.CourseReports(ctx, course, status, after, 1)
				put(fmt.Sprintf("CourseReports(%d,%s,%d)", course, status, page), [2]any{items, more}, err)
				if !more || len(items) == 0 {
					break
				}
				last := items[len(items)-1].Report
				after = &discussion.ReportPlace{Resolved: last.ResolvedAt != nil, ID: last.ID}
			}
			all, more, err := s.CourseReports(ctx, course, status, nil, 100)
			put(fmt.Sprintf("CourseReports(%d,%s,all)", course, status), [2]any{all, more}, err)
		}
	}
	for id := uint64(0); id <= maxID; id++ {
		b, err := s.Board(ctx, id)
		put(fmt.Sprintf("Board(%d)", id), b, err)
		n, err := s.CountThreads(ctx, id)
		put(fmt.Sprintf("CountThreads(%d)", id), n, err)
		ts, err := s.BoardThreads(ctx, id)
		put(fmt.Sprintf("BoardThreads(%d)", id), ts, err)
		var after *discussion.ThreadPlace
		for page := 0; ; page++ {
			items, more, err := s.BoardThreadsPage(ctx, id, after, 1, func(discussion.ThreadRecord) (bool, error) { return true, nil })
			put(fmt.Sprintf("BoardThreadsPage(%d,%d)", id, page), [2]any{items, more}, err)
			if !more || len(items) == 0 {
				break
			}
			p := discussion.PlaceOf(items[len(items)-1])
			after = &p
		}
		odd, more, err := s.BoardThreadsPage(ctx, id, nil, 5, func(t discussion.ThreadRecord) (bool, error) { return t.ID%2 == 1, nil })
		put(fmt.Sprintf("BoardThreadsPage(%d,odd)", id), [2]any{odd, more}, err)
	}
	for id := uint64(0); id <= maxID; id++ {
		th, err := s.Thread(ctx, id)
		put(fmt.Sprintf("Thread(%d)", id), th, err)
		all, complete, err := s.ThreadPosts(ctx, id, 0)
		put(fmt.Sprintf("ThreadPosts(%d,0)", id), [2]any{all, complete}, err)
		two, complete, err := s.ThreadPosts(ctx, id, 2)
		put(fmt.Sprintf("ThreadPosts(%d,2)", id), [2]any{two, complete}, err)
		for _, after := range []uint64{0, 3, 5} {
			page, more, err := s.PostsAfter(ctx, id, after, 2, func(_, author uint64) bool { return author != 8 })
			put(fmt.Sprintf("PostsAfter(%d,%d)", id, after), [2]any{page, more}, err)
		}
		subs, err := s.Subscribers(ctx, []uint64{id})
		put(fmt.Sprintf("Subscribers(%d)", id), subs[id], err)
		for _, u := range users {
			ok, err := s.Participant(ctx, id, u)
			put(fmt.Sprintf("Participant(%d,%d)", id, u), ok, err)
			m, err := s.ReadMark(ctx, id, u)
			put(fmt.Sprintf("ReadMark(%d,%d)", id, u), m, err)
			sub, err := s.Subscription(ctx, id, u)
			put(fmt.Sprintf("Subscription(%d,%d)", id, u), sub, err)
			if th.ID != 0 {
				for _, after := range []uint64{0, th.OpeningPostID} {
					for _, seeAll := range []bool{false, true} {
						n, err := s.CountUnread(ctx, th, u, after, seeAll)
						put(fmt.Sprintf("CountUnread(%d,%d,%d,%v)", id, u, after, seeAll), n, err)
					}
				}
			}
		}
	}
	var ids []uint64
	for id := uint64(0); id <= 2*maxID; id++ {
		ids = append(ids, id)
		p, err := s.Post(ctx, id)
		put(fmt.Sprintf("Post(%d)", id), p, err)
		src, err := s.PostSource(ctx, id)
		put(fmt.Sprintf("PostSource(%d)", id), src, err)
		r, err := s.Report(ctx, id)
		put(fmt.Sprintf("Report(%d)", id), r, err)
		for _, u := range users {
			ok, err := s.Reported(ctx, id, u)
			put(fmt.Sprintf("Reported(%d,%d)", id, u), ok, err)
		}
	}
	posts, err := s.Posts(ctx, ids)
	put("Posts(all)", posts, err)
	none, err := s.Posts(ctx, nil)
	put("Posts(none)", none, err)

	// Every word alone, every pair of words of a course, and each resumed
	// below the newest match: the same posts, in the same order.
	match := func(course uint64, terms []string, before uint64) []discussion.QueuedReply {
		var got []discussion.QueuedReply
		_, err := s.Match(ctx, course, terms, before, func(thread, post uint64) (bool, error) {
			got = append(got, discussion.QueuedReply{Thread: thread, Post: post})
			return false, nil
		})
		if err != nil {
			t.Fatalf("Match(%d,%q,%d): %v", course, terms, before, err)
		}
		return got
	}
	for course := uint64(0); course <= 3; course++ {
		ws := append([]string{"missing", "worl", "world"}, words[course]...)
		for i, a := range ws {
			got := match(course, []string{a}, 0)
			put(fmt.Sprintf("Match(%d,%q)", course, a), got, nil)
			if len(got) > 0 {
				put(fmt.Sprintf("Match(%d,%q,below)", course, a), match(course, []string{a}, got[0].Post), nil)
			}
			for _, b := range ws[i+1:] {
				put(fmt.Sprintf("Match(%d,%q,%q)", course, a, b), match(course, []string{a, b}, 0), nil)
			}
		}
	}

	for _, limit := range []int{0, 1, 2, 100} {
		q, more, err := s.QueuedReplies(ctx, limit)
		put(fmt.Sprintf("QueuedReplies(%d)", limit), [2]any{q, more}, err)
	}
	n, err := s.CountQueued(ctx)
	put("CountQueued", n, err)
	return out
}

// discussionNoEmpty makes an empty list nil: an empty list is an empty
// list, whichever way a store makes it.
func discussionNoEmpty(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Len() == 0 {
		return nil
	}
	return v
}

func TestDiscussionCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	pg := pgtest.Open(t)
	from, to := bolt.NewDiscussion(db), postgres.NewDiscussion(pg)
	words := discussionFill(t, from)
	// Subscription entries as older builds wrote them: a state byte alone
	// (before reply notifications were remembered), and a state byte this
	// build does not know, which reads as opted out.
	err := db.Update(func(tx *storage.Tx) error {
		if err := tx.PutRaw(storage.Subscriptions, storage.Key(1, 13), []byte{1}); err != nil {
			return err
		}
		return tx.PutRaw(storage.Subscriptions, storage.Key(3, 12), []byte{7})
	})
	if err != nil {
		t.Fatal(err)
	}

	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "discussion", From: from, To: to}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// Every kind had records to copy (the fill covers them all).
	for _, kind := range []string{"boards", "threads", "posts", "participants", "subscriptions", "read_marks", "follows_off",
		"reports", "search", "reply_queue"} {
		if rep.Copied["discussion/discussion_"+kind] == 0 {
			t.Errorf("no %s copied: %v", kind, rep.Copied)
		}
	}

	want, got := discussionAnswers(t, from, words), discussionAnswers(t, to, words)
	var names []string
	for name := range want {
		names = append(names, name)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	t.Logf("%d answers compared", len(names))
	for _, name := range names {
		if !reflect.DeepEqual(want[name], got[name]) {
			t.Errorf("%s:\nbbolt      %+v\npostgresql %+v", name, want[name], got[name])
		}
	}

	// The words the searches asked are there, each search found something.
	if m, _ := want[`Match(1,"world")`].([]discussion.QueuedReply); len(m) < 3 {
		t.Fatalf("the fill indexed too little: %v", m)
	}

	// A kind the store does not know, or a record of the wrong type, is
	// an error.
	for _, c := range []struct {
		kind string
		rec  any
	}{{"discussion_nothing", discussion.BoardRecord{}}, {"discussion_boards", discussion.ThreadRecord{}},
		{"discussion_posts", discussion.PostRecord{}}, {"discussion_search", &discussion.Posting{}}} {
		err := pg.Write(ctx, func(ctx context.Context) error { return to.Import(ctx, c.kind, c.rec) })
		if err == nil {
			t.Errorf("Import(%s, %T) took it", c.kind, c.rec)
		}
	}

	// Records added through PostgreSQL after the copy get ids past the
	// copied ones.
	maxID := func(table string) uint64 {
		t.Helper()
		var n uint64
		if err := pg.Pool().QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("nothing copied into %s", table)
		}
		return n
	}
	boards, threads, posts, reports := maxID("discussion_boards"), maxID("discussion_threads"), maxID("discussion_posts"), maxID("discussion_reports")
	b, err := to.AddBoard(ctx, discussion.BoardRecord{CourseID: 3, Title: "new", Mode: discussion.ModeDiscussion, Kind: discussion.KindGeneral, CreatedAt: discussionTime(90)})
	if err != nil || b.ID <= boards {
		t.Fatalf("new board %d after %d copied: %v", b.ID, boards, err)
	}
	th, p, err := to.AddThread(ctx, discussion.ThreadRecord{CourseID: 3, BoardID: b.ID, Title: "new", AuthorID: 7, CreatedAt: discussionTime(91)},
		discussion.PostRecord{CourseID: 3, AuthorID: 7, CreatedAt: discussionTime(91)}, "new")
	if err != nil || th.ID <= threads || p.ID <= posts {
		t.Fatalf("new thread %d, post %d after %d, %d copied: %v", th.ID, p.ID, threads, posts, err)
	}
	if id, err := to.NewPostID(ctx); err != nil || id <= p.ID {
		t.Fatalf("new post id %d after %d: %v", id, p.ID, err)
	}
	r, err := to.AddReport(ctx, discussion.ReportRecord{CourseID: 3, ThreadID: th.ID, PostID: p.ID, ReporterID: 8, Reason: "new", CreatedAt: discussionTime(92)})
	if err != nil || r.ID <= reports {
		t.Fatalf("new report %d after %d copied: %v", r.ID, reports, err)
	}
	// The queue's own ids moved on too: a new reply queues beside the
	// copied ones.
	before, err := to.CountQueued(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := to.QueueReply(ctx, th.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if after, err := to.CountQueued(ctx); err != nil || after != before+1 {
		t.Fatalf("queued %d after %d: %v", after, before, err)
	}
	// The new post's words are searched beside the copied ones.
	if err := to.AddPostings(ctx, []discussion.Posting{{Course: 1, Term: "world", Post: p.ID, Thread: th.ID}}); err != nil {
		t.Fatal(err)
	}
	var first uint64
	if _, err := to.Match(ctx, 1, []string{"world"}, 0, func(_, post uint64) (bool, error) { first = post; return true, nil }); err != nil || first != p.ID {
		t.Fatalf("newest match %d, want %d: %v", first, p.ID, err)
	}
}
