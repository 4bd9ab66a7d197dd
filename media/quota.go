package media

import (
	"context"
	"fmt"
	"time"

	"pacer/errs"
)

// Storage quotas (--user-quota-bytes, --course-quota-bytes). Every upload
// counts its full size, even when identical bytes are stored once, so that
// what a person uses does not depend on what others uploaded. A course's
// files count against the course; a user's submission uploads against the
// user, across every course, so that students cannot fill the course's
// share and a student in many courses has one allowance. Deleting a file
// (or the sweep of unattached uploads) gives its bytes back. Both totals
// are kept by the store (UsageStore), written in the transaction that adds
// or removes the record.

// quotaOf is the quota a media of this purpose counts against (0: none).
func (s *Service) quotaOf(purpose string) int64 {
	if purpose == PurposeSubmission {
		return s.userQuota
	}
	return s.courseQuota
}

// accountOf is the usage total a media counts against.
func accountOf(m Media) Account {
	if m.Purpose == PurposeSubmission {
		return Account{User: true, ID: m.OwnerID}
	}
	return Account{ID: m.CourseID}
}

// room is how many more bytes an upload of m's kind may take (-1: no
// quota), and the 413 to answer when it takes more.
func (s *Service) room(ctx context.Context, m Media) (room int64, refusal error, err error) {
	quota := s.quotaOf(m.Purpose)
	if quota <= 0 {
		return -1, nil, nil
	}
	used, err := s.store.Usage(ctx, accountOf(m))
	if err != nil {
		return 0, nil, err
	}
	if m.Purpose == PurposeSubmission {
		return max(0, quota-used), errs.E(errs.TooLarge, fmt.Sprintf(
			"this upload would pass your storage quota for submission files of %s (%s used); delete uploads you no longer need (DELETE /api/v1/media/:media)",
			formatBytes(quota), formatBytes(used))), nil
	}
	return max(0, quota-used), errs.E(errs.TooLarge, fmt.Sprintf(
		"this upload would pass the course's storage quota of %s (%s used); delete files the course no longer needs",
		formatBytes(quota), formatBytes(used))), nil
}

// checkQuota refuses m when it does not fit its quota.
func (s *Service) checkQuota(ctx context.Context, m Media) error {
	room, tooLarge, err := s.room(ctx, m)
	if err != nil {
		return err
	}
	if room >= 0 && m.Size > room {
		return tooLarge
	}
	return nil
}

// countUsage makes the quota totals from the records, once: a data
// directory from before quotas has records and no totals. Its submission
// uploads are taken as attached, since which of them earlier attempts
// used is not known any more, and handed-in work must never be swept.
func (s *Service) countUsage(ctx context.Context) error {
	return s.tx.Write(ctx, func(ctx context.Context) error {
		if done, err := s.store.UsageCounted(ctx); err != nil || done {
			return err
		}
		all, err := s.store.All(ctx)
		if err != nil {
			return err
		}
		totals := map[Account]int64{}
		legacy := map[uint64]time.Time{}
		for _, m := range all {
			totals[accountOf(m)] += m.Size
			if m.Purpose == PurposeSubmission && m.AttachedAt == nil {
				legacy[m.ID] = m.CreatedAt
			}
		}
		if len(legacy) > 0 {
			if err := s.store.Attach(ctx, legacy); err != nil {
				return err
			}
		}
		return s.store.CountedUsage(ctx, totals)
	})
}

// formatBytes is a size for people: 1.0 GB, 820 kB.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
