package media

import (
	"context"
	"fmt"
	"time"

	"pacer/audit"
	"pacer/errs"
)

// JobSweepUploads is the scheduler job that removes submission uploads no
// submission used within UnattachedTTL.
const JobSweepUploads = "sweep_uploads"

// UnattachedTTL is how long a submission upload may wait for the
// submission that uses it: a learner uploads, then submits within
// minutes; a day leaves room for a form left open overnight.
const UnattachedTTL = 24 * time.Hour

// sweepBatch bounds the uploads one transaction of the sweep removes, so
// that it never holds the writer long.
const sweepBatch = 100

// Delete removes a media the caller may read: course staff delete any
// file of their course, the uploader of a submission file their own. A
// file that an item shows, or that a submission used, is kept (409): the
// item must go or change first, and handed-in work is never thrown away.
// The record, its captions and its quota share go in one transaction;
// each blob leaves the disk only when no record uses it any more (identical
// bytes are stored once). Deletions by staff are audited.
func (s *Service) Delete(ctx context.Context, caller, id uint64) error {
	// Held from the commit to the blob removal, as uploads hold it from
	// linking a blob to committing its record: an upload of the same bytes
	// cannot find the blob present and then lose it.
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	var sums []string
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.access(ctx, caller, id)
		if err != nil {
			return err
		}
		if !a.Staff() && (a.Purpose != PurposeSubmission || a.OwnerID != caller) {
			return errs.Forbid("only the course's instructors and TAs, or the uploader of a file for a submission, may delete it")
		}
		if a.AttachedAt != nil {
			return errs.ConflictCode("conflict", "a submission uses this file, and submitted work is kept")
		}
		uses, err := s.courses.MediaItems(ctx, a.CourseID, a.ID)
		if err != nil {
			return err
		}
		if len(uses) > 0 {
			return errs.ConflictCode("conflict", fmt.Sprintf("the %s item “%s” uses this file; delete that item or give it another file first", uses[0].Kind, uses[0].Title))
		}
		removed, err := s.store.Remove(ctx, a.ID)
		if err != nil {
			return err
		}
		sums = removed.Blobs
		if err := s.giveBack(ctx, removed.Media); err != nil {
			return err
		}
		if !a.Staff() {
			return nil
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "media_deleted", CourseID: a.CourseID,
			TargetID: a.ID, Detail: a.Purpose + ": " + a.Filename})
	})
	if err != nil {
		return errs.Wrap(err, "delete media")
	}
	return errs.Wrap(s.dropBlobs(ctx, sums), "remove media file")
}

// giveBack returns the bytes of removed records to their quotas.
func (s *Service) giveBack(ctx context.Context, removed []Media) error {
	if len(removed) == 0 {
		return nil
	}
	deltas := map[Account]int64{}
	for _, m := range removed {
		deltas[accountOf(m)] -= m.Size
	}
	return s.store.AddUsage(ctx, deltas)
}

// dropBlobs removes from storage each blob no record uses any more. The
// caller holds s.blobMu; each blob's use is asked, and its bytes removed,
// under its store lock (another replica may be uploading the same bytes),
// in a read of its own begun after the lock was taken. The records are
// gone already, so a caller that gives up (ctx cancelled) does not stop
// it: the blobs would otherwise wait for the orphan sweep.
func (s *Service) dropBlobs(ctx context.Context, sums []string) error {
	ctx = context.WithoutCancel(ctx)
	for _, sum := range sums {
		if err := s.dropIfUnused(ctx, sum); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) dropIfUnused(ctx context.Context, sum string) error {
	unlock, err := s.store.LockBlob(ctx, sum)
	if err != nil {
		return err
	}
	defer unlock()
	used, err := s.blobInUse(ctx, sum)
	if err != nil || used {
		return err
	}
	return s.blobs.Remove(ctx, sum)
}

// SweepUploads is the sweep_uploads job: it removes the submission uploads
// that no submission used within UnattachedTTL of their upload, oldest
// first, a batch per transaction, and reports how many it removed. The
// list it walks holds only unattached uploads, so a tick that finds
// nothing to do reads one key. Running it twice removes nothing more.
func (s *Service) SweepUploads(ctx context.Context, now time.Time) (int, error) {
	before := now.Add(-UnattachedTTL)
	removed := 0
	for {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		n, more, err := s.sweepBatch(ctx, before)
		removed += n
		if err != nil || !more {
			return removed, err
		}
	}
}

// sweepBatch removes up to sweepBatch uploads made before the instant;
// more reports that there may be others.
func (s *Service) sweepBatch(ctx context.Context, before time.Time) (removed int, more bool, err error) {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	var sums []string
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		var gone Removed
		var err error
		gone, more, err = s.store.SweepUnattached(ctx, before, sweepBatch)
		if err != nil {
			return err
		}
		removed, sums = len(gone.Media), gone.Blobs
		return s.giveBack(ctx, gone.Media)
	})
	if err != nil {
		return 0, false, err
	}
	return removed, more, s.dropBlobs(ctx, sums)
}
