package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"pacer/auth"
	"pacer/engagement"
	"pacer/notify"
)

// wireEngagement builds the e-mail outbox (queued with every notification
// the user wants by e-mail, sent by the mail_outbox job over --smtp-url),
// the activity tracker behind courses' OnActivity, and the flag_inactive
// job, and mounts their routes. The tracker's last flush is registered to
// run before the store closes.
func (s *Server) wireEngagement(v1 fiber.Router) error {
	var sender notify.Sender
	if s.cfg.SMTPURL != "" {
		smtp, err := notify.NewSMTPSender(s.cfg.SMTPURL, s.cfg.MailFrom)
		if err != nil {
			return err
		}
		sender = smtp
		s.log.Info("mail: sending through SMTP", "server", smtp.Addr())
	} else {
		s.log.Info("mail: no --smtp-url; e-mail stays in the outbox and is logged")
	}
	outbox := notify.NewOutbox(notify.OutboxConfig{Tx: s.Tx, Store: s.Stores.Notify, Now: s.now, Log: s.log, BaseURL: s.cfg.BaseURL,
		Signer: s.Auth, Users: s.Auth, Sender: sender, Settle: s.Notify.Settle})
	s.Notify.Added = append(s.Notify.Added, outbox.Added)
	s.Outbox = outbox

	s.Engagement = engagement.New(engagement.Config{Tx: s.Tx, Store: s.Stores.Engagement, Courses: s.Courses, Notify: s.Notify, Auth: s.Auth, Quizzes: s.Quiz,
		Outbox: outbox, Now: s.now, Log: s.log})
	s.Engagement.Install(context.Background())
	s.Engagement.Mount(v1)
	outbox.Mount(v1)
	outbox.MountAdmin(v1.Group("/admin", auth.Required(), auth.Admin()))

	if s.Scheduler != nil {
		if err := s.Scheduler.Register(engagement.JobFlagInactive, s.Engagement.FlagInactive); err != nil {
			return err
		}
		if err := s.Scheduler.Register(notify.JobMailOutbox, outbox.SendOutbox); err != nil {
			return err
		}
	}
	if err := s.Engagement.Start(context.Background(), s.Scheduler); err != nil {
		return err
	}
	s.OnStop(s.Engagement.Stop)
	return nil
}
