// Package s3blobs keeps media bytes in an S3-compatible bucket (AWS S3,
// MinIO, Ceph, R2…), so that several replicas serve the same files: the
// media.Blobs of --media s3://bucket/prefix. The layout under the prefix:
//
//	blobs/<sha256 hex>       finished files, named by their content
//	tmp/upload-<random>      uploads still arriving (multipart uploads) or
//	                         finished but not yet committed
//	touch/<sha256 hex>       when a commit last found the blob present
//
// Uploads stream into a multipart upload of unknown length: the memory an
// upload holds is one part (PartSize), whatever its size. A finished upload
// becomes its blob by a server-side copy, so no byte crosses the network
// twice. Objects never change once written, so a blob's bytes are its name.
package s3blobs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"pacer/media"
)

// Config says which bucket to use and how to reach it.
type Config struct {
	// Endpoint is host[:port]; Secure chooses HTTPS.
	Endpoint string
	Secure   bool
	Region   string
	Bucket   string
	// Prefix is prepended to every key ("" or a path without slashes at
	// either end).
	Prefix string
	// PathStyle addresses the bucket as endpoint/bucket rather than
	// bucket.endpoint (MinIO and most self-hosted servers need it).
	PathStyle bool
	// AccessKeyID and SecretAccessKey sign the requests; both empty sends
	// them unsigned.
	AccessKeyID, SecretAccessKey string
	// PartSize is the size of each part of an upload, and so the memory an
	// upload in flight holds; 0 is DefaultPartSize. S3 wants at least
	// 5 MiB, and at most 10,000 parts, which bounds an upload at 10,000 ×
	// PartSize.
	PartSize uint64
}

// DefaultPartSize allows uploads of up to 156 GiB.
const DefaultPartSize = 16 << 20

// minPartSize is S3's smallest part but the last.
const minPartSize = 5 << 20

// ParseURL reads s3://bucket/prefix?endpoint=http://host:9000&region=…&path_style=true.
// Without endpoint the bucket is on AWS (https://s3.amazonaws.com).
// Credentials never go in the URL: they come from the environment, so that
// the URL can be logged.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not the URL itself: it could hold a secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Config{}, fmt.Errorf("media URL: %w", err)
	}
	if u.User != nil {
		return Config{}, errors.New("media URL: credentials do not go in the URL; set PACER_S3_ACCESS_KEY_ID and PACER_S3_SECRET_ACCESS_KEY")
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("media URL %q: the scheme must be s3://", raw)
	}
	cfg := Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), Endpoint: "s3.amazonaws.com", Secure: true}
	if cfg.Bucket == "" {
		return Config{}, fmt.Errorf("media URL %q names no bucket (s3://bucket/prefix)", raw)
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || (e.Path != "" && e.Path != "/") {
				return Config{}, fmt.Errorf("media URL: endpoint %q must be http://host[:port] or https://host[:port]", v)
			}
			cfg.Endpoint, cfg.Secure = e.Host, e.Scheme == "https"
		case "region":
			cfg.Region = v
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("media URL: path_style %q must be true or false", v)
			}
			cfg.PathStyle = b
		default:
			return Config{}, fmt.Errorf("media URL: unknown parameter %q (endpoint, region and path_style are known)", k)
		}
	}
	return cfg, nil
}

// Store is a bucket holding media blobs.
type Store struct {
	client   *minio.Client
	core     minio.Core
	bucket   string
	prefix   string // "" or ending in "/"
	partSize uint64
}

var _ media.Blobs = (*Store)(nil)

// New connects to the bucket; it sends no request (Ping does).
func New(cfg Config) (*Store, error) {
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		// A few retries ride out a blip; ten (the default, with backoff)
		// would hold an upload's request for many seconds of an outage.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("media bucket: %w", err)
	}
	part := cfg.PartSize
	if part == 0 {
		part = DefaultPartSize
	}
	if part < minPartSize {
		return nil, fmt.Errorf("media bucket: part size %d is below S3's minimum of 5 MiB", part)
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, prefix: prefix, partSize: part}, nil
}

