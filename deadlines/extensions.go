package deadlines

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"pacer/audit"
	"pacer/auth"
	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
	"pacer/timetext"
)

// Extension moves one learner's due time of one module. It is the most
// specific rule for that due time, so it wins over the module's week and
// its explicit date, and with it the cut-off (due + grace + late) moves too.
// There is at most one per learner and module: granting another replaces it.
type Extension struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	UserID    uint64    `json:"user_id"`
	ModuleID  uint64    `json:"module_id"`
	DueAt     time.Time `json:"due_at"`
	CreatedBy uint64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ExtensionView is an extension with the names a person needs to read it.
type ExtensionView struct {
	Extension
	UserName    string `json:"user_name"`
	ModuleTitle string `json:"module_title"`
}

// ExtensionInput is the body of POST /courses/:course/extensions.
type ExtensionInput struct {
	UserID   uint64     `json:"user_id"`
	ModuleID uint64     `json:"module_id"`
	DueAt    *time.Time `json:"due_at"`
}

// extensionIndex is the value of an ExtensionsByLearner entry: the record's
// id and the due time, so that DueOverrides (on every learner view) never
// decodes a record.
func extensionIndex(id uint64, due time.Time) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, id)
	binary.BigEndian.PutUint64(b[8:], uint64(due.UnixNano()))
	return b
}

func parseExtensionIndex(v []byte) (id uint64, due time.Time, ok bool) {
	if len(v) != 16 {
		return 0, time.Time{}, false
	}
	return binary.BigEndian.Uint64(v), time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC(), true
}

// DueOverrides returns a learner's extended due times by module. It
// implements modules.ExtensionSource, so every view the course service
// computes (modules list, item access, progress) applies extensions.
func (s *Service) DueOverrides(tx *storage.Tx, course, user uint64) (map[uint64]time.Time, error) {
	var out map[uint64]time.Time
	err := tx.Each(storage.ExtensionsByLearner, storage.Key(course, user), func(k, v []byte) error {
		_, due, ok := parseExtensionIndex(v)
		if !ok {
			return errors.New("deadlines: malformed extension index entry")
		}
		if out == nil {
			out = map[uint64]time.Time{}
		}
		out[storage.Part(k, 2)] = due
		return nil
	})
	return out, err
}

// validDue checks an instant given by a person.
func validDue(t *time.Time) (time.Time, string) {
	if t == nil {
		return time.Time{}, "required"
	}
	u := t.UTC()
	if u.Year() < 2000 || u.Year() > 2200 {
		return time.Time{}, "must be a date between 2000 and 2200"
	}
	return u, ""
}

// moduleOfCourse finds a module of a course; ok is false for a module of
// another course or none.
func moduleOfCourse(tx *storage.Tx, course, module uint64) (modules.Module, bool, error) {
	mods, err := modules.ModulesTx(tx, course)
	if err != nil {
		return modules.Module{}, false, err
	}
	for _, m := range mods {
		if m.ID == module {
			return m, true, nil
		}
	}
	return modules.Module{}, false, nil
}

