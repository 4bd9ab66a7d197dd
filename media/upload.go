package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"pacer/errs"
)

// UploadInput describes an upload; the bytes come separately as a stream.
type UploadInput struct {
	CourseID uint64
	// Purpose is PurposeCourse (the default, staff only) or
	// PurposeSubmission (a student's file for an assignment).
	Purpose string
	// Filename is the client's name for the file, kept only for
	// Content-Disposition; it never names anything on disk.
	Filename string
	// ContentType is the declared type (the request's Content-Type).
	ContentType string
	// Length is the declared Content-Length, or -1 when unknown (chunked).
	Length int64
}

// copyBufSize is the chunk an upload is copied in. It bounds the memory an
// upload holds, whatever its size.
const copyBufSize = 256 << 10

// errTooLarge is the 413 of an upload over the limit.
func (s *Service) errTooLarge() error {
	return errs.E(errs.TooLarge, fmt.Sprintf("the file is larger than the upload limit of %d bytes", s.max))
}

// Upload stores a file streamed from body and records it. The order makes
// a failure leave nothing behind:
//
//  1. who may upload, the declared type and the declared length (against
//     the size limit and what is left of the quota) are checked before a
//     byte is read (404, 403, 415, 413);
//  2. the first bytes are sniffed against the declared type (415) before
//     anything is written to disk;
//  3. the rest is streamed to a temporary blob (Blobs.Create) through that
//     limit (413) while its SHA-256 is computed; nothing is ever held whole
//     in memory;
//  4. the bytes are made durable, the whole file is checked and the
//     duration read from the container's headers, the blob is committed
//     under its hash (or dropped, when those bytes are stored already), and
//     only then is the record committed.
//
// Any error removes the temporary blob; a failed commit removes a blob it
// created. Crashes are cleaned up by Sweep.
func (s *Service) Upload(ctx context.Context, caller uint64, in UploadInput, body io.Reader) (m Media, err error) {
	defer func() {
		if s.Observe != nil {
			s.Observe(UploadResult{MediaID: m.ID, Bytes: m.Size, Err: err})
		}
	}()
	purpose := in.Purpose
	if purpose == "" {
		purpose = PurposeCourse
	}
	if purpose != PurposeCourse && purpose != PurposeSubmission {
		return m, errs.Field("purpose", "must be course or submission")
	}
	// The upload may take no more than the size limit, nor than is left
	// of its quota (413 with the quota's own message).
	limit, tooLarge := s.max, s.errTooLarge()
	if err := s.tx.Read(ctx, func(ctx context.Context) error {
		if err := s.mayUpload(ctx, caller, in.CourseID, purpose); err != nil {
			return err
		}
		room, refusal, err := s.room(ctx, Media{CourseID: in.CourseID, OwnerID: caller, Purpose: purpose})
		if err != nil {
			return err
		}
		if room >= 0 && room < limit {
			limit, tooLarge = room, refusal
		}
		return nil
	}); err != nil {
		return m, errs.Wrap(err, "upload access")
	}
	// The limit is counted here, not in a handler, so that every way in (the
	// API, the files page, the assignment form) shares it.
	if ok, _ := s.uploads.Allow(ctx, "upload:"+strconv.FormatUint(caller, 10)); !ok {
		return m, errs.E(errs.RateLimited, "too many uploads; try again later")
	}
	ctype := NormalizeType(in.ContentType)
	if !AllowedFor(purpose, ctype) {
		return m, errs.E(errs.Unsupported, "files of type "+quoteType(ctype)+" cannot be uploaded; allowed: "+allowedList(purpose))
	}
	if in.Length > limit {
		return m, tooLarge
	}
	if in.Length == 0 {
		return m, errs.BadRequest("the file is empty")
	}
	name := cleanFilename(in.Filename, ctype)

	head := make([]byte, SniffLen)
	n, err := io.ReadFull(body, head)
	switch {
	case err == io.EOF || (err == nil && n == 0):
		return m, errs.BadRequest("the file is empty")
	case err != nil && err != io.ErrUnexpectedEOF:
		return m, errs.BadRequest("the upload was interrupted")
	}
	head = head[:n]
	if err := CheckContentFor(purpose, ctype, head); err != nil {
		return m, errs.E(errs.Unsupported, strings.TrimPrefix(err.Error(), "media: "))
	}
	if int64(n) > limit {
		return m, tooLarge
	}

	tf, err := s.blobs.Create(ctx, limit)
	if err != nil {
		return m, errs.Wrap(err, "create upload file")
	}
	// Once committed, the bytes are the blob's and Abort leaves them.
	defer tf.Abort()
	if _, err := tf.Write(head); err != nil {
		return m, errs.Wrap(err, "write upload")
	}
	if err := copyLimited(tf, body, tooLarge); err != nil {
		return m, err
	}
	if in.Length > 0 && tf.Size() != in.Length {
		return m, errs.BadRequest("the upload ended before Content-Length bytes arrived")
	}
	if err := tf.Finish(ctx); err != nil {
		return Media{}, errs.Wrap(err, "store upload")
	}
	size := tf.Size()
	if err := CheckWhole(ctype, tf, size); err != nil {
		if errors.Is(err, ErrTypeMismatch) {
			return m, errs.E(errs.Unsupported, strings.TrimPrefix(err.Error(), "media: "))
		}
		return m, errs.Wrap(err, "check upload")
	}
	m = Media{CourseID: in.CourseID, OwnerID: caller, Purpose: purpose, ContentType: ctype,
		Size: size, SHA256: tf.Sum(), Filename: name, CreatedAt: s.now().UTC()}
	if d, err := ProbeDuration(tf, size, ctype); err == nil {
		m.Duration = d
	} else if !errors.Is(err, ErrNoDuration) {
		return Media{}, errs.Wrap(err, "probe duration")
	}

	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	unlock, err := s.store.LockBlob(ctx, m.SHA256)
	if err != nil {
		return Media{}, errs.Wrap(err, "lock blob")
	}
	defer unlock()
	created, err := tf.Commit(ctx)
	if err != nil {
		return Media{}, errs.Wrap(err, "link upload")
	}
	rec := m
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		// Checked again: the caller may have been removed from the course
		// while the bytes were arriving.
		if err := s.mayUpload(ctx, caller, in.CourseID, purpose); err != nil {
			return err
		}
		// And the quota: other uploads may have committed meanwhile.
		if err := s.checkQuota(ctx, rec); err != nil {
			return err
		}
		// A submission upload joins the unattached list (SweepUploads)
		// until a submission uses it.
		added, err := s.store.Add(ctx, rec, nil)
		if err != nil {
			return err
		}
		m = added
		return s.store.AddUsage(ctx, map[Account]int64{accountOf(m): m.Size})
	})
	if err != nil {
		if created {
			_ = s.blobs.Remove(context.WithoutCancel(ctx), m.SHA256)
		}
		return Media{}, errs.Wrap(err, "record upload")
	}
	return m, nil
}

