package media_test

import (
	"bytes"
	"fmt"
	"testing"

	"pacer/pacertest"
	"pacer/server"
)

// The application suites of the bytes' life — upload, dedup, ranges,
// conditional requests, refusals, quotas, deletion, captions, the sweep and
// cut-off uploads — run again with the media in a bucket (an S3 server in
// this process), in every plain `go test`. PACER_TEST_MEDIA=s3 runs the
// whole package so.
func TestTheMediaSuitesRunOnABucket(t *testing.T) {
	t.Setenv("PACER_TEST_MEDIA", "s3")
	for _, tc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"upload", TestAnUploadIsStoredOnceAndDescribed},
		{"ranges", TestRangeRequests},
		{"conditional", TestConditionalRequests},
		{"refused", TestUploadsThatAreRefused},
		{"quotas", TestStorageQuotas},
		{"delete", TestDeletingMedia},
		{"captions", TestCaptions},
		{"sweep", TestTheSweepRemovesOrphansOnly},
		{"declared too large", TestAnUploadDeclaredTooLargeIs413BeforeItsBodyIsSent},
		{"chunked over the limit", TestAChunkedUploadIsCutOffAtTheLimit},
		{"cut off", TestAnUploadCutOffByTheClientLeavesNothing},
		{"documents", TestSubmissionDocuments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t)
		})
	}
}

// A client cannot tell the engines apart: the same file answers with the
// same status, validators, ranges and bytes from disk and from a bucket,
// so a cached copy or a resumed download stays valid across a move.
func TestFilesAndABucketAnswerAlike(t *testing.T) {
	body := webmFile(42, 300<<10)
	get := func(env *pacertest.Env) func(map[string]string) pacertest.Resp {
		w := newWorld(t, env)
		m := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "?filename=talk.webm")
		if m.SHA256 != sum(body) {
			t.Fatalf("sha256 %s", m.SHA256)
		}
		w.show(t, m.ID)
		return func(h map[string]string) pacertest.Resp {
			return env.DoHeaders("GET", fmt.Sprintf("/api/v1/media/%d", m.ID), w.sam.Token, nil, h)
		}
	}
	onDisk := get(pacertest.New(t, func(c *server.Config) { c.Media = "file" }))
	bucket := pacertest.NewS3(t)
	if bucket.S3 == nil {
		t.Fatal("NewS3 gave no bucket")
	}
	inBucket := get(bucket)
	etag := `"` + sum(body) + `"`
	for _, h := range []map[string]string{
		nil,
		{"Range": "bytes=1000-200000"},
		{"Range": "bytes=-4096"},
		{"Range": "bytes=307200-"},
		{"Range": "bytes=5-9", "If-Range": etag},
		{"Range": "bytes=5-9", "If-Range": `"other"`},
		{"If-None-Match": etag},
	} {
		a, b := onDisk(h), inBucket(h)
		if a.Status != b.Status || !bytes.Equal(a.Body, b.Body) {
			t.Fatalf("%v: disk %d (%d bytes), bucket %d (%d bytes)", h, a.Status, len(a.Body), b.Status, len(b.Body))
		}
		for _, k := range []string{"ETag", "Content-Range", "Content-Length", "Last-Modified", "Content-Type", "Accept-Ranges"} {
			if a.Header.Get(k) != b.Header.Get(k) {
				t.Errorf("%v: %s is %q on disk, %q in the bucket", h, k, a.Header.Get(k), b.Header.Get(k))
			}
		}
		if b.Header.Get("ETag") != etag {
			t.Errorf("%v: ETag %q", h, b.Header.Get("ETag"))
		}
	}
	if keys := bucket.S3.Keys(t, pacertest.MediaPrefix+"/blobs/"); len(keys) != 1 {
		t.Fatalf("blobs in the bucket: %v", keys)
	}
}
