// Package media stores uploaded files (on disk, or in a bucket: Blobs) and
// serves them: streamed uploads checked against an allow-list and their own
// bytes, content-addressed blobs, range and conditional serving, WebVTT
// captions, and each learner's watch spans and resume position on lecture
// items. The pure building blocks (ParseRange, ParseWebVTT, ProbeDuration,
// CheckContent, MergeSpans) are in their own files; Service joins them to
// the store and to the course service's access rules.
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"pacer/audit"
	"pacer/errs"
	"pacer/jobs"
	"pacer/limit"
	"pacer/modules"
	"pacer/txn"
)

// Config is what the service is built from.
type Config struct {
	// Tx runs the service's transactions; Store keeps the records (the
	// engine's implementation, joining Tx's transactions).
	Tx      txn.Runner
	Store   Store
	Courses *modules.Service
	// Blobs keeps the bytes; nil means Files in Dir (<data>/media).
	Blobs Blobs
	Dir   string
	// MaxUploadBytes is the largest upload (--max-upload-bytes).
	MaxUploadBytes int64
	// UserQuotaBytes bounds the submission uploads of one user, and
	// CourseQuotaBytes the course files of one course (see quota.go);
	// 0 is no quota.
	UserQuotaBytes, CourseQuotaBytes int64
	// Uploads limits uploads per user, whichever way they arrive (nil: no
	// limit).
	Uploads limit.Limiter
	// Now is the clock of records and rules; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Service is the media service.
type Service struct {
	tx      txn.Runner
	store   Store
	courses *modules.Service
	blobs   Blobs
	max     int64
	// userQuota and courseQuota: 0 is none.
	userQuota, courseQuota int64
	now                    func() time.Time
	log                    *slog.Logger

	// Observe, when set, is told how each upload ended (err nil on
	// success). Tests use it to know that an aborted upload has cleaned up;
	// it could also feed metrics. Set it before serving.
	Observe func(UploadResult)
	// Audit records deletions by staff (nil: none). Set it before serving.
	Audit *audit.Log

	// serialWrites makes each watch report commit alone (Tx.Write), so
	// that the heartbeat benchmark can show what Store.Batch saves.
	serialWrites bool

	// blobMu orders "commit a blob, then commit the record that uses it"
	// against the sweep's "find a blob nobody uses, then remove it":
	// without it the sweep could remove a blob between an upload finding it
	// already there and committing the record that points at it. Another
	// process sharing the bucket and the store is kept off by the store's
	// lock of the one blob (Store.LockBlob), taken inside blobMu.
	blobMu sync.Mutex

	uploads limit.Limiter
	// sweeper is the scheduled file sweep, once started.
	sweeper *jobs.Local
}

// UploadResult describes one finished or failed upload.
type UploadResult struct {
	MediaID uint64
	Bytes   int64
	Err     error
}

// New builds the service and removes what earlier runs left half-done:
// no upload of this process can be in flight before it starts, so every
// temporary file of its own is an orphan (in a bucket other processes
// share, only those idle for TempIdle are).
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 2 << 30
	}
	blobs := cfg.Blobs
	if blobs == nil {
		files, err := OpenFiles(cfg.Dir)
		if err != nil {
			return nil, err
		}
		blobs = files
	}
	s := &Service{tx: cfg.Tx, store: cfg.Store, courses: cfg.Courses, blobs: blobs, max: cfg.MaxUploadBytes, now: cfg.Now, log: cfg.Log,
		userQuota: max(0, cfg.UserQuotaBytes), courseQuota: max(0, cfg.CourseQuotaBytes), uploads: cfg.Uploads}
	if s.uploads == nil {
		s.uploads = limit.Unlimited{}
	}
	if err := s.countUsage(context.Background()); err != nil {
		return nil, fmt.Errorf("count media usage: %w", err)
	}
	now := time.Now()
	tempBefore := now
	if sh, ok := blobs.(sharedBlobs); ok && sh.Shared() {
		tempBefore = now.Add(-TempIdle)
	}
	if res, err := s.Sweep(context.Background(), tempBefore, now.Add(-BlobGrace)); err != nil {
		return nil, fmt.Errorf("sweep media directory: %w", err)
	} else if res.Temps+res.Blobs > 0 {
		s.log.Info("removed unfinished uploads", "temp_files", res.Temps, "unused_blobs", res.Blobs)
	}
	return s, nil
}

// MaxUploadBytes is the upload limit. It is the same for every request
// today; ctx is the request's.
func (s *Service) MaxUploadBytes(context.Context) int64 { return s.max }

