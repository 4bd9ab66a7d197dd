package postgres_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pacer/discussion"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// What the contract suite leaves to the engine: words outside ASCII or
// with characters tsquery quotes, pages whose filter turns down enough to
// make them read on, matches past one chunk, and the indexes the queries
// walk.

var pgAt = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

func pgBoard(t *testing.T, s *postgres.Discussion) discussion.BoardRecord {
	t.Helper()
	b, err := s.AddBoard(context.Background(), discussion.BoardRecord{CourseID: 1, Title: "B", Mode: discussion.ModeDiscussion,
		Kind: discussion.KindCustom, CreatedAt: pgAt})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pgThread(t *testing.T, s *postgres.Discussion, b discussion.BoardRecord) discussion.ThreadRecord {
	t.Helper()
	th, _, err := s.AddThread(context.Background(), discussion.ThreadRecord{CourseID: 1, BoardID: b.ID, Title: "T", AuthorID: 7, CreatedAt: pgAt},
		discussion.PostRecord{CourseID: 1, AuthorID: 7, CreatedAt: pgAt}, "src")
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func pgMatch(t *testing.T, s *postgres.Discussion, terms []string, before uint64) []uint64 {
	t.Helper()
	var got []uint64
	_, err := s.Match(context.Background(), 1, terms, before, func(thread, post uint64) (bool, error) {
		got = append(got, post)
		return false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDiscussionSearchWords(t *testing.T) {
	ctx := context.Background()
	s := postgres.NewDiscussion(pgtest.Open(t))
	text := map[uint64]string{
		1: "L'ÉCOLE naïve 日本語 foo-bar",
		2: "nai\u0308ve école", // a combining mark, as typed on some keyboards
		3: "plain naive ascii",
	}
	var ps []discussion.Posting
	for post, tx := range text {
		for _, w := range discussion.Terms(tx) {
			ps = append(ps, discussion.Posting{Course: 1, Term: w, Post: post, Thread: 100 + post})
		}
	}
	// Words discussion.Terms never gives, which the store must still
	// take as they are.
	ps = append(ps, discussion.Posting{Course: 1, Term: "o'brien", Post: 4, Thread: 104},
		discussion.Posting{Course: 1, Term: `back\slash`, Post: 4, Thread: 104},
		discussion.Posting{Course: 1, Term: "a & b | !c", Post: 4, Thread: 104})
	if err := s.AddPostings(ctx, ps); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    []string
		want []uint64
	}{
		{discussion.Terms("école"), []uint64{2, 1}},
		{discussion.Terms("ÉCOLE"), []uint64{2, 1}},
		{discussion.Terms("naïve"), []uint64{1}},
		{discussion.Terms("nai\u0308ve"), []uint64{2}},
		{discussion.Terms("naive"), []uint64{3}},
		{discussion.Terms("日本語"), []uint64{1}},
		{discussion.Terms("foo bar"), []uint64{1}},
		{[]string{"foo-bar"}, nil},
		{[]string{"o'brien"}, []uint64{4}},
		{[]string{`back\slash`}, []uint64{4}},
		{[]string{"a & b | !c"}, []uint64{4}},
		{[]string{"a"}, nil},
		{[]string{"école", "naive"}, nil},
	} {
		if got := pgMatch(t, s, c.q, 0); !slices.Equal(got, c.want) {
			t.Errorf("Match(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	// Adding a post's words again, or some more, keeps one entry a post.
	if err := s.AddPostings(ctx, []discussion.Posting{{Course: 1, Term: "école", Post: 2, Thread: 102}, {Course: 1, Term: "extra", Post: 2, Thread: 102}}); err != nil {
		t.Fatal(err)
	}
	if got := pgMatch(t, s, []string{"école", "extra"}, 0); !slices.Equal(got, []uint64{2}) {
		t.Errorf("after adding a word: %v", got)
	}
	// Removing every word of a post removes its row.
	var gone []discussion.Posting
	for _, w := range append(discussion.Terms(text[2]), "extra") {
		gone = append(gone, discussion.Posting{Course: 1, Term: w, Post: 2})
	}
	if err := s.RemovePostings(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if got := pgMatch(t, s, []string{"école"}, 0); !slices.Equal(got, []uint64{1}) {
		t.Errorf("after removing post 2's words: %v", got)
	}
}

func TestDiscussionMatchChunks(t *testing.T) {
	ctx := context.Background()
	s := postgres.NewDiscussion(pgtest.Open(t))
	var ps []discussion.Posting
	var want, rare []uint64
	for post := uint64(1); post <= 250; post++ {
		ps = append(ps, discussion.Posting{Course: 1, Term: "common", Post: post, Thread: 1000 + post/10})
		if post%7 == 0 {
			ps = append(ps, discussion.Posting{Course: 1, Term: "rare", Post: post, Thread: 1000 + post/10})
			rare = append([]uint64{post}, rare...)
		}
		want = append([]uint64{post}, want...)
	}
	if err := s.AddPostings(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if got := pgMatch(t, s, []string{"common"}, 0); !slices.Equal(got, want) {
		t.Errorf("common matched %d posts, want 250 newest first", len(got))
	}
	if got := pgMatch(t, s, []string{"rare", "common"}, 0); !slices.Equal(got, rare) {
		t.Errorf("rare common = %v, want %v", got, rare)
	}
	if got := pgMatch(t, s, []string{"common"}, 120); !slices.Equal(got, want[len(want)-119:]) {
		t.Errorf("common below 120 gave %d posts from %v", len(got), got[:1])
	}
}

func TestDiscussionPagesReadOn(t *testing.T) {
	ctx := context.Background()
	s := postgres.NewDiscussion(pgtest.Open(t))
	b := pgBoard(t, s)
	var threads []discussion.ThreadRecord
	for range 40 {
		threads = append(threads, pgThread(t, s, b))
	}
	all, err := s.BoardThreads(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Only every seventh thread is kept: a page reads on past its first
	// chunk, and more is true while any thread (kept or not) follows.
	keep := func(th discussion.ThreadRecord) (bool, error) { return th.ID%7 == 0, nil }
	var want []uint64
	for _, th := range all {
		if th.ID%7 == 0 {
			want = append(want, th.ID)
		}
	}
	var got []uint64
	var after *discussion.ThreadPlace
	for {
		page, more, err := s.BoardThreadsPage(ctx, b.ID, after, 2, keep)
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range page {
			got = append(got, th.ID)
		}
		// A full page says whether any thread follows it; a short one
		// read to the end.
		last := all[len(all)-1].ID
		if full := len(page) == 2; more != (full && page[1].ID != last) {
			t.Errorf("more = %v after %v (the last thread is %d)", more, page, last)
		}
		if !more {
			break
		}
		p := discussion.PlaceOf(page[len(page)-1])
		after = &p
	}
	if !slices.Equal(got, want) {
		t.Errorf("kept pages = %v, want %v", got, want)
	}

	th := threads[0]
	var posts []uint64
	for i := range 60 {
		id, err := s.NewPostID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SavePost(ctx, discussion.PostRecord{ID: id, CourseID: 1, ThreadID: th.ID, ParentID: th.OpeningPostID,
			AuthorID: uint64(10 + i%6), CreatedAt: pgAt}, "r"); err != nil {
			t.Fatal(err)
		}
		if i%6 == 5 {
			posts = append(posts, id)
		}
	}
	var seen []uint64
	after2 := uint64(0)
	for {
		page, more, err := s.PostsAfter(ctx, th.ID, after2, 3, func(id, author uint64) bool { return author == 15 })
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			seen = append(seen, p.ID)
		}
		if !more {
			break
		}
		after2 = page[len(page)-1].ID
	}
	if !slices.Equal(seen, posts) {
		t.Errorf("PostsAfter of author 15 = %v, want %v", seen, posts)
	}
}

// The queries walk their indexes (with sequential scans turned off, as
// on tables too small for the planner to bother).
func TestDiscussionPlans(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// The search index is chosen for a rare word among many posts.
	if _, err := conn.Exec(ctx, `INSERT INTO discussion_search (course_id, post_id, thread_id, terms)
		SELECT 1, n, n, array_to_tsvector(ARRAY['common', 'w' || n]) FROM generate_series(1, 5000) AS n`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off; ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ sql, index string }{
		{`SELECT id FROM discussion_threads WHERE board_id = 1 AND ((NOT pinned), (-last_post_id), id) > (true, -5, 3)
			ORDER BY (NOT pinned), (-last_post_id), id LIMIT 3`, "discussion_threads_list"},
		{"SELECT id FROM discussion_boards WHERE course_id = 1 ORDER BY id", "discussion_boards_course"},
		{"SELECT id FROM discussion_posts WHERE thread_id = 1 AND id > 4 ORDER BY id LIMIT 3", "discussion_posts_thread"},
		{`SELECT count(*) FROM discussion_posts WHERE thread_id = 1 AND id > 0 AND NOT deleted AND author_id <> 3`, "discussion_posts_thread"},
		{`SELECT r.id FROM discussion_reports r WHERE r.course_id = 1 AND r.resolved_at IS NULL
			AND ((r.resolved_at IS NOT NULL), r.id) > (false, 3) ORDER BY (r.resolved_at IS NOT NULL), r.id LIMIT 3`, "discussion_reports_queue"},
		{"SELECT EXISTS (SELECT 1 FROM discussion_reports WHERE post_id = 1 AND reporter_id = 2)", "discussion_reports_post"},
		{"SELECT post_id FROM discussion_search WHERE course_id = 1 AND terms @@ 'w42'::tsquery ORDER BY post_id DESC LIMIT 100", "discussion_search_terms"},
		{"SELECT thread_id, post_id FROM discussion_reply_queue ORDER BY thread_id, post_id LIMIT 5", "discussion_reply_queue_thread_id_post_id_key"},
	} {
		rows, err := conn.Query(ctx, "EXPLAIN "+c.sql)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, c.index) {
			t.Errorf("%s\ndoes not use %s:\n%s", c.sql, c.index, p)
		}
	}
}

// Every field of a post comes back as stored; instants in UTC, to the
// microsecond PostgreSQL keeps.
func TestDiscussionPostRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := postgres.NewDiscussion(pgtest.Open(t))
	th := pgThread(t, s, pgBoard(t, s))
	edited := time.Date(2027, 2, 3, 4, 5, 6, 7008009, time.FixedZone("X", 3600))
	id, err := s.NewPostID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := discussion.PostRecord{ID: id, CourseID: 1, ThreadID: th.ID, ParentID: th.OpeningPostID, Depth: 2, AuthorID: 9,
		BodyHTML: "<p>x</p>", Snippet: "x", CreatedAt: pgAt, EditedAt: &edited, Endorsed: true, Mentioned: []uint64{3, 1}}
	if err := s.SavePost(ctx, p, "x"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Post(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := p
	e := edited.UTC().Truncate(time.Microsecond)
	want.EditedAt = &e
	if got.EditedAt == nil || *got.EditedAt != e || got.EditedAt.Location() != time.UTC {
		t.Errorf("EditedAt = %v, want %v", got.EditedAt, e)
	}
	got.EditedAt, want.EditedAt = nil, nil
	if !slices.Equal(got.Mentioned, want.Mentioned) {
		t.Errorf("Mentioned = %v, want %v", got.Mentioned, want.Mentioned)
	}
	got.Mentioned, want.Mentioned = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Post = %+v, want %+v", got, want)
	}
}

// Replies written at once to one thread all land (the conflicting
// transactions are run again), and the thread's last post is its largest
// id: within a thread post ids grow in commit order, which the domain's
// thread cache relies on.
func TestDiscussionConcurrentReplies(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	s := postgres.NewDiscussion(db)
	th := pgThread(t, s, pgBoard(t, s))
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(ctx context.Context) error {
				t0, err := s.Thread(ctx, th.ID)
				if err != nil {
					return err
				}
				id, err := s.NewPostID(ctx)
				if err != nil {
					return err
				}
				if err := s.SavePost(ctx, discussion.PostRecord{ID: id, CourseID: 1, ThreadID: th.ID, ParentID: th.OpeningPostID,
					AuthorID: uint64(20 + i), CreatedAt: pgAt}, "r"); err != nil {
					return err
				}
				nt := t0
				nt.ReplyCount++
				nt.LastPostID, nt.Rev = id, t0.Rev+1
				if err := s.SaveThread(ctx, t0, nt); err != nil {
					return err
				}
				return s.QueueReply(ctx, th.ID, id)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Thread(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	posts, _, err := s.ThreadPosts(ctx, th.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReplyCount != writers || got.Rev != writers || len(posts) != writers+1 {
		t.Fatalf("after %d replies: %d replies, rev %d, %d posts", writers, got.ReplyCount, got.Rev, len(posts))
	}
	if last := posts[len(posts)-1].ID; got.LastPostID != last {
		t.Errorf("the thread's last post is %d, its largest post id %d", got.LastPostID, last)
	}
	if n, err := s.CountQueued(ctx); err != nil || n != writers {
		t.Errorf("%d replies queued (%v), want %d", n, err, writers)
	}
}
