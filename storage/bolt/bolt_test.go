package bolt_test

import (
	"testing"

	"pacer/announcements"
	"pacer/announcements/storetest"
	"pacer/audit"
	auditstore "pacer/audit/storetest"
	"pacer/cache"
	"pacer/cache/cachetest"
	"pacer/jobs"
	jobstore "pacer/jobs/storetest"
	"pacer/quiz"
	quizstore "pacer/quiz/storetest"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/txn"
)

// open is a fresh bbolt file in a temporary directory.
func open(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAnnouncementsStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (announcements.Store, txn.Runner) {
		db := open(t)
		return bolt.NewAnnouncements(db), db
	})
}

func TestJobsStore(t *testing.T) {
	jobstore.Run(t, func(t *testing.T) (jobs.Store, txn.Runner) {
		db := open(t)
		return bolt.NewJobs(db), db
	})
}

func TestAuditStore(t *testing.T) {
	auditstore.Run(t, func(t *testing.T) (audit.Store, txn.Runner) {
		db := open(t)
		return bolt.NewAudit(db), db
	})
}

func TestRevisions(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) (cache.Revisions, txn.Runner) {
		db := open(t)
		return bolt.NewRevisions(db), db
	})
}

func TestQuizStore(t *testing.T) {
	quizstore.Run(t, func(t *testing.T) (quiz.Store, txn.Runner) {
		db := open(t)
		return bolt.NewQuiz(db), db
	})
}