// Install takes ownership of the lecture and file item kinds: an item of
// either kind must name a media of its own course, and a student's opening
// of a lecture starts the clock of their watch reports.
func (s *Service) Install(ctx context.Context) {
	s.courses.RegisterKind(ctx, modules.KindLecture, modules.KindHook{Validate: s.validateLecture, Deleted: s.itemDeleted, Opened: s.lectureOpened})
	s.courses.RegisterKind(ctx, modules.KindFile, modules.KindHook{Validate: s.validateFile})
	s.courses.CopyMedia = s.CopyToCourse
	s.courses.OnCourseDeleted = append(s.courses.OnCourseDeleted, s.DeleteCourseFiles)
}

// Sweep timings.
const (
	// TempIdle: a temporary file not written for this long belongs to an
	// upload that is gone (a live one writes at least once per read
	// timeout, a minute).
	TempIdle = 10 * time.Minute
	// BlobGrace protects a freshly linked blob whose record is about to be
	// committed.
	BlobGrace = 10 * time.Minute
)

// Sweep removes temporary files last written before tempBefore (uploads
// that crashed or were cut off) and blobs last touched before blobBefore
// that no record uses (a crash between committing a blob and committing its
// record). Times are the storage's (wall clock), so the caller passes them
// rather than the service's clock.
func (s *Service) Sweep(ctx context.Context, tempBefore, blobBefore time.Time) (SweepResult, error) {
	var res SweepResult
	n, err := s.blobs.SweepTemps(ctx, tempBefore)
	res.Temps = n
	if err != nil {
		return res, err
	}
	err = s.blobs.Each(ctx, func(sum string, listed time.Time) error {
		if !listed.Before(blobBefore) {
			return nil
		}
		removed, err := s.removeUnused(ctx, sum, blobBefore)
		if removed {
			res.Blobs++
		}
		return err
	})
	return res, err
}

func (s *Service) removeUnused(ctx context.Context, sum string, before time.Time) (bool, error) {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	unlock, err := s.store.LockBlob(ctx, sum)
	if err != nil {
		return false, err
	}
	defer unlock()
	// Checked under the locks: a record may use the blob, or an upload may
	// have refreshed its time since it was listed. The store first: most
	// blobs are in use, and asking a bucket costs a request.
	used, err := s.blobInUse(ctx, sum)
	if err != nil || used {
		return false, err
	}
	t, err := s.blobs.Touched(ctx, sum)
	if errors.Is(err, ErrNoBlob) || (err == nil && !t.Before(before)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.blobs.Remove(ctx, sum)
}

// Ping reports whether the storage of the bytes answers (readiness).
func (s *Service) Ping(ctx context.Context) error { return s.blobs.Ping(ctx) }

func (s *Service) blobInUse(ctx context.Context, sum string) (bool, error) {
	return s.store.BlobInUse(ctx, sum)
}

// StartSweeper has sched run Sweep every interval until Stop. Files on
// disk are this process's own (its data directory), so every process
// sweeps its own: the work runs whether or not the process leads
// (jobs.Every). Replicas sharing a bucket each sweep it too, which is
// redundant but safe: removing what another removed is no error.
// Each sweep runs in the ctx of its run, not the ctx StartSweeper is given.
func (s *Service) StartSweeper(_ context.Context, sched *jobs.Scheduler, interval time.Duration) error {
	l, err := sched.Every("media_file_sweep", interval, func(ctx context.Context) error {
		now := time.Now()
		res, err := s.Sweep(ctx, now.Add(-TempIdle), now.Add(-BlobGrace))
		if err == nil && res.Temps+res.Blobs > 0 {
			s.log.Info("media sweep", "temp_files", res.Temps, "unused_blobs", res.Blobs)
		}
		return err
	})
	s.sweeper = l
	return err
}

// Stop ends the sweeper, waiting for a running sweep to finish.
func (s *Service) Stop(context.Context) error {
	if s.sweeper != nil {
		s.sweeper.Stop()
	}
	return nil
}

// isAV reports whether a normalised type is audio or video.
func isAV(t string) bool { return strings.HasPrefix(t, "video/") || strings.HasPrefix(t, "audio/") }

// get loads a media record; a missing one is 404.
func (s *Service) get(ctx context.Context, id uint64) (Media, error) {
	m, err := s.store.Get(ctx, id)
	return m, notFound(err, "media")
}

// notFound is the 404 of a record the store does not hold, named what; it
// is where the store's ErrNotFound becomes the API's.
func notFound(err error, what string) error {
	if errors.Is(err, ErrNotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

// access is a media together with what the caller may do with it.
type access struct {
	Media
	modules.Access
}

// access loads a media for a caller. A submission file is read only by
// its owner and the course's staff. A course file answers as the items
// that show it do (modules.MediaAccess): staff always; a student when an
// item using it is visible and open to them, 403 with the lock reason when
// those they can see are locked, else 404, like a file no item uses. Its
// captions follow it, since every route to them comes through here.
// Everyone else gets 404, so IDs reveal nothing.
func (s *Service) access(ctx context.Context, caller, id uint64) (access, error) {
	m, err := s.get(ctx, id)
	if err != nil {
		return access{}, err
	}
	var a modules.Access
	if m.Purpose == PurposeSubmission {
		a, err = s.courses.MemberAccess(ctx, m.CourseID, caller)
		if err == nil && m.OwnerID != caller && !a.Staff() {
			err = errs.NotFoundf("media")
		}
	} else {
		a, err = s.courses.MediaAccess(ctx, caller, m.CourseID, m.ID)
	}
	switch {
	case errs.Is(err, errs.NotFound):
		return access{}, errs.NotFoundf("media")
	case err != nil:
		return access{}, err
	}
	return access{Media: m, Access: a}, nil
}

// Get returns a media the caller may read.
func (s *Service) Get(ctx context.Context, caller, id uint64) (Media, error) {
	var m Media
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.access(ctx, caller, id)
		m = a.Media
		return err
	})
	return m, errs.Wrap(err, "get media")
}

// Open returns a media the caller may read with its bytes opened. The
// caller closes the file.
func (s *Service) Open(ctx context.Context, caller, id uint64) (Media, Blob, error) {
	m, err := s.Get(ctx, caller, id)
	if err != nil {
		return m, nil, err
	}
	f, err := s.blobs.Open(ctx, m.SHA256)
	if err != nil {
		return m, nil, errs.Wrap(err, "open media file")
	}
	return m, f, nil
}

// List returns a course's media for its staff, newest last, a page at a
// time: after is the last ID of the previous page.
func (s *Service) List(ctx context.Context, caller, courseID, after uint64, limit int) ([]Media, bool, error) {
	var out []Media
	more := false
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		out, more, err = s.store.Course(ctx, courseID, after, limit)
		return err
	})
	return out, more, errs.Wrap(err, "list media")
}

