package media

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/markdown"
	"pacer/modules"
	"pacer/storage"
)

// The benchmarks run without the HTTP server package (it imports this one),
// on the same store, course service and media service the server builds.
//
//	go test ./media -run '^$' -bench . -benchtime 3s

// zeros is an endless or bounded reader of a WebM header then zeros.
type zeros struct {
	head []byte
	n    int64
}

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	k := copy(p, z.head)
	z.head = z.head[k:]
	clear(p[k:])
	z.n -= int64(len(p))
	return len(p), nil
}

// webmHead is a WebM header stating a duration in seconds.
func webmHead(seconds float64) []byte {
	return cat(ebmlHeader, el(idSegment, info(tsScale(1_000_000), durF64(seconds*1000))))
}

type benchWorld struct {
	db      *storage.DB
	courses *modules.Service
	media   *Service
	course  uint64
	item    uint64
	users   []uint64
}

func newBenchWorld(b *testing.B, learners int) benchWorld {
	b.Helper()
	dir := b.TempDir()
	db, err := storage.Open(dir, storage.Options{MaxBatchSize: 2 * runtime.GOMAXPROCS(0) * 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	courses := modules.NewService(db, nil, BenchModules(db), nil, markdown.New(), nil)
	svc, err := New(Config{Tx: db, Store: BenchStore(db), Courses: courses, Dir: filepath.Join(dir, "media")})
	if err != nil {
		b.Fatal(err)
	}
	svc.Install(context.Background())
	w := benchWorld{db: db, courses: courses, media: svc}
	title, yes, pacing := "Bench", true, "self_paced"
	c, err := courses.CreateCourse(context.Background(), 1, modules.CourseInput{Title: &title, Published: &yes, Pacing: &pacing})
	if err != nil {
		b.Fatal(err)
	}
	w.course = c.ID
	mod, err := courses.CreateModule(context.Background(), 1, c.ID, modules.ModuleInput{Title: &title})
	if err != nil {
		b.Fatal(err)
	}
	m, err := svc.Upload(context.Background(), 1, UploadInput{CourseID: c.ID, ContentType: "video/webm", Length: -1}, &zeros{head: webmHead(36000), n: 4096})
	if err != nil {
		b.Fatal(err)
	}
	kind := modules.KindLecture
	it, err := courses.CreateItem(context.Background(), 1, c.ID, mod.ID, modules.ItemInput{Kind: &kind, Title: &title, MediaID: &m.ID})
	if err != nil {
		b.Fatal(err)
	}
	w.item = it.ID
	// A course of a realistic size: twelve weeks of eight pages, so that
	// the access check of each report reads what a real one would.
	page := modules.KindPage
	for i := 0; i < 12; i++ {
		mt := fmt.Sprintf("Week %d", i+1)
		extra, err := courses.CreateModule(context.Background(), 1, c.ID, modules.ModuleInput{Title: &mt})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 8; j++ {
			pt := fmt.Sprintf("Page %d", j+1)
			if _, err := courses.CreateItem(context.Background(), 1, c.ID, extra.ID, modules.ItemInput{Kind: &page, Title: &pt}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; i < learners; i++ {
		u := uint64(100 + i)
		if _, err := courses.Enroll(context.Background(), c.ID, u, "", "bench"); err != nil {
			b.Fatal(err)
		}
		w.users = append(w.users, u)
	}
	return w
}

// BenchmarkWatchHeartbeat64 has 64 learners report 10-second spans at
// once, through Watch as the HTTP handler calls it: one read transaction
// for access, then the write, coalesced by db.Batch or committed alone.
func BenchmarkWatchHeartbeat64(b *testing.B) {
	for _, mode := range []struct {
		name   string
		serial bool
	}{{"coalesced", false}, {"one-commit-each", true}} {
		b.Run(mode.name, func(b *testing.B) {
			w := newBenchWorld(b, 64)
			w.media.serialWrites = mode.serial
			var next sync.Mutex
			n := 0
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, u := range w.users {
				wg.Add(1)
				go func(u uint64) {
					defer wg.Done()
					for i := 0; ; i++ {
						next.Lock()
						if n >= b.N {
							next.Unlock()
							return
						}
						n++
						next.Unlock()
						from := float64(i%3000) * 10
						to := from + 10
						if _, err := w.media.Watch(context.Background(), u, w.course, w.item, WatchInput{FromSeconds: &from, ToSeconds: &to}); err != nil {
							b.Error(err)
							return
						}
					}
				}(u)
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
		})
	}
}

// BenchmarkUpload streams 256 MiB through Upload (sniff, SHA-256, write,
// fsync, duration, link, commit) and, for comparison, through a plain copy
// into a file with the same fsync.
func BenchmarkUpload(b *testing.B) {
	const size = 256 << 20
	b.Run("service", func(b *testing.B) {
		w := newBenchWorld(b, 0)
		b.SetBytes(size)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// A different duration per run makes different bytes, so that
			// every run stores a new blob.
			body := &zeros{head: webmHead(float64(100 + i)), n: size}
			if _, err := w.media.Upload(context.Background(), 1, UploadInput{CourseID: w.course, ContentType: "video/webm", Length: size}, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-copy", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(size)
		buf := make([]byte, copyBufSize)
		for i := 0; i < b.N; i++ {
			f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(f, &zeros{head: webmHead(1), n: size}, buf); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

// BenchmarkRangeRead1MiB reads random 1 MiB ranges of a 512 MiB file: over
// HTTP through serveFile (sendfile), over HTTP through a naive
// io.SectionReader body stream (a user-space copy), and with ReadAt on the
// file directly.
func BenchmarkRangeRead1MiB(b *testing.B) {
	const size, chunk = 512 << 20, 1 << 20
	path := filepath.Join(b.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, &zeros{head: webmHead(1), n: size}); err != nil {
		b.Fatal(err)
	}
	// Written back and read once, so that every variant reads from the
	// page cache rather than racing the write-back of a fresh file.
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, io.NewSectionReader(f, 0, size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	meta := fileMeta{Size: size, ETag: `"x"`, ContentType: "video/webm", Filename: "big.webm"}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/zero-copy", func(c *fiber.Ctx) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		return serveFile(c, f, meta)
	})
	app.Get("/section-reader", func(c *fiber.Ctx) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		p := decide(request{Method: c.Method(), Range: c.Get("Range")}, meta)
		c.Status(p.Status)
		c.Context().SetBodyStream(struct {
			io.Reader
			io.Closer
		}{io.NewSectionReader(f, p.Start, p.Length), f}, int(p.Length))
		return nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)
	b.Cleanup(func() { app.ShutdownWithContext(context.Background()) })
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	buf := make([]byte, chunk)
	offsets := func(i int) int64 { return rand.Int64N(size/chunk) * chunk }
	for _, route := range []string{"/zero-copy", "/section-reader"} {
		b.Run("http"+route, func(b *testing.B) {
			b.SetBytes(chunk)
			cpu := cpuTime()
			defer func() { b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op") }()
			for i := 0; i < b.N; i++ {
				off := offsets(i)
				req, _ := http.NewRequest("GET", base+route, nil)
				req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+chunk-1))
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.ReadFull(res.Body, buf)
				res.Body.Close()
				if res.StatusCode != 206 || n != chunk {
					b.Fatalf("%d, %d bytes", res.StatusCode, n)
				}
			}
		})
	}
	b.Run("direct-ReadAt", func(b *testing.B) {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(chunk)
		cpu := cpuTime()
		defer func() { b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op") }()
		for i := 0; i < b.N; i++ {
			if _, err := f.ReadAt(buf, offsets(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuTime is the CPU time (user and system) this process has used: on a
// machine shared with other work it says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
