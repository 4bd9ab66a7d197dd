package server

import "pacer/storage/postgres"

func postgresStores(db *postgres.DB) Stores {
	return Stores{
		Revisions:     postgres.NewRevisions(db),
		Auth:          postgres.NewAuth(db),
		Modules:       postgres.NewModules(db),
		Notify:        postgres.NewNotify(db),
		Audit:         postgres.NewAudit(db),
		Deadlines:     postgres.NewDeadlines(db),
		Jobs:          postgres.NewJobs(db),
		Discussion:    postgres.NewDiscussion(db),
		Engagement:    postgres.NewEngagement(db),
		Media:         postgres.NewMedia(db),
		Quiz:          postgres.NewQuiz(db),
		Announcements: postgres.NewAnnouncements(db),
	}
}
