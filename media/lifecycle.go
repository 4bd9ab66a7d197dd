package media

import (
	"pacer/errs"
	"pacer/modules"
	"pacer/storage"
)

// CopyToCourseTx gives a course copy its own record of one of the
// original's course files, inside the copy's transaction
// (modules.Service.CopyMedia). The bytes are not copied: the new record
// and its captions name the same blobs, which MediaBlobs now counts as
// used twice, so deleting either course's file keeps the other's. The
// copy counts against the new course's quota like an upload. A file that
// is not the original's course file is refused (404), so a copy can never
// reach another course's files.
func (s *Service) CopyToCourseTx(tx *storage.Tx, from, to modules.Course, mediaID uint64) (uint64, error) {
	m, err := getTx(tx, mediaID)
	if err != nil {
		return 0, err
	}
	if m.CourseID != from.ID || m.Purpose == PurposeSubmission {
		return 0, errs.NotFoundf("media")
	}
	caps, err := captionsTx(tx, m.ID)
	if err != nil {
		return 0, err
	}
	if m.ID, err = tx.NextID(storage.Media); err != nil {
		return 0, err
	}
	m.CourseID, m.OwnerID, m.CreatedAt = to.ID, to.CreatedBy, s.now().UTC()
	if err := tx.Put(storage.Media, mediaKey(m.ID), m); err != nil {
		return 0, err
	}
	if err := tx.PutRaw(storage.MediaByCourse, storage.Key(to.ID, m.ID), nil); err != nil {
		return 0, err
	}
	if err := tx.PutRaw(storage.MediaBlobs, blobRefKey(m.SHA256, m.ID, ""), nil); err != nil {
		return 0, err
	}
	for _, c := range caps {
		c.MediaID = m.ID
		if err := tx.Put(storage.Captions, captionKey(m.ID, c.Lang), c); err != nil {
			return 0, err
		}
		if err := tx.PutRaw(storage.MediaBlobs, blobRefKey(c.SHA256, m.ID, c.Lang), nil); err != nil {
			return 0, err
		}
	}
	return m.ID, addUsageTx(tx, usageKeyOf(m), m.Size)
}

// DeleteCourseTx removes a deleted course's files and captions
// (modules.Service.OnCourseDeleted). Their bytes, unless another record
// uses them, are left to the orphan sweep, which removes blobs no record
// names.
func (s *Service) DeleteCourseTx(tx *storage.Tx, c modules.Course) error {
	var ms []Media
	err := tx.Each(storage.MediaByCourse, storage.Key(c.ID), func(k, _ []byte) error {
		m, err := getTx(tx, storage.Part(k, 1))
		if err == nil {
			ms = append(ms, m)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if _, err := removeTx(tx, m); err != nil {
			return err
		}
	}
	return tx.Delete(storage.MediaUsage, usageKey('c', c.ID))
}