// mayUpload: staff upload course files; any member uploads their own
// submission files; non-members get 404.
func (s *Service) mayUpload(ctx context.Context, caller, courseID uint64, purpose string) error {
	a, err := s.courses.MemberAccess(ctx, courseID, caller)
	if err != nil {
		return err
	}
	if purpose == PurposeCourse && !a.Staff() {
		return errs.Forbid("students may upload only files for their own submissions (?purpose=submission)")
	}
	return nil
}

// copyLimited copies the rest of an upload into tf, refusing it with
// tooLarge (a 413) as soon as it passes the writer's limit.
func copyLimited(tf BlobWriter, body io.Reader, tooLarge error) error {
	buf := make([]byte, copyBufSize)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := tf.Write(buf[:n]); errors.Is(werr, ErrBlobTooLarge) {
				return tooLarge
			} else if werr != nil {
				return errs.Wrap(werr, "write upload")
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				return err
			}
			return errs.BadRequest("the upload was interrupted")
		}
	}
}

func quoteType(t string) string {
	if t == "" {
		return "(none given)"
	}
	if len(t) > 100 {
		t = t[:100]
	}
	return strconv.Quote(t)
}

// allowedList names the types an upload of the purpose may have. A
// submission's list is in words, since learners read it; course files keep
// the exact types their uploaders (staff, API clients) give.
func allowedList(purpose string) string {
	if purpose == PurposeSubmission {
		return "PDF, images (PNG, JPEG), audio, video, Word (.docx), OpenDocument text (.odt), plain text (.txt) and ZIP archives"
	}
	return "video/mp4, video/webm, audio/mpeg, audio/mp4, audio/ogg, audio/wav, application/pdf, image/png, image/jpeg, text/vtt"
}

// extensions gives a default file name to an upload without one.
var extensions = map[string]string{
	"video/mp4": ".mp4", "video/webm": ".webm", "audio/mpeg": ".mp3", "audio/mp4": ".m4a",
	"audio/ogg": ".ogg", "audio/wav": ".wav", "application/pdf": ".pdf", "image/png": ".png",
	"image/jpeg": ".jpg", "text/vtt": ".vtt", TypeDocx: ".docx", TypeODT: ".odt", TypeText: ".txt", TypeZip: ".zip",
}

// cleanFilename keeps the last path element of a client's file name, as
// one line of printable text of at most 200 bytes; an empty result becomes
// "file" with the type's extension.
func cleanFilename(name, ctype string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" || name == ".." {
		name = "file" + extensions[ctype]
	}
	return name
}
