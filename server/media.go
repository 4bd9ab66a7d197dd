package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/media"
	"pacer/media/s3blobs"
)

// uploadsPerHour bounds each user's uploads; a course rarely needs more,
// and each upload can cost up to --max-upload-bytes of disk.
const uploadsPerHour = 120

// mediaSweepEvery is how often unfinished uploads and unused blobs are
// looked for while serving (they are also removed at start).
const mediaSweepEvery = time.Hour

// OpenBlobs opens where media bytes live: "" or "file" is <data>/media,
// an s3:// URL a bucket (s3blobs.ParseURL) signed with the given keys.
func OpenBlobs(spec, dataDir, accessKeyID, secretAccessKey string) (media.Blobs, error) {
	switch {
	case spec == "" || spec == "file":
		return media.OpenFiles(filepath.Join(dataDir, "media"))
	case strings.HasPrefix(spec, "s3://"):
		cfg, err := s3blobs.ParseURL(spec)
		if err != nil {
			return nil, fmt.Errorf("--media: %w", err)
		}
		cfg.AccessKeyID, cfg.SecretAccessKey = accessKeyID, secretAccessKey
		return s3blobs.New(cfg)
	}
	return nil, errors.New("--media: use file (the data directory) or s3://bucket/prefix?endpoint=…")
}

// wireMedia builds the media service on its blobs (--media) with its quotas, takes
// over the lecture and file item kinds, lets assignment submissions carry
// uploaded files, mounts the routes, registers the sweep_uploads job (the
// submission uploads no submission used within a day), and runs the
// orphan sweep until shutdown.
func (s *Server) wireMedia(v1 fiber.Router) error {
	blobs, err := OpenBlobs(s.cfg.Media, s.cfg.DataDir, s.cfg.S3AccessKeyID, s.cfg.S3SecretAccessKey)
	if err != nil {
		return err
	}
	svc, err := media.New(media.Config{Tx: s.Tx, Store: s.Stores.Media, Courses: s.Courses, Blobs: blobs,
		MaxUploadBytes: s.cfg.MaxUploadBytes, UserQuotaBytes: s.cfg.UserQuotaBytes, CourseQuotaBytes: s.cfg.CourseQuotaBytes,
		Uploads: s.limits("uploads", uploadsPerHour, time.Hour), Now: s.now, Log: s.log})
	if err != nil {
		return err
	}
	ctx := context.Background()
	svc.Install(ctx)
	svc.Audit = s.Audit
	if s.Deadlines != nil {
		s.Deadlines.MediaCheck = svc.AttachSubmission
	}
	s.Media = svc
	media.NewHTTP(svc).Mount(v1)
	if s.Scheduler != nil {
		if err := s.Scheduler.Register(media.JobSweepUploads, svc.SweepUploads); err != nil {
			return err
		}
	}
	if err := svc.StartSweeper(ctx, s.Scheduler, mediaSweepEvery); err != nil {
		return err
	}
	s.OnStop(svc.Stop)
	return nil
}
