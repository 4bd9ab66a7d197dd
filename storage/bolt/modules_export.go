package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"pacer/modules"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: courses, then modules, then items
// (parents before children), then members, invitations and progress, in
// one read transaction, one record at a time.
//
// A module's or item's place in its course's (module's) order is kept in
// storage.ModulesByCourse (storage.ItemsByModule), not in the record: the
// exported record's Position is that place, 1..n, or 0 for a record that
// the last SetModules (SetItems) left out, which is kept but no longer
// listed. The PostgreSQL schema holds that place in the row itself, so
// the order indexes, MembersByUser, StaffByCourse, and the invitations'
// address and course indexes are derived there and not exported.
//
// A module whose course record is gone, or an item whose module (or that
// module's course) is gone, is not exported: the PostgreSQL schema's
// foreign keys cannot hold it, and no list on either engine reaches it.
func (s *Modules) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Courses, nil, func(k, v []byte) error {
			var c modules.Course
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("course %d: %w", storage.Part(k, 0), err)
			}
			return put("courses", c)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Modules, nil, func(k, v []byte) error {
			var m modules.Module
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("module %d: %w", storage.Part(k, 0), err)
			}
			if !tx.Has(storage.Courses, storage.ID(m.CourseID)) {
				return nil
			}
			m.Position = orderPlace(tx, storage.ModulesByCourse, m.CourseID, m.ID)
			return put("modules", m)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Items, nil, func(k, v []byte) error {
			var it modules.Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("item %d: %w", storage.Part(k, 0), err)
			}
			var m modules.Module
			err := tx.Get(storage.Modules, storage.ID(it.ModuleID), &m)
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if !tx.Has(storage.Courses, storage.ID(m.CourseID)) {
				return nil
			}
			it.Position = orderPlace(tx, storage.ItemsByModule, it.ModuleID, it.ID)
			return put("items", it)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Members, nil, func(k, v []byte) error {
			var m modules.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("member %d of course %d: %w", storage.Part(k, 1), storage.Part(k, 0), err)
			}
			// The key is what every read finds the record by.
			m.CourseID, m.UserID = storage.Part(k, 0), storage.Part(k, 1)
			return put("members", m)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Invitations, nil, func(k, v []byte) error {
			var inv modules.Invitation
			if err := json.Unmarshal(v, &inv); err != nil {
				return fmt.Errorf("invitation %d: %w", storage.Part(k, 0), err)
			}
			return put("invitations", inv)
		})
		if err != nil {
			return err
		}
		return tx.Each(storage.Progress, nil, func(k, v []byte) error {
			r := records.Progress{CourseID: storage.Part(k, 0), UserID: storage.Part(k, 1), ItemID: storage.Part(k, 2)}
			if err := json.Unmarshal(v, &r.Progress); err != nil {
				return fmt.Errorf("progress of user %d on item %d: %w", r.UserID, r.ItemID, err)
			}
			return put("progress", r)
		})
	})
}

// orderPlace is id's place in parent's order in an order index keyed
// parent|position|id, or 0 when parent's order does not list it. A
// course's modules and a module's items are a few dozen keys, read
// without their values.
func orderPlace(tx *storage.Tx, order storage.Bucket, parent, id uint64) int {
	pos := 0
	_ = tx.Each(order, storage.Key(parent), func(k, _ []byte) error {
		if storage.Part(k, 2) == id {
			pos = int(storage.Part(k, 1))
			return storage.Stop
		}
		return nil
	})
	return pos
}