// AttachSubmission is the deadlines service's MediaCheck, run inside the
// submission's transaction: a learner may attach to a submission only a
// file they uploaded for a submission in the same course. From then on the
// file is handed-in work: it leaves the sweep's list and can no longer be
// deleted, whatever later attempts carry.
func (s *Service) AttachSubmission(ctx context.Context, course, user, mediaID uint64) error {
	m, err := s.get(ctx, mediaID)
	if errs.Is(err, errs.NotFound) || (err == nil && (m.CourseID != course || m.OwnerID != user || m.Purpose != PurposeSubmission)) {
		return errs.Field("media_id", "must be a file you uploaded for a submission in this course (POST /api/v1/courses/:course/media?purpose=submission)")
	}
	if err != nil || m.AttachedAt != nil {
		return err
	}
	return s.store.Attach(ctx, map[uint64]time.Time{m.ID: s.now().UTC()})
}

// validateFile checks a file item: its media must be a course file of the
// same course.
func (s *Service) validateFile(ctx context.Context, c modules.Course, it *modules.Item) error {
	_, err := s.courseFile(ctx, c.ID, it.MediaID)
	return err
}

// validateLecture checks a lecture item: a course file of the same course
// that is audio or video with a known duration, since watch progress is a
// share of it.
func (s *Service) validateLecture(ctx context.Context, c modules.Course, it *modules.Item) error {
	m, err := s.courseFile(ctx, c.ID, it.MediaID)
	if err != nil {
		return err
	}
	if !m.Playable() {
		return errs.Field("media_id", "a lecture must be a video or audio file, this is "+m.ContentType)
	}
	if !m.HasDuration() {
		return errs.Field("media_id", "the duration of this file could not be read from its headers, so watch progress cannot be measured; upload MP4, WebM, Ogg, MP3 or WAV with a valid header")
	}
	return nil
}

func (s *Service) courseFile(ctx context.Context, courseID, mediaID uint64) (Media, error) {
	m, err := s.get(ctx, mediaID)
	if errs.Is(err, errs.NotFound) || (err == nil && (m.CourseID != courseID || m.Purpose != PurposeCourse)) {
		return m, errs.Field("media_id", "must name a file uploaded to this course")
	}
	return m, err
}

// itemDeleted removes the watch states of a deleted lecture item.
func (s *Service) itemDeleted(ctx context.Context, it modules.Item) error {
	return s.store.DeleteItemWatches(ctx, it.CourseID, it.ID)
}
