package server

import (
	"context"
	"path/filepath"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/limit"
	"pacer/media"
)

// uploadsPerHour bounds each user's uploads; a course rarely needs more,
// and each upload can cost up to --max-upload-bytes of disk.
const uploadsPerHour = 120

// mediaSweepEvery is how often unfinished uploads and unused blobs are
// looked for while serving (they are also removed at start).
const mediaSweepEvery = time.Hour

// wireMedia builds the media service on <data>/media with its quotas, takes
// over the lecture and file item kinds, lets assignment submissions carry
// uploaded files, mounts the routes, registers the sweep_uploads job (the
// submission uploads no submission used within a day), and runs the
// orphan sweep until shutdown.
func (s *Server) wireMedia(v1 fiber.Router) error {
	svc, err := media.New(media.Config{Tx: s.Tx, Store: s.Stores.Media, Courses: s.Courses, Dir: filepath.Join(s.cfg.DataDir, "media"),
		MaxUploadBytes: s.cfg.MaxUploadBytes, UserQuotaBytes: s.cfg.UserQuotaBytes, CourseQuotaBytes: s.cfg.CourseQuotaBytes,
		Uploads: limit.NewWindow(uploadsPerHour, time.Hour, s.now), Now: s.now, Log: s.log})
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
