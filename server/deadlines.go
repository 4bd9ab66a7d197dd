package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/auth"
	"pacer/deadlines"
	"pacer/jobs"
	"pacer/storage/postgres"
)

// wireDeadlines builds the deadlines service and the scheduler, hooks
// extensions and the assignment kind into the course service, mounts the
// routes, and starts the scheduler and the scheduled delivery of
// submissions, whose stops run before the store closes.
func (s *Server) wireDeadlines(v1 fiber.Router) error {
	svc := deadlines.New(deadlines.Config{Store: s.Stores.Deadlines, Tx: s.Tx, Courses: s.Courses, Notify: s.Notify, Auth: s.Auth, Markdown: s.Markdown,
		Signer: s.Auth, Now: s.now, BaseURL: s.cfg.BaseURL, Log: s.log, Revisions: s.Stores.Revisions,
		// Replicas on one database queue submissions into one queue.
		SharedQueue: s.PG != nil})
	svc.Audit = s.Audit
	ctx := context.Background()
	svc.Install(ctx)
	// A new password also retires the secret calendar feed URL: whoever
	// learnt the old password may have copied it.
	s.Auth.OnPasswordChanged(context.Background(), svc.RetireCalendar)
	sched := jobs.New(jobs.Config{Tx: s.Tx, Store: s.Stores.Jobs, Leader: s.leader(), Audit: s.Audit, Log: s.log, Now: s.now, Tick: s.cfg.Tick})
	if err := svc.RegisterJobs(ctx, sched); err != nil {
		return err
	}
	s.Deadlines, s.Scheduler = svc, sched

	h := deadlines.NewHTTP(svc)
	h.Mount(v1)
	sched.MountAdmin(v1.Group("/admin", auth.Required(), auth.Admin()))
	h.MountFeed(s.App)

	sched.Start()
	s.OnStop(sched.Stop)
	// The staff's notifications of submissions are delivered in batches:
	// by the scheduler, as this process's own work (every DeliverEvery),
	// and at stop, which runs before the scheduler's (stops run in reverse)
	// and so before the store closes.
	if err := svc.Start(ctx, sched); err != nil {
		return err
	}
	s.OnStop(svc.Stop)
	// Ready means the store is open and the scheduler ticks.
	ready := s.ready
	s.ready = func() bool { return ready() && sched.Running() }
	return nil
}

// leader is who decides which replica runs the scheduled work: this
// process alone on bbolt; on PostgreSQL the replica that holds the
// database's lease, named by the replica id. The lease outlives a few
// ticks, so a leader that stalls loses it within a few ticks of silence.
func (s *Server) leader() jobs.Leader {
	if s.PG == nil {
		return jobs.Always{}
	}
	return postgres.NewLeader(s.PG, postgres.LeaderConfig{Holder: s.cfg.ReplicaID,
		TTL: max(3*s.cfg.Tick, 30*time.Second), Log: s.log})
}
