package storetest

import (
	"slices"
	"testing"

	"pacer/discussion"
)

func threadsAndPosts(t *testing.T, open Open) {
	s, _ := open(t)
	_, err := s.Thread(bg, 99)
	notFound(t, "Thread of a missing id", err)
	_, err = s.Post(bg, 99)
	notFound(t, "Post of a missing id", err)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "Hello")
	if th.ID == 0 || p.ID == 0 || th.OpeningPostID != p.ID || th.LastPostID != p.ID || p.ThreadID != th.ID {
		t.Fatalf("AddThread gave %+v and %+v: the ids must be set and linked", th, p)
	}
	if got := get[discussion.ThreadRecord](t)(s.Thread(bg, th.ID)); got != th {
		t.Errorf("Thread = %+v, want %+v", got, th)
	}
	got := get[discussion.PostRecord](t)(s.Post(bg, p.ID))
	if got.BodyHTML != p.BodyHTML || got.ThreadID != th.ID || got.AuthorID != 7 {
		t.Errorf("Post = %+v, want %+v", got, p)
	}
	if src := get[string](t)(s.PostSource(bg, p.ID)); src != "Hello source" {
		t.Errorf("PostSource = %q", src)
	}
	id1 := get[uint64](t)(s.NewPostID(bg))
	id2 := get[uint64](t)(s.NewPostID(bg))
	if !(p.ID < id1 && id1 < id2) {
		t.Errorf("NewPostID gave %d then %d after %d: ids must grow", id1, id2, p.ID)
	}
	// UpdatePost rewrites the record, and leaves the source.
	p.Endorsed, p.Mentioned = true, []uint64{4, 5}
	must(t, s.UpdatePost(bg, p))
	if got := get[discussion.PostRecord](t)(s.Post(bg, p.ID)); !got.Endorsed || !slices.Equal(got.Mentioned, p.Mentioned) {
		t.Errorf("after UpdatePost: %+v", got)
	}
	if src := get[string](t)(s.PostSource(bg, p.ID)); src != "Hello source" {
		t.Errorf("PostSource after UpdatePost = %q", src)
	}
	// A deleted post keeps no source.
	th, r := reply(t, s, th, 8)
	r.Deleted, r.BodyHTML = true, ""
	must(t, s.SavePost(bg, r, ""))
	if src := get[string](t)(s.PostSource(bg, r.ID)); src != "" {
		t.Errorf("PostSource of a deleted post = %q", src)
	}
	if got := get[discussion.PostRecord](t)(s.Post(bg, r.ID)); !got.Deleted {
		t.Errorf("Post after deletion = %+v", got)
	}
	// Posts reads the posts that exist, in id order.
	some := get[[]discussion.PostRecord](t)(s.Posts(bg, []uint64{p.ID, r.ID, r.ID + 1000}))
	if !slices.Equal(ids(some, postID), []uint64{p.ID, r.ID}) || !some[1].Deleted || !some[0].Endorsed {
		t.Errorf("Posts = %+v, want posts %d and %d as stored", some, p.ID, r.ID)
	}
	if none := get[[]discussion.PostRecord](t)(s.Posts(bg, nil)); len(none) != 0 {
		t.Errorf("Posts of no ids = %v", none)
	}
	// SaveThread keeps every field.
	nt := th
	nt.Locked, nt.AnswerPostID, nt.Rev = true, r.ID, th.Rev+1
	must(t, s.SaveThread(bg, th, nt))
	if got := get[discussion.ThreadRecord](t)(s.Thread(bg, th.ID)); got != nt {
		t.Errorf("Thread after SaveThread = %+v, want %+v", got, nt)
	}
}

func postPages(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "Long")
	other, _ := addThread(t, s, b, "Other")
	want := []uint64{p.ID}
	for i := range 6 {
		var r discussion.PostRecord
		th, r = reply(t, s, th, uint64(10+i%2))
		want = append(want, r.ID)
		other, _ = reply(t, s, other, 10)
	}
	posts, complete, err := s.ThreadPosts(bg, th.ID, 0)
	must(t, err)
	if !complete || !slices.Equal(ids(posts, postID), want) {
		t.Errorf("ThreadPosts = %v (complete %v), want %v", ids(posts, postID), complete, want)
	}
	if posts, complete, err := s.ThreadPosts(bg, th.ID, 7); err != nil || !complete || len(posts) != 7 {
		t.Errorf("ThreadPosts with room for all = %d posts, complete %v, %v", len(posts), complete, err)
	}
	if posts, complete, err := s.ThreadPosts(bg, th.ID, 6); err != nil || complete || len(posts) != 0 {
		t.Errorf("ThreadPosts of a thread too long = %d posts, complete %v, %v; want none and false", len(posts), complete, err)
	}
	everything := func(id, author uint64) bool { return true }
	var got []uint64
	after := uint64(0)
	for {
		page, more, err := s.PostsAfter(bg, th.ID, after, 3, everything)
		must(t, err)
		got = append(got, ids(page, postID)...)
		if !more {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("PostsAfter pages = %v, want %v", got, want)
	}
	// keep sees each post's author; more counts only kept posts.
	page, more, err := s.PostsAfter(bg, th.ID, 0, 3, func(id, author uint64) bool { return author == 11 })
	must(t, err)
	if more || len(page) != 3 {
		t.Errorf("PostsAfter of author 11 = %v, more %v; want their 3 replies and no more", ids(page, postID), more)
	}
	for _, p := range page {
		if p.AuthorID != 11 {
			t.Errorf("post %d by %d was kept", p.ID, p.AuthorID)
		}
	}
}

