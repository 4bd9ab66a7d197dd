package media_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pacer/media"
	"pacer/pacertest"
	"pacer/server"
)

// blobExists reports whether the blob of these bytes is stored.
func blobExists(env *pacertest.Env, b []byte) bool {
	s := sum(b)
	if env.S3 != nil {
		return len(env.S3.Keys(env.T, pacertest.MediaPrefix+"/blobs/"+s)) == 1
	}
	_, err := os.Stat(filepath.Join(env.Dir, "media", "blobs", s[:2], s))
	return err == nil
}

func del(env *pacertest.Env, u pacertest.User, id uint64) pacertest.Resp {
	return env.Do("DELETE", fmt.Sprintf("/api/v1/media/%d", id), u.Token, nil)
}

// TestStorageQuotas is review item 8: a student's uploads for submissions
// and a course's files are bounded (413 too_large with the quota in the
// message), checked before the bytes are read and while they arrive, and
// deleting a file gives its bytes back.
func TestStorageQuotas(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.UserQuotaBytes, c.CourseQuotaBytes = 3000, 5000 })
	w := newWorld(t, env)
	a := pdfFile("a" + strings.Repeat(" ", 1900)) // ~2 kB each
	b := pdfFile("b" + strings.Repeat(" ", 1900))
	first := mustUpload(t, env, w.sam, w.course, "application/pdf", a, "?purpose=submission")
	r := upload(env, w.sam, w.course, "application/pdf", b, "?purpose=submission")
	if r.Status != 413 || r.ErrCode() != "too_large" || !strings.Contains(string(r.Body), "quota") {
		t.Fatalf("a second 2 kB upload over a 3000-byte quota: %d %s", r.Status, r.Body)
	}
	if n := mediaRecords(t, env); n != 1 {
		t.Fatalf("%d records after the refused upload", n)
	}
	// The quota is the user's, not the course's: Kim still has hers, and
	// so does Sam in another course (it is one allowance across courses).
	mustUpload(t, env, w.kim, w.course, "application/pdf", b, "?purpose=submission")
	env.Enroll(w.sam, w.course2)
	if r := upload(env, w.sam, w.course2, "application/pdf", b, "?purpose=submission"); r.Status != 413 {
		t.Fatalf("Sam in another course: %d %s", r.Status, r.Body)
	}
	// Deleting gives the bytes back.
	if r := del(env, w.sam, first.ID); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	mustUpload(t, env, w.sam, w.course, "application/pdf", b, "?purpose=submission")

	// Course files count against the course, whoever uploads them.
	mustUpload(t, env, w.teacher, w.course, "application/pdf", a, "")
	mustUpload(t, env, w.ta, w.course, "application/pdf", b, "")
	r = upload(env, w.teacher, w.course, "application/pdf", pdfFile("c"+strings.Repeat(" ", 1900)), "")
	if r.Status != 413 || !strings.Contains(string(r.Body), "course's storage quota") {
		t.Fatalf("a course file over the course's quota: %d %s", r.Status, r.Body)
	}
	// A small one still fits.
	mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("small"), "")
}

