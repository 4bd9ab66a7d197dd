package storetest

import (
	"slices"
	"testing"
	"time"

	"pacer/discussion"
)

func addReport(t *testing.T, s discussion.Store, course, post, reporter uint64) discussion.ReportRecord {
	t.Helper()
	return get[discussion.ReportRecord](t)(s.AddReport(bg, discussion.ReportRecord{CourseID: course, ThreadID: 1, PostID: post,
		ReporterID: reporter, Reason: "spam", CreatedAt: at}))
}

func reports(t *testing.T, open Open) {
	s, _ := open(t)
	_, err := s.Report(bg, 99)
	notFound(t, "Report of a missing id", err)
	r1 := addReport(t, s, 1, 10, 8)
	r2 := addReport(t, s, 1, 10, 9)
	if r1.ID == 0 || r2.ID <= r1.ID {
		t.Fatalf("report ids %d then %d: ids must grow", r1.ID, r2.ID)
	}
	got := get[discussion.ReportRecord](t)(s.Report(bg, r1.ID))
	if got.PostID != 10 || got.ReporterID != 8 || got.Reason != "spam" || got.ResolvedAt != nil {
		t.Errorf("Report = %+v, want %+v", got, r1)
	}
	for _, c := range []struct {
		post, user uint64
		want       bool
	}{{10, 8, true}, {10, 9, true}, {10, 7, false}, {11, 8, false}} {
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
		t.Errorf("open %v, resolved %v; want %d open and %d resolved", ids(open1, reportID), ids(resolved, reportID), r2.ID, r1.ID)
	}
}

func reportPages(t *testing.T, open Open) {
	s, _ := open(t)
	var rs []discussion.ReportRecord
	for i := range 5 {
		rs = append(rs, addReport(t, s, 1, uint64(10+i), 8))
	}
	addReport(t, s, 2, 99, 8)
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
			last := page[len(page)-1]
			after = &discussion.ReportPlace{Resolved: last.ResolvedAt != nil, ID: last.ID}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: pages = %v, want %v (open first, each oldest first)", c.status, got, c.want)
		}
	}
}
