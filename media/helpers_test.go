package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"pacer/media"
	"pacer/media/s3blobs/s3test"
	"pacer/pacertest"
)

type mediaSweep = media.SweepResult

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ebml builds an EBML element with an 8-byte size.
func ebml(id []byte, data ...[]byte) []byte {
	body := bytes.Join(data, nil)
	size := make([]byte, 8)
	binary.BigEndian.PutUint64(size, uint64(len(body)))
	size[0] = 0x01
	return bytes.Join([][]byte{id, size, body}, nil)
}

// webmFile is a WebM header that states a duration, padded to n bytes
// with a Void element, so that the sniffer and the duration probe accept
// it. Its bytes differ with seconds and n.
func webmFile(seconds float64, n int) []byte {
	f64 := make([]byte, 8)
	binary.BigEndian.PutUint64(f64, math.Float64bits(seconds*1000))
	head := ebml([]byte{0x1A, 0x45, 0xDF, 0xA3}, ebml([]byte{0x42, 0x82}, []byte("webm")))
	info := ebml([]byte{0x15, 0x49, 0xA9, 0x66},
		ebml([]byte{0x2A, 0xD7, 0xB1}, []byte{0x0F, 0x42, 0x40}), // TimestampScale 1,000,000 ns
		ebml([]byte{0x44, 0x89}, f64))
	seg := ebml([]byte{0x18, 0x53, 0x80, 0x67}, info)
	out := append(head, seg...)
	if pad := n - len(out) - 9; pad > 0 {
		out = append(out, ebml([]byte{0xEC}, make([]byte, pad))...)
	}
	return out
}

// pdfFile is a tiny PDF-looking file.
func pdfFile(text string) []byte {
	return []byte("%PDF-1.4\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

const goodVTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello and welcome.\n\n00:02.000 --> 00:05.000\n<v Ada>Today: variance.\n"

// world is a course with an instructor, a TA, two students and an
// outsider.
type world struct {
	env                     *pacertest.Env
	teacher, ta, sam, kim   pacertest.User
	outsider                pacertest.User
	course, module, course2 uint64
}

func newWorld(t *testing.T, env *pacertest.Env) world {
	t.Helper()
	w := world{env: env}
	w.teacher = env.Register("Teacher")
	w.ta = env.Register("Tess TA")
	w.sam = env.Register("Sam")
	w.kim = env.Register("Kim")
	w.outsider = env.Register("Otto")
	w.course = env.Course(w.teacher, map[string]any{"pacing": "self_paced"})
	w.course2 = env.Course(w.outsider, nil)
	env.SetRole(w.teacher, w.course, w.ta, "ta")
	env.Enroll(w.sam, w.course)
	env.Enroll(w.kim, w.course)
	w.module = env.Module(w.teacher, w.course, map[string]any{"title": "Week 1"})
	return w
}

// upload posts bytes as a file of the given type.
func upload(env *pacertest.Env, u pacertest.User, course uint64, ctype string, body []byte, query string) pacertest.Resp {
	env.T.Helper()
	return env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media%s", course, query), u.Token, body,
		map[string]string{"Content-Type": ctype})
}

type mediaView struct {
	ID              uint64 `json:"id"`
	ContentType     string `json:"content_type"`
	Size            int64  `json:"size"`
	SHA256          string `json:"sha256"`
	DurationSeconds *int64 `json:"duration_seconds"`
	Filename        string `json:"filename"`
	Purpose         string `json:"purpose"`
}

func mustUpload(t *testing.T, env *pacertest.Env, u pacertest.User, course uint64, ctype string, body []byte, query string) mediaView {
	t.Helper()
	r := upload(env, u, course, ctype, body, query)
	if r.Status != 201 {
		t.Fatalf("upload %s: %d %s", ctype, r.Status, r.Body)
	}
	var m mediaView
	r.Decode(&m)
	return m
}

// files lists the regular files under <data>/media/<sub>, or in a bucket
// the objects under media/<sub>/ and, for tmp, the multipart uploads still
// open there.
func files(t *testing.T, env *pacertest.Env, sub string) []string {
	t.Helper()
	if env.S3 != nil {
		prefix := pacertest.MediaPrefix + "/" + sub + "/"
		out := env.S3.Keys(t, prefix)
		if sub == "tmp" {
			out = append(out, env.S3.Uploads(t, prefix)...)
		}
		return out
	}
	var out []string
	root := filepath.Join(env.Dir, "media", sub)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plant puts a file in <data>/media/<sub> as a crash would have left it
// (a blob goes under its fan-out directory), or the object in the bucket.
func plant(t *testing.T, env *pacertest.Env, sub, name, content string) {
	t.Helper()
	if env.S3 != nil {
		_, err := env.S3.Client(t).PutObject(context.Background(), s3test.Bucket, pacertest.MediaPrefix+"/"+sub+"/"+name,
			strings.NewReader(content), int64(len(content)), minio.PutObjectOptions{DisableContentSha256: true})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := filepath.Join(env.Dir, "media", sub)
	if sub == "blobs" {
		dir = filepath.Join(dir, name[:2])
	}
	mustWrite(t, filepath.Join(dir, name), content)
}

// mediaRecords counts the media records in the store.
func mediaRecords(t *testing.T, env *pacertest.Env) int {
	t.Helper()
	all, err := env.Server.Stores.Media.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// listen serves env on a real loopback listener until the test ends, for
// tests that stream bodies (app.Test buffers them).
func listen(t *testing.T, env *pacertest.Env) string {
	t.Helper()
	return "http://" + env.Listen(t)
}

// show makes a published file item of a media in the world's module, so
// that students may read it: a course file answers as the items that use
// it do, and one no item uses is the staff's.
func (w world) show(t *testing.T, mediaID uint64) uint64 {
	t.Helper()
	return w.env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "file", "title": "Shown", "media_id": mediaID, "published": true})
}
