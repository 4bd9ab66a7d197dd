package deadlines

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pacer/audit"
	"pacer/cache"
	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/timetext"
	"pacer/txn"
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

// DueOverrides returns a learner's extended due times by module. It
// implements modules.ExtensionSource, so every view the course service
// computes (modules list, item access, progress) applies extensions. Every
// learner view asks, so they are cached by course and learner; the
// returned map is shared with the cache and must not be changed.
func (s *Service) DueOverrides(ctx context.Context, course, user uint64) (map[uint64]time.Time, error) {
	if s.overrides == nil {
		return s.store.Overrides(ctx, course, user)
	}
	return s.overrides.Read(ctx, course, user, func(ctx context.Context) (map[uint64]time.Time, error) {
		return s.store.Overrides(ctx, course, user)
	})
}

// CourseOverrides implements modules.ExtensionSource: one read of the
// course's extensions, which are few.
func (s *Service) CourseOverrides(ctx context.Context, course uint64) (map[uint64]map[uint64]time.Time, error) {
	exts, err := s.store.Extensions(ctx, course, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]map[uint64]time.Time)
	for _, e := range exts {
		if out[e.UserID] == nil {
			out[e.UserID] = make(map[uint64]time.Time)
		}
		out[e.UserID][e.ModuleID] = e.DueAt
	}
	return out, nil
}

// OverridesAhead implements modules.ExtensionSource: the course service
// reads the revision of a learner's extended due times ahead with its own
// (one round trip where the engine needs them).
func (s *Service) OverridesAhead(_ context.Context, course, user uint64) cache.Ahead {
	if s.overrides == nil {
		return cache.Ahead{}
	}
	return s.overrides.Ahead(course, user)
}

// Cached extended due times: kindOverrides is their revision's kind, by
// course and learner. Only PutExtension and DeleteExtension (below) write
// extensions, each bumping the learner's revision first; a course's
// deletion removes its extensions with the course, whose learners are
// never read again. maxCachedOverrides: a map per learner, most of them
// empty.
const (
	kindOverrides      = "deadlines.overrides"
	maxCachedOverrides = 200_000
)

// forgetOverrides bumps a learner's extended due times, before a write of
// one of their extensions.
func (s *Service) forgetOverrides(ctx context.Context, course, user uint64) error {
	if s.overrides == nil {
		return nil
	}
	return s.overrides.Bump(ctx, course, user)
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
func (s *Service) moduleOfCourse(ctx context.Context, course, module uint64) (modules.Module, bool, error) {
	mods, err := s.courses.Modules(ctx, course)
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
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
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
		} else if m, err := s.courses.Member(ctx, courseID, in.UserID); err != nil || m.Role != modules.RoleStudent {
			if err != nil && !errors.Is(err, txn.ErrNotFound) {
				return err
			}
			fields["user_id"] = "is not a student of this course"
		}
		var mod modules.Module
		if in.ModuleID == 0 {
			fields["module_id"] = "required"
		} else {
			var ok bool
			if mod, ok, err = s.moduleOfCourse(ctx, courseID, in.ModuleID); err != nil {
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
		if me, err := s.auth.User(ctx, caller); err == nil {
			reader = timetext.Zone(me.Timezone)
		}
		if !due.After(now) {
			return errs.Field("due_at", "must be in the future (it is now "+timetext.ForReader(now, reader, a.Course.Location())+")")
		}
		m, err := s.courses.Member(ctx, courseID, in.UserID)
		if err != nil {
			return err
		}
		own := calendar.LearnerWindow(a.Course.Times(), mod.Times(), m.EnrolledAt, nil)
		if own.DueAt != nil && due.Before(*own.DueAt) {
			return errs.Field("due_at", "must not be before the module's own due time, "+timetext.ForReader(*own.DueAt, reader, a.Course.Location()))
		}
		ext := Extension{CourseID: courseID, UserID: in.UserID, ModuleID: mod.ID, DueAt: due,
			CreatedBy: caller, CreatedAt: now}
		if err := s.forgetOverrides(ctx, courseID, in.UserID); err != nil {
			return err
		}
		if ext, err = s.store.PutExtension(ctx, ext); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "extension_granted", CourseID: courseID,
			TargetID: in.UserID, Detail: fmt.Sprintf("module %d due %s", mod.ID, due.UTC().Format(time.RFC3339))}); err != nil {
			return err
		}
		u, err := s.auth.User(ctx, in.UserID)
		if err != nil {
			return err
		}
		out = ExtensionView{Extension: ext, UserName: u.Name, ModuleTitle: mod.Title}
		_, err = s.notify.Add(ctx, notify.Notification{UserID: in.UserID, CourseID: courseID,
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
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		ext, err := s.store.Extension(ctx, extID)
		if err != nil {
			return notFoundAs(err, "extension")
		}
		// The course comes from the stored extension: one of another course
		// does not exist as far as this URL is concerned.
		if ext.CourseID != courseID {
			return errs.NotFoundf("extension")
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if err := s.forgetOverrides(ctx, courseID, ext.UserID); err != nil {
			return err
		}
		if err := s.store.DeleteExtension(ctx, extID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "extension_deleted", CourseID: courseID,
			TargetID: ext.UserID, Detail: fmt.Sprintf("module %d", ext.ModuleID)})
	})
	return errs.Wrap(err, "delete extension")
}

// ListExtensions lists a course's extensions: staff see all of them
// (optionally of one learner or module), a student sees their own.
func (s *Service) ListExtensions(ctx context.Context, caller, courseID, user, module uint64) ([]ExtensionView, error) {
	out := []ExtensionView{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if !a.Staff() {
			user = caller
		}
		mods, err := s.courses.Modules(ctx, courseID)
		if err != nil {
			return err
		}
		titles := make(map[uint64]string, len(mods))
		for _, m := range mods {
			titles[m.ID] = m.Title
		}
		exts, err := s.store.Extensions(ctx, courseID, user)
		if err != nil {
			return err
		}
		names := map[uint64]string{}
		for _, ext := range exts {
			title, live := titles[ext.ModuleID]
			if !live || (module != 0 && ext.ModuleID != module) {
				continue // the module was deleted, or filtered out
			}
			name, seen := names[ext.UserID]
			if !seen {
				if u, err := s.auth.User(ctx, ext.UserID); err == nil {
					name = u.Name
				}
				names[ext.UserID] = name
			}
			out = append(out, ExtensionView{Extension: ext, UserName: name, ModuleTitle: title})
		}
		return nil
	})
	return out, errs.Wrap(err, "list extensions")
}
