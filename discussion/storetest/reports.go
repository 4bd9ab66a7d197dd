package storetest

import (
	"slices"
	"testing"
	"time"

	"pacer/discussion"
)

// addReport reports post p (of thread th) as reporter.
func addReport(t *testing.T, s discussion.Store, th discussion.ThreadRecord, p discussion.PostRecord, reporter uint64) discussion.ReportRecord {
	t.Helper()
	return get[discussion.ReportRecord](t)(s.AddReport(bg, discussion.ReportRecord{CourseID: th.CourseID, ThreadID: th.ID, PostID: p.ID,
		ReporterID: reporter, Reason: "spam", CreatedAt: at}))
}

// posts adds a thread with n replies on a board of course and returns the
// thread and the replies.
func posts(t *testing.T, s discussion.Store, course uint64, n int) (discussion.ThreadRecord, []discussion.PostRecord) {
	t.Helper()
	th, _ := addThread(t, s, addBoard(t, s, course, "B"), "T")
	var out []discussion.PostRecord
	for range n {
		var p discussion.PostRecord
		th, p = reply(t, s, th, 8)
		out = append(out, p)
	}
	return th, out
}

func reports(t *testing.T, open Open) {
	s, _ := open(t)
	_, err := s.Report(bg, 99)
	notFound(t, "Report of a missing id", err)
	th, ps := posts(t, s, 1, 2)
	r1 := addReport(t, s, th, ps[0], 8)
	r2 := addReport(t, s, th, ps[0], 9)
	if r1.ID == 0 || r2.ID <= r1.ID {
		t.Fatalf("report ids %d then %d: ids must grow", r1.ID, r2.ID)
	}
	got := get[discussion.ReportRecord](t)(s.Report(bg, r1.ID))
	if got.PostID != ps[0].ID || got.ReporterID != 8 || got.Reason != "spam" || got.ResolvedAt != nil {
		t.Errorf("Report = %+v, want %+v", got, r1)
	}
	for _, c := range []struct {
		post, user uint64
		want       bool
	}{{ps[0].ID, 8, true}, {ps[0].ID, 9, true}, {ps[0].ID, 7, false}, {ps[1].ID, 8, false}} {
		if ok := get[bool](t)(s.Reported(bg, c.post, c.user)); ok != c.want {
			t.Errorf("Reported(%d, %d) = %v, want %v", c.post, c.user, ok, c.want)
		}
	}
	old := r1
	when := at.Add(time.Hour)
	r1.ResolvedAt, r1.ResolvedBy = &when, 3
	must(t, s.SaveReport(bg, old, r1))
	got = get[discussion.ReportRecord](t)(s.Report(bg, r1.ID))
	if got.ResolvedAt == nil || !got.ResolvedAt.Equal(when) || got.ResolvedBy != 3 {
		t.Errorf("after SaveReport: %+v", got)
	}
	open1, _, err := s.CourseReports(bg, 1, discussion.ReportsOpen, nil, 10)
	must(t, err)
	resolved, _, err := s.CourseReports(bg, 1, discussion.ReportsResolved, nil, 10)
	must(t, err)
	if !slices.Equal(ids(open1, reportID), []uint64{r2.ID}) || !slices.Equal(ids(resolved, reportID), []uint64{r1.ID}) {
		t.Fatalf("open %v, resolved %v; want %d open and %d resolved", ids(open1, reportID), ids(resolved, reportID), r2.ID, r1.ID)
	}
	// Each entry comes with the reported post and its thread.
	e := resolved[0]
	if e.Report.ResolvedBy != 3 || e.Post.ID != ps[0].ID || e.Post.ThreadID != th.ID || e.Thread.ID != th.ID || e.Thread.Title != th.Title {
		t.Errorf("the entry of report %d = %+v", r1.ID, e)
	}
}

func reportPages(t *testing.T, open Open) {
	s, _ := open(t)
	th, ps := posts(t, s, 1, 5)
	var rs []discussion.ReportRecord
	for i := range 5 {
		rs = append(rs, addReport(t, s, th, ps[i], 8))
	}
	other, ops := posts(t, s, 2, 1)
	addReport(t, s, other, ops[0], 8)
	// The second and fourth are resolved.
	for _, i := range []int{1, 3} {
		old := rs[i]
		rs[i].ResolvedAt = &at
		must(t, s.SaveReport(bg, old, rs[i]))
	}
	wantOpen := []uint64{rs[0].ID, rs[2].ID, rs[4].ID}
	wantResolved := []uint64{rs[1].ID, rs[3].ID}
	for _, c := range []struct {
		status string
		want   []uint64
	}{
		{discussion.ReportsOpen, wantOpen},
		{discussion.ReportsResolved, wantResolved},
		{discussion.ReportsAll, append(slices.Clone(wantOpen), wantResolved...)},
	} {
		var got []uint64
		var after *discussion.ReportPlace
		for {
			page, more, err := s.CourseReports(bg, 1, c.status, after, 2)
			must(t, err)
			got = append(got, ids(page, reportID)...)
			if !more {
				break
			}
			if len(page) != 2 {
				t.Fatalf("%s: a page before the last has %d reports", c.status, len(page))
			}
			last := page[len(page)-1].Report
			after = &discussion.ReportPlace{Resolved: last.ResolvedAt != nil, ID: last.ID}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: pages = %v, want %v (open first, each oldest first)", c.status, got, c.want)
		}
	}
}
