package storetest

import (
	"slices"
	"testing"

	"pacer/discussion"
)

func boards(t *testing.T, open Open) {
	s, _ := open(t)
	_, err := s.Board(bg, 99)
	notFound(t, "Board of a missing id", err)
	a := addBoard(t, s, 1, "A")
	other := addBoard(t, s, 2, "Other")
	b := addBoard(t, s, 1, "B")
	if !(a.ID < other.ID && other.ID < b.ID) {
		t.Fatalf("ids %d, %d, %d: ids must grow", a.ID, other.ID, b.ID)
	}
	got := get[discussion.BoardRecord](t)(s.Board(bg, b.ID))
	if got.Title != "B" || got.CourseID != 1 || got.Kind != discussion.KindCustom || !got.CreatedAt.Equal(at) {
		t.Errorf("Board = %+v, want %+v", got, b)
	}
	list := get[[]discussion.BoardRecord](t)(s.CourseBoards(bg, 1))
	if want := []uint64{a.ID, b.ID}; !slices.Equal(ids(list, boardID), want) {
		t.Errorf("CourseBoards = %v, want %v in the order added", ids(list, boardID), want)
	}
	if list := get[[]discussion.BoardRecord](t)(s.CourseBoards(bg, 3)); len(list) != 0 {
		t.Errorf("CourseBoards of a course without boards = %v", list)
	}
	a.Mode = discussion.ModeQA
	must(t, s.PutBoard(bg, a))
	if got := get[discussion.BoardRecord](t)(s.Board(bg, a.ID)); got.Mode != discussion.ModeQA {
		t.Errorf("after PutBoard the mode is %q", got.Mode)
	}
	if n := get[int](t)(s.CountThreads(bg, a.ID)); n != 0 {
		t.Errorf("CountThreads of an empty board = %d", n)
	}
	addThread(t, s, a, "one")
	addThread(t, s, a, "two")
	addThread(t, s, b, "three")
	if n := get[int](t)(s.CountThreads(bg, a.ID)); n != 2 {
		t.Errorf("CountThreads = %d, want 2", n)
	}
}

func threadPages(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	other := addBoard(t, s, 1, "Other")
	var threads []discussion.ThreadRecord
	for _, title := range []string{"t1", "t2", "t3", "t4", "t5"} {
		th, _ := addThread(t, s, b, title)
		threads = append(threads, th)
	}
	addThread(t, s, other, "elsewhere")
	// t2 gets a reply (latest activity), t4 is pinned.
	threads[1], _ = reply(t, s, threads[1], 8)
	pinned := threads[3]
	pinned.Pinned, pinned.Rev = true, pinned.Rev+1
	must(t, s.SaveThread(bg, threads[3], pinned))
	threads[3] = pinned
	want := []uint64{threads[3].ID, threads[1].ID, threads[4].ID, threads[2].ID, threads[0].ID}
	all := get[[]discussion.ThreadRecord](t)(s.BoardThreads(bg, b.ID))
	if !slices.Equal(ids(all, threadID), want) {
		t.Fatalf("BoardThreads = %v, want %v (pinned, then latest last post first)", ids(all, threadID), want)
	}
	if all[0] != pinned {
		t.Errorf("BoardThreads gave %+v, want %+v", all[0], pinned)
	}
	everything := func(discussion.ThreadRecord) (bool, error) { return true, nil }
	var got []uint64
	var after *discussion.ThreadPlace
	for pages := 0; ; pages++ {
		page, more, err := s.BoardThreadsPage(bg, b.ID, after, 2, everything)
		must(t, err)
		got = append(got, ids(page, threadID)...)
		if !more {
			if len(page) != 1 || pages != 2 {
				t.Errorf("the last page has %d threads after %d pages, want 1 after 2", len(page), pages)
			}
			break
		}
		if len(page) != 2 {
			t.Fatalf("a page before the last has %d threads, want 2", len(page))
		}
		p := discussion.PlaceOf(page[len(page)-1])
		after = &p
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	odd := func(th discussion.ThreadRecord) (bool, error) { return th.ID%2 == 1, nil }
	page, _, err := s.BoardThreadsPage(bg, b.ID, nil, 10, odd)
	must(t, err)
	for _, th := range page {
		if th.ID%2 != 1 {
			t.Errorf("keep refused thread %d, which was listed", th.ID)
		}
	}
	// more counts threads past the page whether kept or not.
	_, more, err := s.BoardThreadsPage(bg, b.ID, nil, 4, everything)
	must(t, err)
	if !more {
		t.Error("more is false with a fifth thread left")
	}
	_, more, err = s.BoardThreadsPage(bg, b.ID, nil, 5, everything)
	must(t, err)
	if more {
		t.Error("more is true with no thread left")
	}
}

func deleteBoards(t *testing.T, open Open) {
	s, _ := open(t)
	a := addBoard(t, s, 1, "A")
	keep := addBoard(t, s, 2, "Keep")
	addThread(t, s, keep, "stays")
	must(t, s.DeleteCourseBoards(bg, 1))
	_, err := s.Board(bg, a.ID)
	notFound(t, "Board after DeleteCourseBoards", err)
	if list := get[[]discussion.BoardRecord](t)(s.CourseBoards(bg, 1)); len(list) != 0 {
		t.Errorf("CourseBoards after DeleteCourseBoards = %v", list)
	}
	if list := get[[]discussion.BoardRecord](t)(s.CourseBoards(bg, 2)); len(list) != 1 {
		t.Errorf("another course's boards = %v, want its one", list)
	}
}