func unread(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "Q")
	th, r1 := reply(t, s, th, 8)
	th, _ = reply(t, s, th, 9)
	th, r3 := reply(t, s, th, 10)
	r3.Deleted = true
	must(t, s.SavePost(bg, r3, ""))
	for _, c := range []struct {
		name   string
		user   uint64
		after  uint64
		seeAll bool
		want   int
	}{
		{"nothing read", 20, 0, true, 3},
		{"the opening post read", 20, p.ID, true, 2},
		{"one's own posts left out", 8, 0, true, 2},
		{"only the opening post without seeing all", 20, 0, false, 1},
		{"nothing after the opening post without seeing all", 20, r1.ID, false, 0},
	} {
		if n := get[int](t)(s.CountUnread(bg, th, c.user, c.after, c.seeAll)); n != c.want {
			t.Errorf("%s: CountUnread = %d, want %d", c.name, n, c.want)
		}
	}
}

func deleteThread(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "Doomed")
	keep, _ := addThread(t, s, b, "Kept")
	th, r := reply(t, s, th, 8)
	must(t, s.AddParticipant(bg, th.ID, 8))
	must(t, s.SetSubscription(bg, th.ID, 8, discussion.Subscription{State: discussion.SubOn}))
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{{Thread: th.ID, User: 8, Post: r.ID}, {Thread: keep.ID, User: 8, Post: keep.OpeningPostID}}))
	gone := get[discussion.ReportRecord](t)(s.AddReport(bg, discussion.ReportRecord{CourseID: 1, ThreadID: th.ID, PostID: r.ID, ReporterID: 9, Reason: "x", CreatedAt: at}))
	kept := get[discussion.ReportRecord](t)(s.AddReport(bg, discussion.ReportRecord{CourseID: 1, ThreadID: keep.ID, PostID: keep.OpeningPostID, ReporterID: 9, Reason: "y", CreatedAt: at}))
	must(t, s.DeleteThread(bg, th))
	_, err := s.Thread(bg, th.ID)
	notFound(t, "Thread after DeleteThread", err)
	for _, id := range []uint64{p.ID, r.ID} {
		_, err := s.Post(bg, id)
		notFound(t, "Post after DeleteThread", err)
		if src := get[string](t)(s.PostSource(bg, id)); src != "" {
			t.Errorf("post %d keeps its source %q", id, src)
		}
	}
	if posts, _, _ := s.ThreadPosts(bg, th.ID, 0); len(posts) != 0 {
		t.Errorf("the thread's index keeps %v", ids(posts, postID))
	}
	if ok := get[bool](t)(s.Participant(bg, th.ID, 8)); ok {
		t.Error("the participant stays")
	}
	if subs := subscribersOf(t, s, th.ID); len(subs) != 0 {
		t.Errorf("subscribers stay: %v", subs)
	}
	if m := get[uint64](t)(s.ReadMark(bg, th.ID, 8)); m != 0 {
		t.Errorf("the read mark stays: %d", m)
	}
	_, err = s.Report(bg, gone.ID)
	notFound(t, "Report of a deleted thread", err)
	if ok := get[bool](t)(s.Reported(bg, r.ID, 9)); ok {
		t.Error("the reporter still counts as having reported the deleted post")
	}
	all, _, err := s.CourseReports(bg, 1, discussion.ReportsAll, nil, 10)
	must(t, err)
	if !slices.Equal(ids(all, reportID), []uint64{kept.ID}) {
		t.Errorf("the course's reports = %v, want only %d", ids(all, reportID), kept.ID)
	}
	if list := get[[]discussion.ThreadRecord](t)(s.BoardThreads(bg, b.ID)); !slices.Equal(ids(list, threadID), []uint64{keep.ID}) {
		t.Errorf("the board lists %v, want only %d", ids(list, threadID), keep.ID)
	}
	if m := get[uint64](t)(s.ReadMark(bg, keep.ID, 8)); m != keep.OpeningPostID {
		t.Errorf("another thread's read mark is %d", m)
	}
}

// threadSet: Threads reads the threads that exist among ids, in id order,
// each as Thread reads it.
func threadSet(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	a, _ := addThread(t, s, b, "A")
	c, _ := addThread(t, s, b, "C")
	if got := get[[]discussion.ThreadRecord](t)(s.Threads(bg, nil)); len(got) != 0 {
		t.Errorf("Threads of none = %v", got)
	}
	got := get[[]discussion.ThreadRecord](t)(s.Threads(bg, []uint64{c.ID, 999, a.ID, c.ID}))
	if len(got) != 2 || got[0] != get[discussion.ThreadRecord](t)(s.Thread(bg, a.ID)) || got[1] != get[discussion.ThreadRecord](t)(s.Thread(bg, c.ID)) {
		t.Errorf("Threads = %+v, want threads %d and %d as Thread reads them", got, a.ID, c.ID)
	}
}
