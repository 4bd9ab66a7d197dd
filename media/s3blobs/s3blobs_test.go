package s3blobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"pacer/media"
	"pacer/media/blobstest"
	"pacer/media/s3blobs"
	"pacer/media/s3blobs/s3test"
)

func open(t *testing.T, srv *s3test.Server, prefix string) *s3blobs.Store {
	t.Helper()
	cfg := srv.Config(prefix)
	cfg.PartSize = 5 << 20
	s, err := s3blobs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestABucketKeepsTheBlobContract(t *testing.T) {
	srv := s3test.Start(t)
	n := 0
	blobstest.Run(t, func(t *testing.T) media.Blobs {
		// Each store its own prefix in the one bucket: they must not see
		// each other's keys.
		n++
		return open(t, srv, "store"+strings.Repeat("x", n))
	})
}

// data is n bytes that differ with seed.
func data(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) ^ seed ^ byte(i>>13)
	}
	return b
}

// An upload refused past its limit after parts have gone to the bucket
// aborts its multipart upload: no part, no object, nothing to sweep.
func TestALimitPassedMidStreamLeavesNoUploadBehind(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "media")
	ctx := context.Background()
	w, err := s.Create(ctx, 12<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 11 { // 11 MiB: two 5 MiB parts are sent meanwhile
		if _, err := w.Write(data(1<<20, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	if up := srv.Uploads(t, "media/"); len(up) != 1 {
		t.Fatalf("the upload in flight is not a multipart upload: %v", up)
	}
	if _, err := w.Write(data(2<<20, 99)); !errors.Is(err, media.ErrBlobTooLarge) {
		t.Fatalf("write past the limit: %v", err)
	}
	w.Abort()
	if up := srv.Uploads(t, "media/"); len(up) != 0 {
		t.Fatalf("multipart uploads left: %v", up)
	}
	if keys := srv.Keys(t, ""); len(keys) != 0 {
		t.Fatalf("objects left: %v", keys)
	}
}

// A blob of several parts is committed by a server-side copy to
// blobs/<sha256>, and the temporary object goes.
func TestAMultipartUploadIsCommittedUnderItsContentAddress(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "media")
	ctx := context.Background()
	var all []byte
	w, err := s.Create(ctx, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := range 12 {
		b := data(1<<20, byte(i))
		all = append(all, b...)
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if created, err := w.Commit(ctx); err != nil || !created {
		t.Fatalf("commit: %v %v", created, err)
	}
	if keys := srv.Keys(t, ""); len(keys) != 1 || keys[0] != "media/blobs/"+w.Sum() {
		t.Fatalf("keys: %v", keys)
	}
	f, err := s.Open(ctx, w.Sum())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, all) {
		t.Fatalf("read back %d of %d bytes: %v", len(got), len(all), err)
	}
	// The same bytes again: dropped, with a touch marker for the sweep.
	w2, err := s.Create(ctx, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Abort()
	if _, err := w2.Write(all); err != nil {
		t.Fatal(err)
	}
	if err := w2.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if created, err := w2.Commit(ctx); err != nil || created {
		t.Fatalf("second commit: %v %v", created, err)
	}
	if keys := srv.Keys(t, ""); len(keys) != 2 || keys[0] != "media/blobs/"+w.Sum() || keys[1] != "media/touch/"+w.Sum() {
		t.Fatalf("keys: %v", keys)
	}
	if err := s.Remove(ctx, w.Sum()); err != nil {
		t.Fatal(err)
	}
	if keys := srv.Keys(t, ""); len(keys) != 0 {
		t.Fatalf("keys after remove: %v", keys)
	}
}

// A process that died mid-upload leaves an incomplete multipart upload
// with its parts; the sweep aborts it once it is idle.
func TestTheSweepAbortsMultipartUploadsACrashLeft(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "media")
	ctx := context.Background()
	core := minio.Core{Client: srv.Client(t)}
	id, err := core.NewMultipartUpload(ctx, s3test.Bucket, "media/tmp/upload-crashed", minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part := data(5<<20, 1)
	if _, err := core.PutObjectPart(ctx, s3test.Bucket, "media/tmp/upload-crashed", id, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}
	// Another prefix's upload is not this store's.
	if _, err := core.NewMultipartUpload(ctx, s3test.Bucket, "other/tmp/upload-x", minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepTemps(ctx, time.Now().Add(-time.Hour)); n != 0 || err != nil {
		t.Fatalf("sweep of a recent upload: %d %v", n, err)
	}
	if n, err := s.SweepTemps(ctx, time.Now().Add(time.Hour)); n != 1 || err != nil {
		t.Fatalf("sweep: %d %v, want 1", n, err)
	}
	if up := srv.Uploads(t, ""); len(up) != 1 || up[0] != "other/tmp/upload-x" {
		t.Fatalf("uploads left: %v", up)
	}
}

func TestAnUnreachableBucketFailsPingUntilItIsBack(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "media")
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err == nil {
		t.Fatal("ping of a stopped server succeeded")
	}
	srv.Restart(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping after the restart: %v", err)
	}
	missing := srv.Config("x")
	missing.Bucket = "no-such-bucket"
	m, err := s3blobs.New(missing)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ping(ctx); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("ping of a missing bucket: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	cfg, err := s3blobs.ParseURL("s3://media-bucket/pacer/prod/?endpoint=http://minio:9000&region=eu-west-1&path_style=true")
	want := s3blobs.Config{Endpoint: "minio:9000", Region: "eu-west-1", Bucket: "media-bucket", Prefix: "pacer/prod", PathStyle: true}
	if err != nil || cfg != want {
		t.Fatalf("got %+v %v", cfg, err)
	}
	cfg, err = s3blobs.ParseURL("s3://b")
	if err != nil || cfg != (s3blobs.Config{Endpoint: "s3.amazonaws.com", Secure: true, Bucket: "b"}) {
		t.Fatalf("AWS default: %+v %v", cfg, err)
	}
	for raw, want := range map[string]string{
		"http://bucket/x":                        "scheme",
		"s3:///prefix":                           "no bucket",
		"s3://key:secret@bucket/x":               "PACER_S3_ACCESS_KEY_ID",
		"s3://b/x?endpoint=minio:9000":           "endpoint",
		"s3://b/x?endpoint=ftp://h":              "endpoint",
		"s3://b/x?path_style=maybe":              "path_style",
		"s3://b/x?secret=1":                      "unknown parameter",
		"s3://b/x?endpoint=http://h:9000/a/path": "endpoint",
		"s3://b/%zz":                             "media URL",
	} {
		if _, err := s3blobs.ParseURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error about %q", raw, err, want)
		}
	}
}