// Shared: other processes may use the bucket at the same time.
func (s *Store) Shared() bool { return true }

func (s *Store) blobKey(sum string) string  { return s.prefix + "blobs/" + sum }
func (s *Store) touchKey(sum string) string { return s.prefix + "touch/" + sum }
func (s *Store) tmpPrefix() string          { return s.prefix + "tmp/upload-" }

// notFound reports whether err is the bucket's "no such key".
func notFound(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.StatusCode == http.StatusNotFound || r.Code == "NoSuchKey"
}

// Ping asks whether the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("media bucket %q does not exist", s.bucket)
	}
	return nil
}

// Touched is the later of the blob's own time and its touch marker's.
func (s *Store) Touched(ctx context.Context, sum string) (time.Time, error) {
	if !media.ValidSum(sum) {
		return time.Time{}, media.ErrNoBlob
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.blobKey(sum), minio.StatObjectOptions{})
	if notFound(err) {
		return time.Time{}, media.ErrNoBlob
	}
	if err != nil {
		return time.Time{}, err
	}
	t := info.LastModified
	touch, err := s.client.StatObject(ctx, s.bucket, s.touchKey(sum), minio.StatObjectOptions{})
	switch {
	case err == nil && touch.LastModified.After(t):
		t = touch.LastModified
	case err != nil && !notFound(err):
		return time.Time{}, err
	}
	return t, nil
}

// Each lists blobs/.
func (s *Store) Each(ctx context.Context, fn func(sum string, listed time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the listing if fn stops it early
	prefix := s.prefix + "blobs/"
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		sum := strings.TrimPrefix(obj.Key, prefix)
		if !media.ValidSum(sum) {
			continue
		}
		if err := fn(sum, obj.LastModified); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Remove deletes the blob and its touch marker.
func (s *Store) Remove(ctx context.Context, sum string) error {
	if !media.ValidSum(sum) {
		return nil
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.blobKey(sum), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.touchKey(sum), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return err
	}
	return nil
}

// SweepTemps removes finished but uncommitted uploads last written before
// the instant, and multipart uploads neither started nor added to since
// (a process that crashed mid-upload leaves one; the bucket keeps its parts,
// and bills them, until it is aborted).
func (s *Store) SweepTemps(ctx context.Context, before time.Time) (int, error) {
	n := 0
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stale []string
	for obj := range s.client.ListObjects(listCtx, s.bucket, minio.ListObjectsOptions{Prefix: s.tmpPrefix(), Recursive: true}) {
		if obj.Err != nil {
			return n, obj.Err
		}
		if obj.LastModified.Before(before) {
			stale = append(stale, obj.Key)
		}
	}
	for _, key := range stale {
		if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
			return n, err
		}
		n++
	}
	type upload struct{ key, id string }
	var old []upload
	for up := range s.client.ListIncompleteUploads(listCtx, s.bucket, s.tmpPrefix(), true) {
		if up.Err != nil {
			return n, up.Err
		}
		if up.Initiated.Before(before) {
			old = append(old, upload{up.Key, up.UploadID})
		}
	}
	for _, up := range old {
		// A long upload started long ago but is still adding parts.
		last, err := s.lastPart(ctx, up.key, up.id)
		if notFound(err) {
			continue // finished or aborted meanwhile
		}
		if err != nil {
			return n, err
		}
		if !last.Before(before) {
			continue
		}
		if err := s.core.AbortMultipartUpload(ctx, s.bucket, up.key, up.id); err != nil && !notFound(err) {
			return n, err
		}
		n++
	}
	return n, nil
}

// lastPart is when the newest part of a multipart upload arrived (zero
// when none has).
func (s *Store) lastPart(ctx context.Context, key, id string) (time.Time, error) {
	var last time.Time
	marker := 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, id, marker, 1000)
		if err != nil {
			return last, err
		}
		for _, p := range res.ObjectParts {
			if p.LastModified.After(last) {
				last = p.LastModified
			}
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return last, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// Open stats the blob (its size is what Seek from the end and reads past it
// need) and reads it in ranged GETs.
func (s *Store) Open(ctx context.Context, sum string) (media.Blob, error) {
	if !media.ValidSum(sum) {
		return nil, fmt.Errorf("media: bad blob name %q", sum)
	}
	key := s.blobKey(sum)
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if notFound(err) {
		return nil, media.ErrNoBlob
	}
	if err != nil {
		return nil, err
	}
	return &object{s: s, key: key, size: info.Size, ctx: context.WithoutCancel(ctx)}, nil
}

// getRange reads n bytes of key from off in one request.
func (s *Store) getRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	var opts minio.GetObjectOptions
	if err := opts.SetRange(off, off+n-1); err != nil {
		return nil, err
	}
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, key, opts)
	return rc, err
}

