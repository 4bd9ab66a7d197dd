package bolt

import (
	"context"

	"pacer/storage"
)

// idBuckets maps each exported kind whose ids a bucket's sequence gives
// (see the owners' Export methods) to that bucket.
var idBuckets = map[string]storage.Bucket{
	"users":              storage.Users,
	"sessions":           storage.Sessions,
	"announcements":      storage.Announcements,
	"audit_entries":      storage.Audit,
	"extensions":         storage.Extensions,
	"submissions":        storage.Submissions,
	"discussion_boards":  storage.Boards,
	"discussion_threads": storage.Threads,
	"discussion_posts":   storage.Posts,
	"discussion_reports": storage.Reports,
	"media":              storage.Media,
	"courses":            storage.Courses,
	"modules":            storage.Modules,
	"items":              storage.Items,
	"invitations":        storage.Invitations,
	"notifications":      storage.Notifications,
	"mail_outbox":        storage.Outbox,
	"quiz_questions":     storage.QuizQuestions,
	"quiz_attempts":      storage.QuizAttempts,
}

// LastIDs is the last id each kind's sequence gave, by kind. A copy to
// another engine must go on past it, not just past the largest id still
// stored: the newest records may have been deleted, and their ids must
// never be given again (a stale link would reach someone else's record).
func LastIDs(ctx context.Context, db *storage.DB) (map[string]uint64, error) {
	out := make(map[string]uint64, len(idBuckets))
	err := db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for kind, b := range idBuckets {
			out[kind] = tx.Sequence(b)
		}
		return nil
	})
	return out, err
}
