package bolt

import (
	"context"
	"encoding/json"
	"errors"

	"pacer/modules"
	"pacer/storage"
)

// Modules live in storage.Modules under their id, ordered by
// storage.ModulesByCourse (course|position|id, no value); items in
// storage.Items under their id, ordered by storage.ItemsByModule
// (module|position|id) whose value is the item's head (itemHead), so that
// listing a module decodes a few dozen bytes per item instead of its body
// and rendered HTML.

// itemHead is the part of an item that lists need.
type itemHead struct {
	ID        uint64  `json:"i"`
	Kind      string  `json:"k"`
	Title     string  `json:"t"`
	Published bool    `json:"p,omitempty"`
	MediaID   uint64  `json:"m,omitempty"`
	Points    float64 `json:"pt,omitempty"`
	ThreadID  uint64  `json:"th,omitempty"`
}

// Outline implements modules.Store.
func (s *Modules) Outline(ctx context.Context, courseID uint64) (modules.Outline, error) {
	o := modules.Outline{Items: map[uint64][]modules.Item{}}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := course(tx, courseID, &o.Course); err != nil {
			return err
		}
		mods, err := orderedModules(tx, courseID)
		if err != nil {
			return err
		}
		o.Modules = mods
		for _, m := range mods {
			heads, err := itemHeads(tx, courseID, m.ID)
			if err != nil {
				return err
			}
			o.Items[m.ID] = heads
		}
		return nil
	})
	return o, err
}

func orderedModules(tx *storage.Tx, courseID uint64) ([]modules.Module, error) {
	var out []modules.Module
	err := tx.Each(storage.ModulesByCourse, storage.Key(courseID), func(k, _ []byte) error {
		var m modules.Module
		if err := tx.Get(storage.Modules, storage.ID(storage.Part(k, 2)), &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// itemHeads lists a module's items in order without their bodies.
func itemHeads(tx *storage.Tx, courseID, moduleID uint64) ([]modules.Item, error) {
	var out []modules.Item
	err := tx.Each(storage.ItemsByModule, storage.Key(moduleID), func(k, v []byte) error {
		var h itemHead
		if err := json.Unmarshal(v, &h); err != nil || h.ID == 0 {
			// An entry written before heads were kept: read the record.
			var it modules.Item
			if err := tx.Get(storage.Items, storage.ID(storage.Part(k, 2)), &it); err != nil {
				return err
			}
			it.Body, it.BodyHTML = "", ""
			out = append(out, it)
			return nil
		}
		out = append(out, modules.Item{ID: h.ID, CourseID: courseID, ModuleID: moduleID, Kind: h.Kind, Title: h.Title,
			Published: h.Published, MediaID: h.MediaID, Points: h.Points, ThreadID: h.ThreadID, Position: int(storage.Part(k, 1))})
		return nil
	})
	return out, err
}

func moduleItems(tx *storage.Tx, moduleID uint64, out []modules.Item) ([]modules.Item, error) {
	err := tx.Each(storage.ItemsByModule, storage.Key(moduleID), func(k, _ []byte) error {
		var it modules.Item
		if err := tx.Get(storage.Items, storage.ID(storage.Part(k, 2)), &it); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	})
	return out, err
}

// Modules implements modules.Store.
func (s *Modules) Modules(ctx context.Context, courseID uint64) ([]modules.Module, error) {
	var out []modules.Module
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = orderedModules(storage.TxFrom(ctx), courseID)
		return err
	})
	return out, err
}

// Module implements modules.Store.
func (s *Modules) Module(ctx context.Context, id uint64) (modules.Module, error) {
	var m modules.Module
	err := s.db.Read(ctx, func(ctx context.Context) error {
		err := storage.TxFrom(ctx).Get(storage.Modules, storage.ID(id), &m)
		if errors.Is(err, storage.ErrNotFound) {
			return modules.ErrNoRecord
		}
		return err
	})
	return m, err
}

// NextModuleID implements modules.Store.
func (s *Modules) NextModuleID(ctx context.Context) (uint64, error) {
	return s.nextID(ctx, storage.Modules)
}

// NextItemID implements modules.Store.
func (s *Modules) NextItemID(ctx context.Context) (uint64, error) {
	return s.nextID(ctx, storage.Items)
}

func (s *Modules) nextID(ctx context.Context, b storage.Bucket) (uint64, error) {
	var id uint64
	err := s.db.Write(ctx, func(ctx context.Context) error {
		var err error
		id, err = storage.TxFrom(ctx).NextID(b)
		return err
	})
	return id, err
}

// SetModules implements modules.Store.
func (s *Modules) SetModules(ctx context.Context, courseID uint64, mods []modules.Module) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.DeletePrefix(storage.ModulesByCourse, storage.Key(courseID)); err != nil {
			return err
		}
		for i, m := range mods {
			if err := tx.Put(storage.Modules, storage.ID(m.ID), m); err != nil {
				return err
			}
			if err := tx.PutRaw(storage.ModulesByCourse, storage.Key(courseID, uint64(i+1), m.ID), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteModule implements modules.Store.
func (s *Modules) DeleteModule(ctx context.Context, id uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Delete(storage.Modules, storage.ID(id))
	})
}

// Items implements modules.Store.
func (s *Modules) Items(ctx context.Context, moduleID uint64) ([]modules.Item, error) {
	var out []modules.Item
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = moduleItems(storage.TxFrom(ctx), moduleID, nil)
		return err
	})
	return out, err
}