// readAt is ReaderAt over an object of a known size.
func (s *Store) readAt(ctx context.Context, key string, size int64, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("media: negative offset")
	}
	if off >= size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), size-off)
	if want == 0 {
		return 0, nil
	}
	rc, err := s.getRange(ctx, key, off, want)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p[:want])
	if err != nil {
		return n, err
	}
	if want < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

// object is an opened blob: a position for Read and Seek, and ranged GETs.
type object struct {
	s    *Store
	key  string
	size int64
	ctx  context.Context
	off  int64
	body io.ReadCloser // the open GET from off to the end, if any
}

func (o *object) ReadAt(p []byte, off int64) (int, error) {
	return o.s.readAt(o.ctx, o.key, o.size, p, off)
}

func (o *object) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		rc, err := o.s.getRange(o.ctx, o.key, o.off, o.size-o.off)
		if err != nil {
			return 0, err
		}
		o.body = rc
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	if err == io.EOF && o.off < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("media: seek before the start")
	}
	if offset != o.off && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.off = offset
	return offset, nil
}

// Section fetches n bytes from off in one ranged GET (serving uses it).
func (o *object) Section(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	return o.s.getRange(ctx, o.key, off, n)
}

func (o *object) Close() error {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
	return nil
}

// errAborted is what the multipart upload reads when the writer gives up.
var errAborted = errors.New("media: upload aborted")

// putOptions: parts of PartSize, and payloads sent as they are rather
// than in signed aws-chunked framing, which not every S3-compatible server
// decodes in multipart uploads (gofakes3 stores the framing as data). The
// bytes are checked by their SHA-256 on the way in regardless, and HTTPS
// protects them on the wire.
func (s *Store) putOptions() minio.PutObjectOptions {
	return minio.PutObjectOptions{PartSize: s.partSize, ContentType: "application/octet-stream", DisableContentSha256: true}
}

// Create starts a multipart upload of unknown length to a temporary key.
// The bytes go through a pipe to minio's PutObject, which sends a part
// each time PartSize bytes have arrived; a failed read (Abort, the limit)
// makes it abort the multipart upload, so nothing is left.
func (s *Store) Create(ctx context.Context, limit int64) (media.BlobWriter, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &writer{s: s, ctx: ctx, key: s.tmpPrefix() + hex.EncodeToString(rnd[:]), limit: limit, h: sha256.New(),
		pw: pw, done: make(chan struct{})}
	// The upload outlives a cancelled request only until Abort, which
	// closes the pipe; with the request's ctx a cancellation would also
	// stop minio's own abort of the multipart upload.
	upCtx := context.WithoutCancel(ctx)
	go func() {
		defer close(w.done)
		_, err := s.client.PutObject(upCtx, s.bucket, w.key, pr, -1, s.putOptions())
		w.putErr = err
		// Writes blocked on a reader that has gone fail rather than hang.
		pr.CloseWithError(errors.Join(errors.New("media: upload to the bucket failed"), err))
	}()
	return w, nil
}

