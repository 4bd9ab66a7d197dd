package modules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pacer/calendar"
	"pacer/errs"
	"pacer/txn"
)

// ModuleView is a module as one caller sees it. For a student, OpensAt and
// DueAt are their own (weeks from their start, extensions applied) and State,
// LockedReason and Progress are filled.
type ModuleView struct {
	Module
	State          string     `json:"state,omitempty"`
	LockedReason   string     `json:"locked_reason,omitempty"`
	Progress       *float64   `json:"progress,omitempty"`
	CompletedItems int        `json:"completed_items"`
	RequiredItems  int        `json:"required_items"`
	Extended       bool       `json:"extended,omitempty"`
	Items          []ItemView `json:"items,omitempty"`
}

// ItemView is an item as one caller sees it, with the caller's progress.
type ItemView struct {
	Item
	Status      string     `json:"status,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Learner is one student's computed position in a course at an instant: the
// visible modules in order, each with its window and state. It is computed
// in one read of the course and is the single place where locking is decided.
type Learner struct {
	Course   Course
	Member   Member
	Now      time.Time
	Modules  []ModuleView
	progress map[uint64]ItemProgress // shared with Service.progress: read only
	byID     map[uint64]int
}

// Learner computes a student's view of a course. Staff get the module
// list without states (staff=true): every module, published or not.
func (s *Service) Learner(ctx context.Context, c Course, m Member, staff bool) (*Learner, error) {
	var l *Learner
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		l, err = s.learner(ctx, c, m, learnerScope{staff: staff, items: true})
		return err
	})
	return l, err
}

// learnerScope says how much of a learner's view to build. The modules
// list and item access need states and counts, not a view of every item;
// item access needs only the item's module and its prerequisites (the
// modules its state depends on). Building everything was most of the cost
// of those routes.
type learnerScope struct {
	staff  bool
	items  bool   // fill each module's Items
	module uint64 // if set, only this module and its prerequisites
	// st is the course's structure when the caller has read it in this
	// transaction (Access), else nil.
	st *structure
}

func (s *Service) learner(ctx context.Context, c Course, m Member, sc learnerScope) (*Learner, error) {
	staff := sc.staff
	l := &Learner{Course: c, Member: m, Now: s.now().UTC(), byID: map[uint64]int{}}
	st, err := sc.st, error(nil)
	if st == nil || st.course.ID != c.ID {
		if st, err = s.structureOf(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if !staff {
		if l.progress, err = s.progressOf(ctx, c.ID, m.UserID); err != nil {
			return nil, err
		}
	}
	var ext map[uint64]time.Time
	if !staff && s.Extensions != nil {
		if ext, err = s.Extensions.DueOverrides(ctx, c.ID, m.UserID); err != nil {
			return nil, err
		}
	}
	var want func(id uint64) bool
	if sc.module != 0 {
		var pre []uint64
		for _, mod := range st.modules {
			if mod.ID == sc.module {
				pre = mod.Prerequisites
			}
		}
		want = func(id uint64) bool { return id == sc.module || slices.Contains(pre, id) }
	}
	l.Modules = make([]ModuleView, 0, len(st.modules))
	times := c.Times()
	for _, mod := range st.modules {
		if (!staff && !mod.Published) || (want != nil && !want(mod.ID)) {
			continue
		}
		items := st.items[mod.ID]
		v := ModuleView{Module: mod}
		for _, it := range items {
			if !staff && !it.Published {
				continue
			}
			iv := ItemView{Item: it}
			if !staff {
				p, ok := l.progress[it.ID]
				iv.Status = StatusNotStarted
				if ok {
					iv.Status, iv.CompletedAt = p.Status, p.CompletedAt
				}
				if iv.Status == StatusCompleted {
					v.CompletedItems++
				}
			}
			v.RequiredItems++
			if sc.items {
				v.Items = append(v.Items, iv)
			}
		}
		if !staff {
			var e *time.Time
			if t, ok := ext[mod.ID]; ok {
				e = &t
			}
			w := calendar.LearnerWindow(times, mod.Times(), m.EnrolledAt, e)
			v.OpensAt, v.DueAt, v.Extended = w.OpensAt, w.DueAt, w.Extended
		}
		l.byID[mod.ID] = len(l.Modules)
		l.Modules = append(l.Modules, v)
	}
	if !staff {
		l.decideStates()
	}
	return l, nil
}

// Status is the learner's status on an item and when they completed it.
func (l *Learner) Status(itemID uint64) (string, *time.Time) {
	if p, ok := l.progress[itemID]; ok {
		return p.Status, p.CompletedAt
	}
	return StatusNotStarted, nil
}

// Complete reports whether every item of the module is done.
func (v ModuleView) Complete() bool { return v.CompletedItems >= v.RequiredItems }

// decideStates sets each module's state: completed when all its items are
// done; locked before its opening time or while a prerequisite is
// incomplete; open otherwise.
func (l *Learner) decideStates() {
	for i := range l.Modules {
		v := &l.Modules[i]
		p := 1.0
		if v.RequiredItems > 0 {
			p = float64(v.CompletedItems) / float64(v.RequiredItems)
		}
		v.Progress = &p
		switch {
		case v.RequiredItems > 0 && v.Complete():
			v.State = StateCompleted
		case v.OpensAt != nil && l.Now.Before(*v.OpensAt):
			v.State, v.LockedReason = StateLocked, "opens "+v.OpensAt.UTC().Format(time.RFC3339)
		default:
			v.State = StateOpen
			for _, pre := range v.Prerequisites {
				j, ok := l.byID[pre]
				if !ok {
					continue // an unpublished prerequisite does not block
				}
				if !l.Modules[j].Complete() {
					v.State = StateLocked
					v.LockedReason = fmt.Sprintf("complete '%s' first", l.Modules[j].Title)
					break
				}
			}
		}
	}
}

// Module returns the view of one module, or nil if it is not visible.
func (l *Learner) Module(id uint64) *ModuleView {
	i, ok := l.byID[id]
	if !ok {
		return nil
	}
	return &l.Modules[i]
}

// CourseProgress is the share of visible items completed (0..1).
func (l *Learner) CourseProgress() float64 {
	done, total := 0, 0
	for _, v := range l.Modules {
		done += v.CompletedItems
		total += v.RequiredItems
	}
	if total == 0 {
		return 0
	}
	return float64(done) / float64(total)
}

// ListModules is the modules list of a course for the caller.
func (s *Service) ListModules(ctx context.Context, caller, courseID uint64) ([]ModuleView, error) {
	var out []ModuleView
	// Answered from the caches of the structure, the membership, the
	// progress (and the item) alone, once they are warm.
	err := s.tx.Read(txn.Cached(ctx), func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		l, err := s.learner(ctx, a.Course, *a.Member, learnerScope{staff: a.Staff(), st: a.st})
		if err != nil {
			return err
		}
		out = l.Modules
		return nil
	})
	if out == nil {
		out = []ModuleView{}
	}
	return out, errs.Wrap(err, "list modules")
}

// GetModule returns one module with its items.
func (s *Service) GetModule(ctx context.Context, caller, courseID, moduleID uint64) (ModuleView, error) {
	var out ModuleView
	// Answered from the caches of the structure, the membership, the
	// progress (and the item) alone, once they are warm.
	err := s.tx.Read(txn.Cached(ctx), func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if _, err := s.courseModule(ctx, courseID, moduleID); err != nil {
			return err
		}
		l, err := s.learner(ctx, a.Course, *a.Member, learnerScope{staff: a.Staff(), items: true, st: a.st})
		if err != nil {
			return err
		}
		v := l.Module(moduleID)
		if v == nil {
			return errs.NotFoundf("module")
		}
		out = *v
		if out.Items == nil {
			out.Items = []ItemView{}
		}
		return nil
	})
	return out, errs.Wrap(err, "get module")
}

// ItemAccess is an item together with the caller's access and, for a
// student, their view of the module that holds it (without Items: use
// Learner.Status for an item's progress). The Learner holds only that
// module and its prerequisites.
type ItemAccess struct {
	Access
	Item    Item
	Learner *Learner
	Module  *ModuleView
}

// ItemAccess loads an item for a caller: 404 for non-members and items of
// other courses or hidden from students; 403 with the lock reason when the
// module is locked for a student.
func (s *Service) ItemAccess(ctx context.Context, caller, courseID, itemID uint64) (ItemAccess, error) {
	var ia ItemAccess
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		ia, err = s.itemAccess(ctx, caller, courseID, itemID)
		return err
	})
	return ia, err
}

func (s *Service) itemAccess(ctx context.Context, caller, courseID, itemID uint64) (ItemAccess, error) {
	var ia ItemAccess
	if err := s.prefetch(ctx, courseID, caller, itemID); err != nil {
		return ia, err
	}
	a, err := s.memberAccess(ctx, courseID, caller)
	if err != nil {
		return ia, err
	}
	ia.Access = a
	if ia.Item, err = s.item(ctx, courseID, itemID); err != nil {
		return ia, err
	}
	if a.Staff() {
		return ia, nil
	}
	if ia.Learner, err = s.learner(ctx, a.Course, *a.Member, learnerScope{module: ia.Item.ModuleID, st: a.st}); err != nil {
		return ia, err
	}
	ia.Module, err = ia.Learner.gate(ia.Item)
	return ia, err
}

// gate is the one rule of an item for a student: 404 when it or its module
// is hidden from them, 403 with the lock reason while the module is locked.
// It returns the module's view when the module is visible.
func (l *Learner) gate(it Item) (*ModuleView, error) {
	v := l.Module(it.ModuleID)
	if v == nil || !it.Published {
		return v, errs.NotFoundf("item")
	}
	if v.State == StateLocked {
		return v, errs.Forbid(v.LockedReason)
	}
	return v, nil
}

// GetItem returns an item; a student opening a page or file has viewed it,
// which completes it.
func (s *Service) GetItem(ctx context.Context, caller, courseID, itemID uint64) (ItemView, error) {
	var out ItemView
	var markViewed, archived bool
	// Answered from the caches of the structure, the membership, the
	// progress (and the item) alone, once they are warm.
	err := s.tx.Read(txn.Cached(ctx), func(ctx context.Context) error {
		ia, err := s.itemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		out = ItemView{Item: ia.Item}
		archived = ia.Course.Archived
		if ia.Student() {
			out.Status, out.CompletedAt = ia.Learner.Status(itemID)
			markViewed = (ia.Item.Kind == KindPage || ia.Item.Kind == KindFile) && out.Status != StatusCompleted
		}
		return nil
	})
	if err != nil {
		return out, errs.Wrap(err, "get item")
	}
	if archived {
		// An archived course is read as it was left: reading records
		// nothing (no activity, no views, no watch clock).
		return out, nil
	}
	s.touch(ctx, courseID, caller, out.Status != "")
	if h := s.kinds[out.Kind]; h.Opened != nil && out.Status != "" {
		if err := h.Opened(courseID, caller, out.Item); err != nil {
			return out, err
		}
	}
	if markViewed {
		p, err := s.markViewed(ctx, caller, courseID, itemID)
		if err != nil {
			return out, err
		}
		out.Status, out.CompletedAt = StatusCompleted, p.CompletedAt
	}
	return out, nil
}

// markViewed completes a page the caller was just shown. Access was decided
// by the read a moment ago; recomputing the learner's whole view here would
// double the cost of a first view, and only a membership ending in between
// matters (no progress for someone who left).
func (s *Service) markViewed(ctx context.Context, caller, courseID, itemID uint64) (ItemProgress, error) {
	var p ItemProgress
	err := s.tx.Batch(ctx, func(ctx context.Context) error {
		if _, err := s.store.Member(ctx, courseID, caller); err != nil {
			if errors.Is(err, ErrNoRecord) {
				return errs.NotFoundf("item")
			}
			return err
		}
		var err error
		p, err = s.mark(ctx, courseID, caller, itemID, StatusCompleted)
		return err
	})
	return p, errs.Wrap(err, "complete item")
}

// touch tells the activity tracker of a learner's action. It runs after
// the action's transaction: the tracker buffers in memory, which a
// re-run transaction must not count twice.
func (s *Service) touch(_ context.Context, course, user uint64, learner bool) {
	if learner && s.OnActivity != nil {
		s.OnActivity(course, user)
	}
}

// Touch records a learner action in a course (for the activity tracker),
// after the action's transaction has committed.
func (s *Service) Touch(ctx context.Context, course, user uint64) { s.touch(ctx, course, user, true) }

// Complete marks a page or file done for a student. Marking is idempotent,
// so it goes through Batch: many learners opening pages at once share one
// commit instead of queueing for an fsync each.
func (s *Service) Complete(ctx context.Context, caller, courseID, itemID uint64) (ItemProgress, error) {
	var p ItemProgress
	err := s.tx.Batch(ctx, func(ctx context.Context) error {
		ia, err := s.itemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if err := ia.RequireStudent(); err != nil {
			return err
		}
		if ia.Item.Kind != KindPage && ia.Item.Kind != KindFile {
			return errs.ConflictCode("conflict", ia.Item.Kind+" items are completed by doing them, not by marking them")
		}
		p, err = s.mark(ctx, courseID, caller, itemID, StatusCompleted)
		return err
	})
	if err == nil {
		s.Touch(ctx, courseID, caller)
	}
	return p, errs.Wrap(err, "complete item")
}

// Mark records a learner's status on an item, in the transaction ctx
// carries (or a write of its own). Completion is never undone by a later
// in_progress mark, and marking twice changes nothing, so it is safe
// inside Batch.
func (s *Service) Mark(ctx context.Context, courseID, userID, itemID uint64, status string) (ItemProgress, error) {
	var p ItemProgress
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		p, err = s.mark(ctx, courseID, userID, itemID, status)
		return err
	})
	return p, err
}

// mark is Mark in the write transaction ctx carries.
//
// The item's record comes from the learner's cached progress when the
// cache holds it at the revision this transaction reads (the access check
// before it usually just read the same, and on PostgreSQL a write fills
// the caches until it writes): a change by anyone else bumps that
// revision, which this transaction then reads (and, serializable,
// conflicts on, as on the record). Otherwise the one record is read, not
// the learner's whole progress.
func (s *Service) mark(ctx context.Context, courseID, userID, itemID uint64, status string) (ItemProgress, error) {
	var p ItemProgress
	found := false
	all, hit, err := s.progress.Peek(ctx, courseID, userID)
	switch {
	case err != nil:
		return p, err
	case hit:
		p, found = all[itemID]
	default:
		p, err = s.store.ItemProgress(ctx, courseID, userID, itemID)
		if err != nil && !errors.Is(err, ErrNoRecord) {
			return p, err
		}
		found = err == nil
	}
	if found && (p.Status == StatusCompleted || p.Status == status) {
		return p, nil
	}
	now := s.now().UTC()
	p.Status, p.UpdatedAt = status, now
	if status == StatusCompleted {
		p.CompletedAt = &now
	}
	if err := s.progress.Bump(ctx, courseID, userID); err != nil {
		return p, err
	}
	return p, s.store.PutProgress(ctx, courseID, userID, itemID, p)
}

// ProgressReport is the answer of the progress route.
type ProgressReport struct {
	UserID         uint64           `json:"user_id"`
	CourseProgress float64          `json:"course_progress"`
	Modules        []ModuleProgress `json:"modules"`
	Items          []ItemStatus     `json:"items"`
}

// ModuleProgress is one module's line of a progress report.
type ModuleProgress struct {
	ModuleID       uint64 `json:"module_id"`
	Title          string `json:"title"`
	State          string `json:"state"`
	CompletedItems int    `json:"completed_items"`
	RequiredItems  int    `json:"required_items"`
}

// ItemStatus is one item's line of a progress report.
type ItemStatus struct {
	ItemID      uint64     `json:"item_id"`
	ModuleID    uint64     `json:"module_id"`
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completed_at"`
}

