package media

import (
	"encoding/binary"
	"fmt"

	"pacer/errs"
	"pacer/storage"
)

// Storage quotas (--user-quota-bytes, --course-quota-bytes). Every upload
// counts its full size, even when identical bytes are stored once, so that
// what a person uses does not depend on what others uploaded. A course's
// files count against the course; a user's submission uploads against the
// user, across every course, so that students cannot fill the course's
// share and a student in many courses has one allowance. Deleting a file
// (or the sweep of unattached uploads) gives its bytes back. Both totals
// are kept in MediaUsage, written in the transaction that adds or removes
// the record.

// usageCountedKey marks that the totals were made from the records once
// (data directories from before quotas).
var usageCountedKey = []byte("counted")

// quotaOf is the quota a media of this purpose counts against (0: none).
func (s *Service) quotaOf(purpose string) int64 {
	if purpose == PurposeSubmission {
		return s.userQuota
	}
	return s.courseQuota
}

func usedTx(tx *storage.Tx, key []byte) int64 {
	v := tx.GetRaw(storage.MediaUsage, key)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// addUsageTx changes a total by delta bytes.
func addUsageTx(tx *storage.Tx, key []byte, delta int64) error {
	n := max(0, usedTx(tx, key)+delta)
	return tx.PutRaw(storage.MediaUsage, key, storage.ID(uint64(n)))
}

// roomTx is how many more bytes an upload of m's kind may take (-1: no
// quota), and the 413 to answer when it takes more.
func (s *Service) roomTx(tx *storage.Tx, m Media) (room int64, refusal error) {
	quota := s.quotaOf(m.Purpose)
	if quota <= 0 {
		return -1, nil
	}
	used := usedTx(tx, usageKeyOf(m))
	if m.Purpose == PurposeSubmission {
		return max(0, quota-used), errs.E(errs.TooLarge, fmt.Sprintf(
			"this upload would pass your storage quota for submission files of %s (%s used); delete uploads you no longer need (DELETE /api/v1/media/:media)",
			formatBytes(quota), formatBytes(used)))
	}
	return max(0, quota-used), errs.E(errs.TooLarge, fmt.Sprintf(
		"this upload would pass the course's storage quota of %s (%s used); delete files the course no longer needs",
		formatBytes(quota), formatBytes(used)))
}

// checkQuotaTx refuses m when it does not fit its quota.
func (s *Service) checkQuotaTx(tx *storage.Tx, m Media) error {
	room, tooLarge := s.roomTx(tx, m)
	if room >= 0 && m.Size > room {
		return tooLarge
	}
	return nil
}

// countUsage makes the quota totals from the records, once: a data
// directory from before quotas has records and no totals. Its submission
// uploads are taken as attached, since which of them earlier attempts
// used is not known any more, and handed-in work must never be swept.
func (s *Service) countUsage() error {
	return s.db.Update(func(tx *storage.Tx) error {
		if tx.Has(storage.MediaUsage, usageCountedKey) {
			return nil
		}
		totals := map[string]int64{}
		var legacy []Media
		err := tx.Each(storage.Media, nil, func(_, v []byte) error {
			var m Media
			if err := decode(v, &m); err != nil {
				return err
			}
			totals[string(usageKeyOf(m))] += m.Size
			if m.Purpose == PurposeSubmission && m.AttachedAt == nil {
				m.AttachedAt = &m.CreatedAt
				legacy = append(legacy, m)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range legacy {
			if err := tx.Put(storage.Media, mediaKey(m.ID), m); err != nil {
				return err
			}
		}
		for k, n := range totals {
			if err := tx.PutRaw(storage.MediaUsage, []byte(k), storage.ID(uint64(n))); err != nil {
				return err
			}
		}
		return tx.PutRaw(storage.MediaUsage, usageCountedKey, storage.ID(1))
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
