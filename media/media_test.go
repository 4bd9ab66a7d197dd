package media_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
)

func TestAnUploadIsStoredOnceAndDescribed(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	body := webmFile(93.4, 5000)
	m := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "?filename=Week%201%20%E2%80%94%20intro.webm")
	if m.ContentType != "video/webm" || m.Size != int64(len(body)) || m.SHA256 != sum(body) {
		t.Fatalf("upload answer: %+v", m)
	}
	if m.DurationSeconds == nil || *m.DurationSeconds != 93 {
		t.Fatalf("duration_seconds = %v, want 93", m.DurationSeconds)
	}
	if m.Filename != "Week 1 — intro.webm" || m.Purpose != "course" {
		t.Fatalf("filename %q purpose %q", m.Filename, m.Purpose)
	}
	// The same bytes again, by a TA: a second record, still one file.
	m2 := mustUpload(t, env, w.ta, w.course, "video/webm", body, "")
	if m2.ID == m.ID || m2.SHA256 != m.SHA256 || m2.Filename != "file.webm" {
		t.Fatalf("second upload: %+v", m2)
	}
	if blobs := files(t, env, "blobs"); len(blobs) != 1 || !strings.HasSuffix(blobs[0], m.SHA256) {
		t.Fatalf("blobs on disk: %v", blobs)
	}
	if tmp := files(t, env, "tmp"); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	w.show(t, m.ID)
	r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d", m.ID), w.sam.Token, nil)
	if r.Status != 200 || !bytes.Equal(r.Body, body) {
		t.Fatalf("download: %d, %d bytes", r.Status, len(r.Body))
	}
	for h, want := range map[string]string{
		"Content-Type":                 "video/webm",
		"Accept-Ranges":                "bytes",
		"ETag":                         `"` + m.SHA256 + `"`,
		"Last-Modified":                pacertest.Start.Format(http.TimeFormat),
		"X-Content-Type-Options":       "nosniff",
		"Content-Security-Policy":      "default-src 'none'; sandbox; frame-ancestors 'none'",
		"Content-Disposition":          `inline; filename="Week 1 _ intro.webm"; filename*=UTF-8''Week%201%20%E2%80%94%20intro.webm`,
		"Content-Length":               fmt.Sprint(len(body)),
		"Cross-Origin-Resource-Policy": "same-origin",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/media/%d?download=1", m.ID), w.sam.Token, nil)
	if !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment; ") {
		t.Errorf("download disposition: %q", r.Header.Get("Content-Disposition"))
	}
	// Staff list the course's files.
	var list struct {
		Items []mediaView `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/media", w.course), w.teacher.Token, nil).Decode(&list)
	if len(list.Items) != 2 {
		t.Fatalf("list: %+v", list)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/media", w.course), w.sam.Token, nil); r.Status != 403 {
		t.Fatalf("a student listing files: %d", r.Status)
	}
}

func TestRangeRequests(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	body := webmFile(10, 1000)
	m := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "")
	w.show(t, m.ID)
	url := fmt.Sprintf("/api/v1/media/%d", m.ID)
	for _, tc := range []struct {
		name, rng    string
		status       int
		contentRange string
		from, to     int // expected body = body[from:to]
	}{
		{"the first bytes", "bytes=0-99", 206, "bytes 0-99/1000", 0, 100},
		{"the middle", "bytes=400-599", 206, "bytes 400-599/1000", 400, 600},
		{"a suffix", "bytes=-100", 206, "bytes 900-999/1000", 900, 1000},
		{"a suffix longer than the file", "bytes=-5000", 206, "bytes 0-999/1000", 0, 1000},
		{"open-ended", "bytes=990-", 206, "bytes 990-999/1000", 990, 1000},
		{"an end beyond the file is clamped", "bytes=900-5000", 206, "bytes 900-999/1000", 900, 1000},
		{"a start beyond the end", "bytes=1000-", 416, "bytes */1000", 0, 0},
		{"a zero-length suffix", "bytes=-0", 416, "bytes */1000", 0, 0},
		{"garbage is ignored", "bytes=abc", 200, "", 0, 1000},
		{"a reversed range is ignored", "bytes=5-1", 200, "", 0, 1000},
		{"an unknown unit is ignored", "items=0-1", 200, "", 0, 1000},
		{"several ranges get the whole file", "bytes=0-9,500-509", 200, "", 0, 1000},
		{"overlapping ranges merge into one", "bytes=0-9,5-19", 206, "bytes 0-19/1000", 0, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.DoHeaders("GET", url, w.sam.Token, nil, map[string]string{"Range": tc.rng})
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d (%s)", r.Status, tc.status, r.Body)
			}
			if got := r.Header.Get("Content-Range"); got != tc.contentRange {
				t.Fatalf("Content-Range %q, want %q", got, tc.contentRange)
			}
			if tc.status == 416 {
				if r.ErrCode() != "range_not_satisfiable" {
					t.Fatalf("416 body: %s", r.Body)
				}
				return
			}
			if !bytes.Equal(r.Body, body[tc.from:tc.to]) {
				t.Fatalf("body is %d bytes, want [%d:%d]", len(r.Body), tc.from, tc.to)
			}
			if r.Header.Get("Content-Length") != fmt.Sprint(tc.to-tc.from) {
				t.Fatalf("Content-Length %s", r.Header.Get("Content-Length"))
			}
		})
	}
	// HEAD tells the size without the bytes.
	r := env.DoHeaders("HEAD", url, w.sam.Token, nil, map[string]string{"Range": "bytes=0-9"})
	if r.Status != 206 || len(r.Body) != 0 || r.Header.Get("Content-Range") != "bytes 0-9/1000" {
		t.Fatalf("HEAD: %d %q %d bytes", r.Status, r.Header.Get("Content-Range"), len(r.Body))
	}
}

func TestConditionalRequests(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	body := webmFile(10, 600)
	m := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "")
	w.show(t, m.ID)
	url := fmt.Sprintf("/api/v1/media/%d", m.ID)
	etag := `"` + m.SHA256 + `"`
	modified := pacertest.Start.Format(http.TimeFormat)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
		size    int
	}{
		{"a matching If-None-Match", map[string]string{"If-None-Match": etag}, 304, 0},
		{"a weak match counts", map[string]string{"If-None-Match": `W/` + etag}, 304, 0},
		{"a list containing it", map[string]string{"If-None-Match": `"nope", ` + etag}, 304, 0},
		{"a star", map[string]string{"If-None-Match": "*"}, 304, 0},
		{"another tag", map[string]string{"If-None-Match": `"nope"`}, 200, 600},
		{"If-Modified-Since the upload", map[string]string{"If-Modified-Since": modified}, 304, 0},
		{"If-Modified-Since before it", map[string]string{"If-Modified-Since": pacertest.Start.Add(-time.Hour).Format(http.TimeFormat)}, 200, 600},
		{"If-None-Match wins over If-Modified-Since", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": modified}, 200, 600},
		{"If-Range with our tag keeps the range", map[string]string{"Range": "bytes=0-9", "If-Range": etag}, 206, 10},
		{"If-Range with another tag sends everything", map[string]string{"Range": "bytes=0-9", "If-Range": `"old"`}, 200, 600},
		{"If-Range with a weak tag sends everything", map[string]string{"Range": "bytes=0-9", "If-Range": "W/" + etag}, 200, 600},
		{"If-Range with the date keeps the range", map[string]string{"Range": "bytes=0-9", "If-Range": modified}, 206, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.DoHeaders("GET", url, w.sam.Token, nil, tc.headers)
			if r.Status != tc.status || len(r.Body) != tc.size {
				t.Fatalf("got %d with %d bytes, want %d with %d", r.Status, len(r.Body), tc.status, tc.size)
			}
			if r.Header.Get("ETag") != etag {
				t.Fatalf("ETag %q", r.Header.Get("ETag"))
			}
		})
	}
}

func TestOnlyThoseWhoMaySeeAFileGetIt(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	course := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("syllabus"), "")
	w.show(t, course.ID)
	own := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("sam's essay"), "?purpose=submission")
	if own.Purpose != "submission" {
		t.Fatalf("purpose %q", own.Purpose)
	}
	get := func(u pacertest.User, id uint64) int {
		return env.Do("GET", fmt.Sprintf("/api/v1/media/%d", id), u.Token, nil).Status
	}
	for _, tc := range []struct {
		name string
		u    pacertest.User
		id   uint64
		want int
	}{
		{"a student reads a course file", w.sam, course.ID, 200},
		{"the TA reads a course file", w.ta, course.ID, 200},
		{"a non-member gets 404", w.outsider, course.ID, 404},
		{"a student reads their own submission", w.sam, own.ID, 200},
		{"the instructor reads it", w.teacher, own.ID, 200},
		{"the TA reads it", w.ta, own.ID, 200},
		{"another student gets 404", w.kim, own.ID, 404},
		{"a non-member gets 404 for it too", w.outsider, own.ID, 404},
		{"an unknown id is 404", w.sam, 9999, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(tc.u, tc.id); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d", course.ID), "", nil); r.Status != 401 {
		t.Fatalf("no token: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/media/abc", w.sam.Token, nil); r.Status != 404 {
		t.Fatalf("a bad id: %d", r.Status)
	}
	// Uploading: students only for submissions, non-members never.
	if r := upload(env, w.sam, w.course, "application/pdf", pdfFile("x"), ""); r.Status != 403 {
		t.Fatalf("a student uploading a course file: %d", r.Status)
	}
	if r := upload(env, w.outsider, w.course, "application/pdf", pdfFile("x"), "?purpose=submission"); r.Status != 404 {
		t.Fatalf("a non-member uploading: %d", r.Status)
	}
	if r := upload(env, w.teacher, w.course, "application/pdf", pdfFile("x"), "?purpose=homework"); r.Status != 400 {
		t.Fatalf("an unknown purpose: %d", r.Status)
	}
	if r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media", w.course), "", pdfFile("x"),
		map[string]string{"Content-Type": "application/pdf"}); r.Status != 401 {
		t.Fatalf("uploading without a token: %d", r.Status)
	}
}

func TestUploadsThatAreRefused(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.MaxUploadBytes = 64 << 10 })
	w := newWorld(t, env)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	for _, tc := range []struct {
		name  string
		ctype string
		body  []byte
		want  int
		code  string
	}{
		{"a type that is not allowed", "text/html", html, 415, "unsupported_media_type"},
		{"an executable type", "application/x-msdownload", []byte("MZ\x90\x00"), 415, "unsupported_media_type"},
		{"no type at all", "", pdfFile("x"), 415, "unsupported_media_type"},
		{"HTML declared as video", "video/mp4", html, 415, "unsupported_media_type"},
		{"HTML after a PDF's first bytes are missing", "application/pdf", append([]byte("\n\n"), html...), 415, "unsupported_media_type"},
		{"SVG declared as a PNG", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 415, "unsupported_media_type"},
		{"a Windows program declared as video", "video/mp4", append([]byte("MZ\x90\x00\x03"), make([]byte, 600)...), 415, "unsupported_media_type"},
		{"a Linux program declared as a PDF", "application/pdf", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 600)...), 415, "unsupported_media_type"},
		{"a script declared as audio", "audio/mpeg", []byte("#!/bin/sh\nrm -rf /\n"), 415, "unsupported_media_type"},
		{"a PDF declared as video", "video/webm", pdfFile("x"), 415, "unsupported_media_type"},
		{"an empty body", "video/webm", []byte{}, 400, "bad_request"},
		{"a body over the limit", "video/webm", webmFile(5, 64<<10+1), 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(env, w.teacher, w.course, tc.ctype, tc.body, "")
			if r.Status != tc.want || r.ErrCode() != tc.code {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.want, tc.code)
			}
			if n := mediaRecords(t, env); n != 0 {
				t.Fatalf("%d records left", n)
			}
			if left := append(files(t, env, "tmp"), files(t, env, "blobs")...); len(left) != 0 {
				t.Fatalf("files left: %v", left)
			}
		})
	}
	// Exactly at the limit is fine.
	mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(5, 64<<10), "")
}

func TestCaptions(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	video := mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(5, 800), "")
	pdf := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("notes"), "")
	w.show(t, video.ID)
	post := func(u pacertest.User, id uint64, query, body string) pacertest.Resp {
		return env.DoHeaders("POST", fmt.Sprintf("/api/v1/media/%d/captions%s", id, query), u.Token, body,
			map[string]string{"Content-Type": "text/vtt"})
	}
	r := post(w.teacher, video.ID, "?lang=en&label=English", goodVTT)
	if r.Status != 201 {
		t.Fatalf("captions: %d %s", r.Status, r.Body)
	}
	cap := r.Map()
	if cap["lang"] != "en" || cap["label"] != "English" || cap["url"] != fmt.Sprintf("/api/v1/media/%d/captions/en", video.ID) {
		t.Fatalf("caption answer: %v", cap)
	}
	for _, tc := range []struct {
		name, query, body string
		u                 pacertest.User
		id                uint64
		want              int
	}{
		{"no WEBVTT header", "?lang=de", "00:00.000 --> 00:01.000\nHallo\n", w.teacher, video.ID, 400},
		{"a cue ending before it starts", "?lang=de", "WEBVTT\n\n00:05.000 --> 00:01.000\nHallo\n", w.teacher, video.ID, 400},
		{"a bad timestamp", "?lang=de", "WEBVTT\n\n0:5 --> 00:01.000\nHallo\n", w.teacher, video.ID, 400},
		{"HTML", "?lang=de", "<html><script>alert(1)</script></html>", w.teacher, video.ID, 400},
		{"a missing language", "", goodVTT, w.teacher, video.ID, 400},
		{"a language that is not a tag", "?lang=../../etc", goodVTT, w.teacher, video.ID, 400},
		{"a student", "?lang=de", goodVTT, w.sam, video.ID, 403},
		{"a non-member", "?lang=de", goodVTT, w.outsider, video.ID, 404},
		{"captions on a PDF", "?lang=de", goodVTT, w.teacher, pdf.ID, 409},
		{"a file over 1 MiB", "?lang=de", goodVTT + "\nNOTE " + strings.Repeat("x", 1<<20) + "\n", w.teacher, video.ID, 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := post(tc.u, tc.id, tc.query, tc.body); r.Status != tc.want {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.want)
			}
		})
	}
	if r := post(w.teacher, video.ID, "?lang=de", "WEBVTT\n\n00:05.000 --> 00:01.000\nHallo\n"); !strings.Contains(r.ErrCode()+string(r.Body), "line 3") {
		t.Fatalf("the error should name the line: %s", r.Body)
	}
	// Served as text/vtt to members.
	r = env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions/en", video.ID), w.sam.Token, nil)
	if r.Status != 200 || string(r.Body) != goodVTT || r.Header.Get("Content-Type") != "text/vtt; charset=utf-8" ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("captions download: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions/en", video.ID), w.outsider.Token, nil); r.Status != 404 {
		t.Fatalf("a non-member: %d", r.Status)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions/fr", video.ID), w.sam.Token, nil); r.Status != 404 {
		t.Fatalf("a missing language: %d", r.Status)
	}
	// A second language, then a replacement of the first.
	if r := post(w.ta, video.ID, "?lang=pt-BR&label=Portugu%C3%AAs", "WEBVTT\n\n00:00.000 --> 00:01.000\nOlá\n"); r.Status != 201 {
		t.Fatalf("second language: %d %s", r.Status, r.Body)
	}
	if r := post(w.teacher, video.ID, "?lang=en&label=English", goodVTT+"\n00:05.000 --> 00:06.000\nBye.\n"); r.Status != 201 {
		t.Fatalf("replacement: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			Lang, Label string
			Cues        int
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions", video.ID), w.sam.Token, nil).Decode(&list)
	if len(list.Items) != 2 || list.Items[0].Lang != "en" || list.Items[0].Cues != 3 || list.Items[1].Label != "Português" {
		t.Fatalf("captions list: %+v", list.Items)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/media/%d/captions/pt-BR", video.ID), w.teacher.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	// The replaced and the deleted files go at the next sweep.
	res, err := env.Server.Media.Sweep(context.Background(), time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	if err != nil || res.Blobs != 2 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions/en", video.ID), w.sam.Token, nil); r.Status != 200 {
		t.Fatalf("captions in use must survive the sweep: %d", r.Status)
	}
}

func TestLectureAndFileItemsNeedAMediaOfTheirCourse(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	video := mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(60, 800), "")
	pdf := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("notes"), "")
	noDuration := mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(0, 800), "")
	other := mustUpload(t, env, w.outsider, w.course2, "video/webm", webmFile(60, 900), "")
	essay := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("essay"), "?purpose=submission")
	create := func(kind string, media uint64) int {
		body := map[string]any{"kind": kind, "title": "Item"}
		if media != 0 {
			body["media_id"] = media
		}
		return env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", w.course, w.module), w.teacher.Token, body).Status
	}
	for _, tc := range []struct {
		name  string
		kind  string
		media uint64
		want  int
	}{
		{"a lecture of a video", "lecture", video.ID, 201},
		{"a file item of a PDF", "file", pdf.ID, 201},
		{"a file item of a video", "file", video.ID, 201},
		{"a lecture without media", "lecture", 0, 400},
		{"a lecture of a PDF", "lecture", pdf.ID, 400},
		{"a lecture of unknown duration", "lecture", noDuration.ID, 400},
		{"a lecture of another course's video", "lecture", other.ID, 400},
		{"a file item of a student's submission", "file", essay.ID, 400},
		{"a lecture of media that does not exist", "lecture", 4242, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := create(tc.kind, tc.media); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFileSubmissionsUseUploadedFiles(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item := env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	mine := mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("sam"), "?purpose=submission")
	kims := mustUpload(t, env, w.kim, w.course, "application/pdf", pdfFile("kim"), "?purpose=submission")
	courseFile := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("syllabus"), "")
	submit := func(u pacertest.User, media uint64) pacertest.Resp {
		return env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", w.course, item), u.Token, map[string]any{"media_id": media})
	}
	if r := submit(w.sam, kims.ID); r.Status != 400 {
		t.Fatalf("someone else's file: %d %s", r.Status, r.Body)
	}
	if r := submit(w.sam, courseFile.ID); r.Status != 400 {
		t.Fatalf("a course file: %d %s", r.Status, r.Body)
	}
	if r := submit(w.sam, 9999); r.Status != 400 {
		t.Fatalf("a missing file: %d %s", r.Status, r.Body)
	}
	if r := submit(w.sam, mine.ID); r.Status != 201 {
		t.Fatalf("own file: %d %s", r.Status, r.Body)
	}
	// The grader can fetch it.
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d", mine.ID), w.ta.Token, nil); r.Status != 200 {
		t.Fatalf("TA fetching the submission: %d", r.Status)
	}
}

func TestTheSweepRemovesOrphansOnly(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	kept := mustUpload(t, env, w.teacher, w.course, "application/pdf", pdfFile("kept"), "")
	plant(t, env, "tmp", "upload-123", "half an upload")
	plant(t, env, "blobs", strings.Repeat("ab", 32), "a blob whose record never committed")
	// Recent files are left alone: they may belong to uploads in flight.
	res, err := env.Server.Media.Sweep(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
	if err != nil || res != (mediaSweep{}) {
		t.Fatalf("sweep of fresh files: %+v %v", res, err)
	}
	res, err = env.Server.Media.Sweep(context.Background(), time.Now().Add(time.Minute), time.Now().Add(time.Minute))
	if err != nil || res.Temps != 1 || res.Blobs != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	if left := append(files(t, env, "tmp"), files(t, env, "blobs")...); len(left) != 1 || !strings.HasSuffix(left[0], kept.SHA256) {
		t.Fatalf("left: %v", left)
	}
}
