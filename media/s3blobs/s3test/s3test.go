// Package s3test runs an S3-compatible server in the test process
// (gofakes3 with its in-memory backend) on a real loopback listener, with
// one bucket, for the tests of media on a bucket. It can be stopped and
// started again on the same address, keeping its objects and its
// multipart uploads, to test what an outage does. It is imported only by
// tests.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"pacer/media/s3blobs"
)

// Bucket is the bucket every Server holds.
const Bucket = "pacer-media"

// Server is one fake S3 server.
type Server struct {
	handler http.Handler
	addr    string

	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
}

// Start starts a server with an empty Bucket until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// New starts a server with an empty Bucket, for a caller that outlives one
// test (a cluster shared by a package's tests); Stop stops it.
func New() (*Server, error) {
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		return nil, err
	}
	s := &Server{handler: gofakes3.New(backend).Server()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	// gofakes3 answers a listing of multipart uploads in a bucket that has
	// never had one with NoSuchUpload, where S3 answers an empty list; one
	// upload started and aborted outside every prefix the tests use makes
	// it answer as S3 does.
	c, err := s.client()
	if err == nil {
		core := minio.Core{Client: c}
		ctx := context.Background()
		var id string
		if id, err = core.NewMultipartUpload(ctx, Bucket, "s3test/primer", minio.PutObjectOptions{}); err == nil {
			err = core.AbortMultipartUpload(ctx, Bucket, "s3test/primer", id)
		}
	}
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("prime the multipart uploads of the fake S3 server: %w", err)
	}
	return s, nil
}

// Env is the credentials a pacer process needs for the bucket.
func (s *Server) Env() []string {
	return []string{"PACER_S3_ACCESS_KEY_ID=test-key", "PACER_S3_SECRET_ACCESS_KEY=test-secret"}
}

func (s *Server) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	s.mu.Lock()
	s.srv, s.done = srv, done
	s.mu.Unlock()
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the --media value of the bucket with keys under prefix.
func (s *Server) URL(prefix string) string {
	return "s3://" + Bucket + "/" + prefix + "?endpoint=http://" + s.addr + "&region=us-east-1&path_style=true"
}

// Config is the s3blobs configuration of the bucket with keys under prefix.
func (s *Server) Config(prefix string) s3blobs.Config {
	return s3blobs.Config{Endpoint: s.addr, Region: "us-east-1", Bucket: Bucket, Prefix: prefix, PathStyle: true,
		AccessKeyID: "test-key", SecretAccessKey: "test-secret"}
}

// Client is a client of the server, for tests that look inside the bucket.
func (s *Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := s.client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *Server) client() (*minio.Client, error) {
	return minio.New(s.addr, &minio.Options{Creds: credentials.NewStaticV4("test-key", "test-secret", ""),
		Region: "us-east-1", BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
}

// Keys lists the objects under prefix, sorted.
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	var out []string
	for o := range s.Client(t).ListObjects(context.Background(), Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, o.Key)
	}
	sort.Strings(out)
	return out
}

// Uploads lists the keys of the multipart uploads under prefix that are
// neither completed nor aborted.
func (s *Server) Uploads(t testing.TB, prefix string) []string {
	t.Helper()
	var out []string
	for u := range s.Client(t).ListIncompleteUploads(context.Background(), Bucket, prefix, true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		out = append(out, u.Key)
	}
	sort.Strings(out)
	return out
}

// Stop closes the listener and every connection: the bucket is
// unreachable until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
		<-done
	}
}

// Restart serves again on the same address, with the same objects.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ln, err := net.Listen("tcp", s.addr)
		if err == nil {
			s.serve(ln)
			return
		}
		// The port may be held for a moment after the close.
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