// CreateExtension grants (or replaces) a learner's extension (staff only).
// The learner must be a student of the course and the module one of its
// modules. The learner is notified in the same transaction.
func (s *Service) CreateExtension(ctx context.Context, caller, courseID uint64, in ExtensionInput) (ExtensionView, error) {
	var out ExtensionView
	err := s.db.Update(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		fields := map[string]string{}
		due, why := validDue(in.DueAt)
		if why != "" {
			fields["due_at"] = why
		}
		if in.UserID == 0 {
			fields["user_id"] = "required"
		} else if m, err := modules.MemberTx(tx, courseID, in.UserID); err != nil || m.Role != modules.RoleStudent {
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			fields["user_id"] = "is not a student of this course"
		}
		var mod modules.Module
		if in.ModuleID == 0 {
			fields["module_id"] = "required"
		} else {
			var ok bool
			if mod, ok, err = moduleOfCourse(tx, courseID, in.ModuleID); err != nil {
				return err
			} else if !ok {
				fields["module_id"] = "is not a module of this course"
			}
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		// An extension only ever gives more time: it must lie ahead of now
		// and not before the learner's own due time without it (the week
		// from their start, or the module's date).
		now := s.clock()
		// The times in these errors are for the staff member who asked,
		// on their own clock (timetext's rule).
		reader := time.UTC
		if me, err := auth.LookupTx(tx, caller); err == nil {
			reader = timetext.Zone(me.Timezone)
		}
		if !due.After(now) {
			return errs.Field("due_at", "must be in the future (it is now "+timetext.ForReader(now, reader, a.Course.Location())+")")
		}
		m, err := modules.MemberTx(tx, courseID, in.UserID)
		if err != nil {
			return err
		}
		own := calendar.LearnerWindow(a.Course.Times(), mod.Times(), m.EnrolledAt, nil)
		if own.DueAt != nil && due.Before(*own.DueAt) {
			return errs.Field("due_at", "must not be before the module's own due time, "+timetext.ForReader(*own.DueAt, reader, a.Course.Location()))
		}
		ext := Extension{CourseID: courseID, UserID: in.UserID, ModuleID: mod.ID, DueAt: due,
			CreatedBy: caller, CreatedAt: now}
		key := storage.Key(courseID, in.UserID, mod.ID)
		if id, _, ok := parseExtensionIndex(tx.GetRaw(storage.ExtensionsByLearner, key)); ok {
			ext.ID = id
		} else if ext.ID, err = tx.NextID(storage.Extensions); err != nil {
			return err
		}
		if err := tx.Put(storage.Extensions, storage.ID(ext.ID), ext); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.ExtensionsByLearner, key, extensionIndex(ext.ID, due)); err != nil {
			return err
		}
		if err := s.Audit.RecordTx(tx, audit.Entry{ActorID: caller, Action: "extension_granted", CourseID: courseID,
			TargetID: in.UserID, Detail: fmt.Sprintf("module %d due %s", mod.ID, due.UTC().Format(time.RFC3339))}); err != nil {
			return err
		}
		u, err := auth.LookupTx(tx, in.UserID)
		if err != nil {
			return err
		}
		out = ExtensionView{Extension: ext, UserName: u.Name, ModuleTitle: mod.Title}
		_, err = s.notify.AddTx(tx, notify.Notification{UserID: in.UserID, CourseID: courseID,
			Kind: notify.KindExtensionGranted, Title: mod.Title + " has a new due time",
			Body: "In " + a.Course.Title + ", " + mod.Title + " is now due for you on " +
				timetext.ForReader(due, timetext.Zone(u.Timezone), a.Course.Location()) + ".",
			Link: moduleLink(courseID, mod.ID)})
		return err
	})
	return out, errs.Wrap(err, "create extension")
}

// DeleteExtension removes an extension (staff only): the learner's due time
// goes back to the module's own.
func (s *Service) DeleteExtension(ctx context.Context, caller, courseID, extID uint64) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		var ext Extension
		if err := tx.Get(storage.Extensions, storage.ID(extID), &ext); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return errs.NotFoundf("extension")
			}
			return err
		}
		// The course comes from the stored extension: one of another course
		// does not exist as far as this URL is concerned.
		if ext.CourseID != courseID {
			return errs.NotFoundf("extension")
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if err := tx.Delete(storage.Extensions, storage.ID(extID)); err != nil {
			return err
		}
		if err := s.Audit.RecordTx(tx, audit.Entry{ActorID: caller, Action: "extension_deleted", CourseID: courseID,
			TargetID: ext.UserID, Detail: fmt.Sprintf("module %d", ext.ModuleID)}); err != nil {
			return err
		}
		return tx.Delete(storage.ExtensionsByLearner, storage.Key(ext.CourseID, ext.UserID, ext.ModuleID))
	})
	return errs.Wrap(err, "delete extension")
}

// ListExtensions lists a course's extensions: staff see all of them
// (optionally of one learner or module), a student sees their own.
func (s *Service) ListExtensions(ctx context.Context, caller, courseID, user, module uint64) ([]ExtensionView, error) {
	out := []ExtensionView{}
	err := s.db.View(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if !a.Staff() {
			user = caller
		}
		mods, err := modules.ModulesTx(tx, courseID)
		if err != nil {
			return err
		}
		titles := make(map[uint64]string, len(mods))
		for _, m := range mods {
			titles[m.ID] = m.Title
		}
		prefix := storage.Key(courseID)
		if user != 0 {
			prefix = storage.Key(courseID, user)
		}
		names := map[uint64]string{}
		return tx.Each(storage.ExtensionsByLearner, prefix, func(k, v []byte) error {
			mid := storage.Part(k, 2)
			title, live := titles[mid]
			if !live || (module != 0 && mid != module) {
				return nil // the module was deleted, or filtered out
			}
			id, _, ok := parseExtensionIndex(v)
			if !ok {
				return errors.New("deadlines: malformed extension index entry")
			}
			var ext Extension
			if err := tx.Get(storage.Extensions, storage.ID(id), &ext); err != nil {
				return err
			}
			name, seen := names[ext.UserID]
			if !seen {
				if u, err := auth.LookupTx(tx, ext.UserID); err == nil {
					name = u.Name
				}
				names[ext.UserID] = name
			}
			out = append(out, ExtensionView{Extension: ext, UserName: name, ModuleTitle: title})
			return nil
		})
	})
	return out, errs.Wrap(err, "list extensions")
}