// Progress reports a student's progress: the caller's own, or (staff only)
// another member's.
func (s *Service) Progress(ctx context.Context, caller, courseID, userID uint64) (ProgressReport, error) {
	var r ProgressReport
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		target := *a.Member
		if userID != 0 && userID != caller {
			if err := a.RequireStaff(); err != nil {
				return err
			}
			if target, err = s.store.Member(ctx, courseID, userID); err != nil {
				return errs.NotFoundf("member")
			}
		}
		l, err := s.learner(ctx, a.Course, target, learnerScope{items: true, st: a.st})
		if err != nil {
			return err
		}
		r = l.Report()
		return nil
	})
	return r, errs.Wrap(err, "progress")
}

// Report summarises the learner's progress.
func (l *Learner) Report() ProgressReport {
	r := ProgressReport{UserID: l.Member.UserID, CourseProgress: l.CourseProgress(), Modules: []ModuleProgress{}, Items: []ItemStatus{}}
	for _, v := range l.Modules {
		r.Modules = append(r.Modules, ModuleProgress{ModuleID: v.ID, Title: v.Title, State: v.State,
			CompletedItems: v.CompletedItems, RequiredItems: v.RequiredItems})
		for _, it := range v.Items {
			r.Items = append(r.Items, ItemStatus{ItemID: it.ID, ModuleID: v.ID, Status: it.Status, CompletedAt: it.CompletedAt})
		}
	}
	return r
}
