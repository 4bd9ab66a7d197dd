package media

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
)

// serveFile answers a GET or HEAD for a stored file, taking ownership of
// the open file (it is closed once sent). Never a generic static handler:
// the caller has authorised the request, and this function alone decides
// the headers. The bytes are handed to fasthttp as a stream that sends a
// section of the *os.File with the kernel's sendfile where the connection
// allows it, or, from a bucket, the body of one ranged GET.
func serveFile(c *fiber.Ctx, f Blob, m fileMeta) error {
	req := request{
		Method:          c.Method(),
		IfNoneMatch:     c.Get(fiber.HeaderIfNoneMatch),
		IfModifiedSince: c.Get(fiber.HeaderIfModifiedSince),
		Range:           c.Get(fiber.HeaderRange),
		IfRange:         c.Get(fiber.HeaderIfRange),
	}
	p := decide(req, m)
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderETag, m.ETag)
	if !m.ModTime.IsZero() {
		c.Set(fiber.HeaderLastModified, m.ModTime.UTC().Format(http.TimeFormat))
	}
	// Revalidate every time: access can be withdrawn, and a 304 is cheap.
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, FileCSP)
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	switch p.Status {
	case fiber.StatusNotModified:
		f.Close()
		c.Status(fiber.StatusNotModified)
		return nil
	case fiber.StatusRequestedRangeNotSatisfiable:
		f.Close()
		c.Set(fiber.HeaderContentRange, UnsatisfiedContentRange(m.Size))
		return errs.E(errs.RangeNotSatisfiable, "the requested range is not within the file's "+strconv.FormatInt(m.Size, 10)+" bytes")
	}
	c.Set(fiber.HeaderContentType, m.ContentType)
	c.Set(fiber.HeaderContentDisposition, ContentDisposition(m.Attachment, m.Filename))
	if p.Range != nil {
		c.Set(fiber.HeaderContentRange, p.Range.ContentRange(m.Size))
	}
	c.Status(p.Status)
	if p.Length == 0 {
		f.Close()
		c.Context().Response.SetBodyRaw(nil)
		c.Context().Response.Header.SetContentLength(0)
		return nil
	}
	if sr, ok := f.(sectioner); ok {
		// A bucket's blob: one ranged GET for exactly the bytes sent. It
		// outlives the handler (fasthttp sends the body afterwards), and a
		// client that goes away closes it through the stream's Close.
		if c.Method() == fiber.MethodHead {
			// The headers say it all; no GET for bytes never sent.
			c.Context().SetBodyStream(&ranged{rc: io.NopCloser(strings.NewReader("")), f: f}, int(p.Length))
			return nil
		}
		rc, err := sr.Section(context.WithoutCancel(c.UserContext()), p.Start, p.Length)
		if err != nil {
			f.Close()
			return errs.Wrap(err, "read media file")
		}
		c.Context().SetBodyStream(&ranged{rc: rc, f: f}, int(p.Length))
		return nil
	}
	if _, err := f.Seek(p.Start, io.SeekStart); err != nil {
		f.Close()
		return errs.Wrap(err, "seek media file")
	}
	c.Context().SetBodyStream(&section{f: f, lr: io.LimitedReader{R: f, N: p.Length}}, int(p.Length))
	return nil
}

// section is a byte range of an open file as fasthttp's body stream.
// fasthttp copies a stream with io.CopyBuffer, which asks the reader for
// WriteTo first; handing the connection's buffered writer an
// *io.LimitedReader over the *os.File lets it reach net.TCPConn.ReadFrom
// and so sendfile(2), the zero-copy path fasthttp's own file server uses.
type section struct {
	f  Blob
	lr io.LimitedReader
}

func (s *section) Read(p []byte) (int, error) { return s.lr.Read(p) }

func (s *section) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(&s.lr)
	}
	return io.Copy(w, &s.lr)
}

func (s *section) Close() error { return s.f.Close() }

// ranged is a ranged read of a blob in a bucket as fasthttp's body stream.
type ranged struct {
	rc io.ReadCloser
	f  Blob
}

func (r *ranged) Read(p []byte) (int, error) { return r.rc.Read(p) }

func (r *ranged) Close() error {
	r.rc.Close()
	return r.f.Close()
}