// TestDeletingMedia is review item 8's delete route: staff delete any file
// of their course, the uploader a submission file no submission used;
// files in use stay (409); a blob leaves the disk only with its last
// record; staff deletions are audited.
func TestDeletingMedia(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	body := webmFile(30, 900)
	one := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "")
	two := mustUpload(t, env, w.ta, w.course, "video/webm", body, "") // the same bytes: one blob
	if r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/media/%d/captions?lang=en", two.ID), w.teacher.Token, goodVTT,
		map[string]string{"Content-Type": "text/vtt"}); r.Status != 201 {
		t.Fatalf("captions: %d %s", r.Status, r.Body)
	}
	item := env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "lecture", "title": "Lecture", "media_id": one.ID})

	for _, tc := range []struct {
		name string
		u    pacertest.User
		id   uint64
		want int
	}{
		{"a student may not delete a course file they can read", w.sam, one.ID, 403},
		{"nor one they cannot", w.sam, two.ID, 404},
		{"a non-member gets 404", w.outsider, two.ID, 404},
		{"a file an item shows stays", w.teacher, one.ID, 409},
		{"an unknown file", w.teacher, 99999, 404},
		{"the TA deletes a file no item shows", w.ta, two.ID, 204},
		{"and it is gone", w.teacher, two.ID, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := del(env, tc.u, tc.id); r.Status != tc.want {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.want)
			}
		})
	}
	if !blobExists(env, body) {
		t.Fatal("the blob went with one of the two records that used it")
	}
	if blobExists(env, []byte(goodVTT)) {
		t.Fatal("the captions' blob outlived the only file that used it")
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, item), w.teacher.Token, nil); r.Status != 204 {
		t.Fatalf("delete item: %d", r.Status)
	}
	if r := del(env, w.teacher, one.ID); r.Status != 204 {
		t.Fatalf("delete the last record: %d %s", r.Status, r.Body)
	}
	if blobExists(env, body) {
		t.Fatal("the blob outlived its last record")
	}

	// Submission files: the uploader deletes one no submission used;
	// another student cannot see it; once a submission used it, it stays.
	spare := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("spare"), "?purpose=submission")
	if r := del(env, w.kim, spare.ID); r.Status != 404 {
		t.Fatalf("another student: %d", r.Status)
	}
	if r := del(env, w.sam, spare.ID); r.Status != 204 {
		t.Fatalf("the uploader: %d %s", r.Status, r.Body)
	}
	work := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("work"), "?purpose=submission")
	asg := env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", w.course, asg), w.sam.Token,
		map[string]any{"media_id": work.ID}); r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	// A resubmission without the file: the first attempt's file is still
	// handed-in work.
	if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", w.course, asg), w.sam.Token,
		map[string]any{"body": "Text instead"}); r.Status != 201 {
		t.Fatalf("resubmit: %d %s", r.Status, r.Body)
	}
	for _, u := range []pacertest.User{w.sam, w.teacher} {
		if r := del(env, u, work.ID); r.Status != 409 || r.ErrCode() != "conflict" {
			t.Fatalf("deleting a submitted file: %d %s", r.Status, r.Body)
		}
	}

	// The TA's deletion is in the audit log; Sam's own is not.
	admin := env.Admin()
	var log struct {
		Items []struct {
			ActorID  uint64 `json:"actor_id"`
			TargetID uint64 `json:"target_id"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/admin/audit?action=media_deleted", admin.Token, nil).Decode(&log)
	if len(log.Items) != 2 || log.Items[1].ActorID != w.ta.ID || log.Items[1].TargetID != two.ID || log.Items[0].ActorID != w.teacher.ID {
		t.Fatalf("audit: %+v", log.Items)
	}
}

// TestUnattachedUploadsAreSweptAfterADay is review item 8's sweep: a
// submission upload that no submission used within a day is removed by the
// sweep_uploads job (with its blob and its quota share); one that was
// submitted, and a younger one, stay. Time is the pinned clock.
func TestUnattachedUploadsAreSweptAfterADay(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.UserQuotaBytes = 1 << 20 })
	w := newWorld(t, env)
	stray := pdfFile("stray")
	old := mustUpload(t, env, w.sam, w.course, "application/pdf", stray, "?purpose=submission")
	kept := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("kept"), "?purpose=submission")
	asg := env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "assignment", "title": "Essay"})
	if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", w.course, asg), w.sam.Token,
		map[string]any{"media_id": kept.ID}); r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(12 * time.Hour)
	w.sam, w.teacher = env.Login(w.sam), env.Login(w.teacher)
	young := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("young"), "?purpose=submission")
	course := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("course file"), "")

	start := pacertest.Start
	sweep := func(at time.Time) int {
		t.Helper()
		res, err := env.Server.Scheduler.RunAt(media.JobSweepUploads, at)
		if err != nil || res.Error != "" {
			t.Fatalf("sweep: %v %s", err, res.Error)
		}
		return res.Changed
	}
	if n := sweep(start.Add(24*time.Hour - time.Second)); n != 0 {
		t.Fatalf("a sweep before a day passed removed %d", n)
	}
	if n := sweep(start.Add(24*time.Hour + time.Second)); n != 1 {
		t.Fatalf("the sweep a day later removed %d, want 1", n)
	}
	if n := sweep(start.Add(24*time.Hour + time.Second)); n != 0 {
		t.Fatalf("running it again removed %d more", n)
	}
	env.Clock.Set(start.Add(24*time.Hour + time.Second))
	w.teacher = env.Login(w.teacher)
	status := func(id uint64) int {
		return env.Do("GET", fmt.Sprintf("/api/v1/media/%d", id), w.teacher.Token, nil).Status
	}
	if status(old.ID) != 404 || status(kept.ID) != 200 || status(young.ID) != 200 || status(course.ID) != 200 {
		t.Fatalf("after the sweep: old %d kept %d young %d course %d", status(old.ID), status(kept.ID), status(young.ID), status(course.ID))
	}
	if blobExists(env, stray) {
		t.Fatal("the swept upload's blob is still on disk")
	}
	// The young one goes a day after its own upload.
	if n := sweep(start.Add(36*time.Hour + time.Second)); n != 1 || status(young.ID) != 404 {
		t.Fatalf("the younger upload a day after it: removed %d, status %d", n, status(young.ID))
	}
}