// CourseItems implements modules.Store.
func (s *Modules) CourseItems(ctx context.Context, courseID uint64) ([]modules.Item, error) {
	var out []modules.Item
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		mods, err := orderedModules(tx, courseID)
		if err != nil {
			return err
		}
		for _, m := range mods {
			if out, err = moduleItems(tx, m.ID, out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Item implements modules.Store.
func (s *Modules) Item(ctx context.Context, id uint64) (modules.Item, error) {
	var it modules.Item
	err := s.db.Read(ctx, func(ctx context.Context) error {
		err := storage.TxFrom(ctx).Get(storage.Items, storage.ID(id), &it)
		if errors.Is(err, storage.ErrNotFound) {
			return modules.ErrNoRecord
		}
		return err
	})
	return it, err
}

// SetItems implements modules.Store.
func (s *Modules) SetItems(ctx context.Context, moduleID uint64, items []modules.Item) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.DeletePrefix(storage.ItemsByModule, storage.Key(moduleID)); err != nil {
			return err
		}
		for i, it := range items {
			if err := tx.Put(storage.Items, storage.ID(it.ID), it); err != nil {
				return err
			}
			h := itemHead{ID: it.ID, Kind: it.Kind, Title: it.Title, Published: it.Published, MediaID: it.MediaID, Points: it.Points, ThreadID: it.ThreadID}
			if err := tx.Put(storage.ItemsByModule, storage.Key(moduleID, uint64(i+1), it.ID), h); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteItem implements modules.Store.
func (s *Modules) DeleteItem(ctx context.Context, it modules.Item) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Delete(storage.Items, storage.ID(it.ID)); err != nil {
			return err
		}
		return tx.Delete(storage.ItemsByModule, storage.Key(it.ModuleID, uint64(it.Position), it.ID))
	})
}

// DeleteCourseContent implements modules.Store. The order indexes name
// every module and item, so no record is decoded.
func (s *Modules) DeleteCourseContent(ctx context.Context, courseID uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var mods, items []uint64
		err := tx.Each(storage.ModulesByCourse, storage.Key(courseID), func(k, _ []byte) error {
			mods = append(mods, storage.Part(k, 2))
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range mods {
			err := tx.Each(storage.ItemsByModule, storage.Key(m), func(k, _ []byte) error {
				items = append(items, storage.Part(k, 2))
				return nil
			})
			if err != nil {
				return err
			}
			if err := tx.DeletePrefix(storage.ItemsByModule, storage.Key(m)); err != nil {
				return err
			}
			if err := tx.Delete(storage.Modules, storage.ID(m)); err != nil {
				return err
			}
		}
		for _, id := range items {
			if err := tx.Delete(storage.Items, storage.ID(id)); err != nil {
				return err
			}
		}
		return tx.DeletePrefix(storage.ModulesByCourse, storage.Key(courseID))
	})
}
