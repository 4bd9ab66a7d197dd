package server

import (
	"path/filepath"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/media"
)

// uploadsPerHour bounds each user's uploads; a course rarely needs more,
// and each upload can cost up to --max-upload-bytes of disk.
const uploadsPerHour = 120

// mediaSweepEvery is how often unfinished uploads and unused blobs are
// looked for while serving (they are also removed at start).
const mediaSweepEvery = time.Hour

// wireMedia builds the media service on <data>/media, takes over the
// lecture and file item kinds, lets assignment submissions carry uploaded
// files, mounts the routes, and runs the orphan sweep until shutdown.
func (s *Server) wireMedia(v1 fiber.Router) error {
	svc, err := media.New(media.Config{DB: s.DB, Courses: s.Courses, Dir: filepath.Join(s.cfg.DataDir, "media"),
		MaxUploadBytes: s.cfg.MaxUploadBytes, Now: s.now, Log: s.log})
	if err != nil {
		return err
	}
	svc.Install()
	if s.Deadlines != nil {
		s.Deadlines.MediaCheck = svc.CheckSubmission
	}
	svc.Uploads = api.NewRateLimiter(uploadsPerHour, time.Hour, s.now)
	s.Media = svc
	media.NewHTTP(svc, nil).Mount(v1)
	svc.StartSweeper(mediaSweepEvery)
	s.OnStop(svc.Stop)
	return nil
}
