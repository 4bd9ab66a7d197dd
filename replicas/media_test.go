package replicas_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"pacer/replicas"
)

// Media uploaded through one replica lives in the one bucket and is served
// by every replica itself: the same bytes, the same ETag, a Range answered
// with exactly its bytes, a conditional request with 304, and access still
// checked per course member.
func TestMediaUploadedOnOneReplicaIsServedByTheOthers(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	ins := register(t, r1, "Instructor")
	st := register(t, r2, "Student")
	outsider := register(t, r3, "Outsider")
	co := newCourse(t, r1, ins, "Media on a bucket")
	enroll(t, r2, co, st)

	// A PDF a few parts long is enough for the sniffer, and random bytes
	// make any mix-up of ranges show.
	body := make([]byte, 300_000)
	if _, err := rand.Read(body); err != nil {
		t.Fatal(err)
	}
	copy(body, "%PDF-1.7\n")
	var up struct {
		ID     uint64 `json:"id"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	res, err := r1.Client.Do("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=notes.pdf", co.ID), ins.Access, body, "application/pdf")
	if err != nil || res.Status != 201 {
		t.Fatalf("upload on %s: %v %d %s", r1, err, res.Status, res.Body)
	}
	decode(t, res.Body, &up)
	if up.Size != int64(len(body)) {
		t.Fatalf("uploaded size %d, want %d", up.Size, len(body))
	}

	// A student reads a course file through an item that shows it.
	co.item(t, r3, ins, map[string]any{"kind": "file", "title": "Notes", "media_id": up.ID})

	get := func(r *replicas.Replica, token string, headers map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/media/%d", r.Client.Base, up.ID), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := r.Client.HTTP.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		defer res.Body.Close()
		got, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("%s: read the bytes: %v", r, err)
		}
		return res, got
	}

	whole, got := get(r2, st.Access, nil)
	if whole.StatusCode != 200 || !bytes.Equal(got, body) {
		t.Fatalf("%s: whole file: %d, %d bytes equal=%v", r2, whole.StatusCode, len(got), bytes.Equal(got, body))
	}
	etag := whole.Header.Get("ETag")
	if etag == "" || whole.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("%s: headers %v", r2, whole.Header)
	}

	part, got := get(r3, st.Access, map[string]string{"Range": "bytes=1000-1999"})
	if part.StatusCode != 206 || !bytes.Equal(got, body[1000:2000]) ||
		part.Header.Get("Content-Range") != fmt.Sprintf("bytes 1000-1999/%d", len(body)) {
		t.Fatalf("%s: range: %d %q, %d bytes equal=%v", r3, part.StatusCode, part.Header.Get("Content-Range"), len(got), bytes.Equal(got, body[1000:2000]))
	}
	if e := part.Header.Get("ETag"); e != etag {
		t.Fatalf("%s: ETag %q, %s gave %q", r3, e, r2, etag)
	}
	tail, got := get(r1, st.Access, map[string]string{"Range": "bytes=-10"})
	if tail.StatusCode != 206 || !bytes.Equal(got, body[len(body)-10:]) {
		t.Fatalf("%s: suffix range: %d, %d bytes", r1, tail.StatusCode, len(got))
	}
	if same, _ := get(r3, st.Access, map[string]string{"If-None-Match": etag}); same.StatusCode != 304 {
		t.Fatalf("%s: If-None-Match: %d, want 304", r3, same.StatusCode)
	}
	if bad, _ := get(r2, st.Access, map[string]string{"Range": fmt.Sprintf("bytes=%d-", len(body)+5)}); bad.StatusCode != 416 {
		t.Fatalf("%s: unsatisfiable range: %d, want 416", r2, bad.StatusCode)
	}
	if no, _ := get(r3, outsider.Access, nil); no.StatusCode != 404 {
		t.Fatalf("%s: a non-member got %d, want 404", r3, no.StatusCode)
	}

	// The same bytes uploaded through another replica are the same blob.
	var again struct {
		SHA256 string `json:"sha256"`
	}
	res, err = r3.Client.Do("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=copy.pdf", co.ID), ins.Access, body, "application/pdf")
	if err != nil || res.Status != 201 {
		t.Fatalf("second upload on %s: %v %d %s", r3, err, res.Status, res.Body)
	}
	decode(t, res.Body, &again)
	if again.SHA256 != up.SHA256 {
		t.Fatalf("the same bytes on another replica: sha256 %s, want %s", again.SHA256, up.SHA256)
	}
	n := 0
	for _, k := range shared.s3.Keys(t, "replicas/") {
		if strings.HasSuffix(k, "/blobs/"+up.SHA256) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("objects of the blob after two uploads of one file: %d, want 1 (%v)", n, shared.s3.Keys(t, "replicas/"))
	}
}