// writer is an upload in flight.
type writer struct {
	s *Store
	// ctx is the upload's: the reads of the checks end with it.
	ctx   context.Context
	key   string
	limit int64
	h     hash.Hash
	size  int64
	pw    *io.PipeWriter

	done   chan struct{} // closed when PutObject has returned
	putErr error         // its answer, once done

	mu        sync.Mutex
	finished  bool // the temporary object exists
	committed bool
}

func (w *writer) Write(p []byte) (int, error) {
	if int64(len(p)) > w.limit-w.size {
		return 0, media.ErrBlobTooLarge
	}
	n, err := w.pw.Write(p)
	w.h.Write(p[:n])
	w.size += int64(n)
	return n, err
}

func (w *writer) Size() int64 { return w.size }

func (w *writer) Sum() string { return hex.EncodeToString(w.h.Sum(nil)) }

// Finish ends the stream and waits for the bucket to complete the
// multipart upload.
func (w *writer) Finish(ctx context.Context) error {
	w.pw.Close()
	select {
	case <-w.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if w.putErr != nil {
		return w.putErr
	}
	w.mu.Lock()
	w.finished = true
	w.mu.Unlock()
	return nil
}

func (w *writer) ReadAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	finished := w.finished
	w.mu.Unlock()
	if !finished {
		return 0, errors.New("media: the upload is not finished")
	}
	return w.s.readAt(w.ctx, w.key, w.size, p, off)
}

// Commit copies the temporary object to blobs/<sha256> on the server unless
// that blob exists (then it writes the touch marker instead), and removes
// the temporary object.
func (w *writer) Commit(ctx context.Context) (created bool, err error) {
	w.mu.Lock()
	finished := w.finished
	w.mu.Unlock()
	if !finished {
		return false, errors.New("media: commit of an unfinished upload")
	}
	sum := w.Sum()
	dst := w.s.blobKey(sum)
	_, err = w.s.client.StatObject(ctx, w.s.bucket, dst, minio.StatObjectOptions{})
	switch {
	case err == nil:
		if _, err := w.s.client.PutObject(ctx, w.s.bucket, w.s.touchKey(sum), strings.NewReader(""), 0, w.s.putOptions()); err != nil {
			return false, err
		}
	case notFound(err):
		if err := w.s.copyObject(ctx, w.key, dst, w.size); err != nil {
			return false, err
		}
		created = true
	default:
		return false, err
	}
	w.mu.Lock()
	w.committed = true
	w.mu.Unlock()
	// Left behind on failure, the temporary object goes at the next sweep.
	_ = w.s.client.RemoveObject(context.WithoutCancel(ctx), w.s.bucket, w.key, minio.RemoveObjectOptions{})
	return created, nil
}

// maxCopySize is the largest object S3 copies in one request.
const maxCopySize = 5 << 30

// copyObject copies src to dst on the server: in one CopyObject request up
// to 5 GiB, in part copies (ComposeObject) beyond.
func (s *Store) copyObject(ctx context.Context, src, dst string, size int64) error {
	var err error
	if size <= maxCopySize {
		_, err = s.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: dst},
			minio.CopySrcOptions{Bucket: s.bucket, Object: src})
	} else {
		_, err = s.client.ComposeObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: dst},
			minio.CopySrcOptions{Bucket: s.bucket, Object: src})
	}
	return err
}

// Abort stops the upload: the pipe's error makes PutObject abort the
// multipart upload, and a finished temporary object is removed.
func (w *writer) Abort() {
	w.mu.Lock()
	committed := w.committed
	w.mu.Unlock()
	if committed {
		return
	}
	w.pw.CloseWithError(errAborted)
	<-w.done
	w.mu.Lock()
	finished := w.finished
	w.mu.Unlock()
	if finished || w.putErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = w.s.client.RemoveObject(ctx, w.s.bucket, w.key, minio.RemoveObjectOptions{})
	}
}
