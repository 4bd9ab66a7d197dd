package media_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"pacer/media"
	"pacer/pacertest"
	"pacer/server"
)

// rawRequest opens a connection to base and writes a request head.
func rawRequest(t *testing.T, base, head string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c
}

func readResponse(t *testing.T, c net.Conn) (*http.Response, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

func uploadHead(w world, length string, chunked bool) string {
	h := fmt.Sprintf("POST /api/v1/courses/%d/media HTTP/1.1\r\nHost: pacer.test\r\nAuthorization: Bearer %s\r\nContent-Type: video/webm\r\n",
		w.course, w.teacher.Token)
	if chunked {
		return h + "Transfer-Encoding: chunked\r\n\r\n"
	}
	return h + "Content-Length: " + length + "\r\n\r\n"
}

func expectNothingLeft(t *testing.T, env *pacertest.Env) {
	t.Helper()
	if n := mediaRecords(t, env); n != 0 {
		t.Fatalf("%d media records left", n)
	}
	if left := append(files(t, env, "tmp"), files(t, env, "blobs")...); len(left) != 0 {
		t.Fatalf("files left: %v", left)
	}
}

func TestAnUploadDeclaredTooLargeIs413BeforeItsBodyIsSent(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.MaxUploadBytes = 8 << 20 })
	w := newWorld(t, env)
	base := listen(t, env)
	// A gigabyte is announced but only 64 KiB are sent: the answer must
	// come without waiting for the rest.
	c := rawRequest(t, base, uploadHead(w, fmt.Sprint(1<<30), false))
	if _, err := c.Write(webmFile(10, 64<<10)); err != nil {
		t.Fatal(err)
	}
	res, body := readResponse(t, c)
	if res.StatusCode != 413 || !strings.Contains(body, `"code":"too_large"`) || !res.Close {
		t.Fatalf("got %d (close %v) %s", res.StatusCode, res.Close, body)
	}
	expectNothingLeft(t, env)
}

// endless is a WebM header followed by zeros, forever or up to n bytes,
// without allocating the body.
type endless struct {
	head []byte
	n    int64 // bytes left; < 0 means no end
	// every, when set, is called each time another 16 MiB has been read.
	every func()
	read  int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, io.EOF
	}
	if e.n > 0 && int64(len(p)) > e.n {
		p = p[:e.n]
	}
	k := 0
	if len(e.head) > 0 {
		k = copy(p, e.head)
		e.head = e.head[k:]
	}
	clear(p[k:])
	before := e.read
	e.read += int64(len(p))
	if e.every != nil && before/(16<<20) != e.read/(16<<20) {
		e.every()
	}
	if e.n > 0 {
		e.n -= int64(len(p))
	}
	return len(p), nil
}

func TestAChunkedUploadIsCutOffAtTheLimit(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.MaxUploadBytes = 4 << 20 })
	w := newWorld(t, env)
	base := listen(t, env)
	c := rawRequest(t, base, uploadHead(w, "", true))
	go func() {
		// Chunks of 64 KiB until the server hangs up.
		bw := bufio.NewWriter(c)
		src := &endless{head: webmFile(10, 1000), n: -1}
		buf := make([]byte, 64<<10)
		for {
			src.Read(buf)
			fmt.Fprintf(bw, "%x\r\n", len(buf))
			bw.Write(buf)
			if _, err := bw.WriteString("\r\n"); err != nil {
				return
			}
			if bw.Flush() != nil {
				return
			}
		}
	}()
	res, body := readResponse(t, c)
	if res.StatusCode != 413 || !strings.Contains(body, `"code":"too_large"`) {
		t.Fatalf("got %d %s", res.StatusCode, body)
	}
	expectNothingLeft(t, env)
}

func TestAnUploadCutOffByTheClientLeavesNothing(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	ended := make(chan media.UploadResult, 1)
	env.Server.Media.Observe = func(r media.UploadResult) { ended <- r }
	base := listen(t, env)
	c := rawRequest(t, base, uploadHead(w, fmt.Sprint(10<<20), false))
	if _, err := io.Copy(c, &endless{head: webmFile(10, 1000), n: 3 << 20}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case r := <-ended:
		if r.Err == nil {
			t.Fatalf("the cut-off upload succeeded: %+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the upload never ended")
	}
	expectNothingLeft(t, env)
	// The server is fine afterwards.
	m := mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(10, 2000), "")
	if m.Size != 2000 {
		t.Fatalf("later upload: %+v", m)
	}
}

func TestUploading512MiBKeepsTheHeapSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 512 MiB")
	}
	env := pacertest.New(t)
	if env.S3 != nil {
		// gofakes3 keeps every byte (and every part, until the upload
		// completes) in this process's heap: the heap measures it, not
		// the server. On a bucket an upload holds one part (s3blobs).
		t.Skip("the S3 server of the test runs in this process and keeps its objects in the heap")
	}
	w := newWorld(t, env)
	base := listen(t, env)
	const size = 512 << 20
	runtime.GC()
	var before, now runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapAlloc
	src := &endless{head: webmFile(600, 1000), n: size}
	src.every = func() {
		runtime.ReadMemStats(&now)
		peak = max(peak, now.HeapAlloc)
	}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/courses/%d/media", base, w.course), src)
	req.ContentLength = size
	req.Header.Set("Content-Type", "video/webm")
	req.Header.Set("Authorization", "Bearer "+w.teacher.Token)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&now)
	peak = max(peak, now.HeapAlloc)
	if res.StatusCode != 201 || !strings.Contains(string(raw), fmt.Sprintf(`"size":%d`, size)) {
		t.Fatalf("upload: %d %s", res.StatusCode, raw)
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("512 MiB in %v (%.0f MiB/s); heap growth at peak %.1f MiB; allocated in total %.1f MiB",
		elapsed.Round(time.Millisecond), 512/elapsed.Seconds(), float64(growth)/(1<<20),
		float64(now.TotalAlloc-before.TotalAlloc)/(1<<20))
	if growth > 64<<20 {
		t.Fatalf("heap grew by %d MiB", growth>>20)
	}
}

// A streamed upload whose uploader's sign-in changes while the body is on
// its way (a new name here) is stored once, whole: its token is checked
// before the body is read, since a request run again after a late check
// could not read its body a second time.
func TestAStreamedUploadSurvivesASignInChangeMidway(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	cacheSignin(t, env, w.teacher)
	// From here on the server is reached only through its listener.
	base := listen(t, env)
	body := webmFile(10, 2<<20) // past the server's BodyLimit: streamed
	c := rawRequest(t, base, uploadHead(w, fmt.Sprint(len(body)), false))
	half := len(body) / 2
	if _, err := c.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	rename, err := http.NewRequest("PATCH", base+"/api/v1/me", strings.NewReader(`{"name": "Teacher Renamed"}`))
	if err != nil {
		t.Fatal(err)
	}
	rename.Header.Set("Authorization", "Bearer "+w.teacher.Token)
	rename.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(rename)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("rename: %d", res.StatusCode)
	}
	if _, err := c.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	res, got := readResponse(t, c)
	if res.StatusCode != 201 || !strings.Contains(got, fmt.Sprintf(`"size":%d`, len(body))) {
		t.Fatalf("upload: %d %s", res.StatusCode, got)
	}
	if n := mediaRecords(t, env); n != 1 {
		t.Fatalf("%d media records, want 1", n)
	}
}

// A small upload whose uploader's sign-in changed since its check was
// cached is stored once, whole. Where that check is put off to go with the
// request's first statement (PostgreSQL), the statement finds it stale and
// the request is routed again: its body, held whole before the handler
// (api.HoldBody) rather than left a stream the first run consumed, is read
// a second time.
func TestASmallUploadRoutedAgainIsStoredOnceWhole(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	cacheSignin(t, env, w.teacher)
	if r := env.Do("PATCH", "/api/v1/me", w.teacher.Token, map[string]any{"name": "Teacher Renamed"}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	body := webmFile(3, 20<<10)
	r := upload(env, w.teacher, w.course, "video/webm", body, "")
	var m mediaView
	if r.Status == 201 {
		r.Decode(&m)
	}
	if r.Status != 201 || m.Size != int64(len(body)) {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if n := mediaRecords(t, env); n != 1 {
		t.Fatalf("%d media records, want 1", n)
	}
}

// cacheSignin makes two requests as u, after which u's sign-in check is
// answered from the cache.
func cacheSignin(t *testing.T, env *pacertest.Env, u pacertest.User) {
	t.Helper()
	for range 2 {
		if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 200 {
			t.Fatalf("me: %d %s", r.Status, r.Body)
		}
	}
}
