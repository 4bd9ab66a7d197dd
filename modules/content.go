package modules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"pacer/audit"
	"pacer/errs"
)

// Nullable is an input field that distinguishes "absent" from "null": a
// PATCH with "due_at": null clears the date, one without it keeps it.
type Nullable[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was present.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// ModuleInput is the body of module create and update.
type ModuleInput struct {
	Title         *string             `json:"title"`
	Summary       *string             `json:"summary"`
	Week          Nullable[int]       `json:"week"`
	OpensAt       Nullable[time.Time] `json:"opens_at"`
	DueAt         Nullable[time.Time] `json:"due_at"`
	Prerequisites *[]uint64           `json:"prerequisites"`
	Published     *bool               `json:"published"`
	Position      *int                `json:"position"`
}

func optTime(n Nullable[time.Time], dst **time.Time, name string, fields map[string]string) {
	if !n.Set {
		return
	}
	if n.Null {
		*dst = nil
		return
	}
	t := n.Value.UTC()
	if t.Year() < 2000 || t.Year() > 2200 {
		fields[name] = "must be a date between 2000 and 2200"
		return
	}
	*dst = &t
}

func (in ModuleInput) apply(m *Module, fields map[string]string) {
	if in.Title != nil {
		if t, r := ValidTitle(*in.Title); r != "" {
			fields["title"] = r
		} else {
			m.Title = t
		}
	}
	if in.Summary != nil {
		if r := ValidText(*in.Summary); r != "" {
			fields["summary"] = r
		} else {
			m.Summary = *in.Summary
		}
	}
	if in.Week.Set {
		switch {
		case in.Week.Null:
			m.Week = 0
		case in.Week.Value < 1 || in.Week.Value > 520:
			fields["week"] = "must be between 1 and 520"
		default:
			m.Week = in.Week.Value
		}
	}
	optTime(in.OpensAt, &m.OpensAt, "opens_at", fields)
	optTime(in.DueAt, &m.DueAt, "due_at", fields)
	if m.OpensAt != nil && m.DueAt != nil && m.DueAt.Before(*m.OpensAt) {
		fields["due_at"] = "must not be before opens_at"
	}
	if in.Published != nil {
		m.Published = *in.Published
	}
}

// checkPrerequisites validates the prerequisite list against the course's
// modules (mods): modules of the same course, not the module itself, no
// cycles.
func checkPrerequisites(mods []Module, m *Module, pre []uint64) error {
	if len(pre) > 100 {
		return errs.Field("prerequisites", "at most 100")
	}
	byID := make(map[uint64]*Module, len(mods))
	for i := range mods {
		byID[mods[i].ID] = &mods[i]
	}
	seen := map[uint64]bool{}
	var clean []uint64
	for _, id := range pre {
		if id == 0 || id == m.ID {
			return errs.Field("prerequisites", "must name other modules of this course")
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if o, ok := byID[id]; !ok || o.CourseID != m.CourseID {
			return errs.Field("prerequisites", fmt.Sprintf("module %d is not in this course", id))
		}
		clean = append(clean, id)
	}
	// A cycle exists if m is reachable from one of its prerequisites.
	stack := slices.Clone(clean)
	visited := map[uint64]bool{}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == m.ID {
			return errs.Field("prerequisites", "would make a cycle")
		}
		if visited[id] {
			continue
		}
		visited[id] = true
		if o, ok := byID[id]; ok {
			stack = append(stack, o.Prerequisites...)
		}
	}
	if clean == nil {
		clean = []uint64{}
	}
	m.Prerequisites = clean
	return nil
}

// renumber gives mods positions 1..n and stores them as the course's
// modules in that order.
func (s *Service) renumber(ctx context.Context, courseID uint64, mods []Module) error {
	for i := range mods {
		mods[i].Position = i + 1
	}
	return s.store.SetModules(ctx, courseID, mods)
}

// CreateModule appends a module to a course (instructors only).
func (s *Service) CreateModule(ctx context.Context, caller, courseID uint64, in ModuleInput) (Module, error) {
	var m Module
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		m = Module{CourseID: courseID, Published: true, Prerequisites: []uint64{}, CreatedAt: s.now().UTC()}
		fields := map[string]string{}
		if in.Title == nil {
			fields["title"] = "required"
		}
		in.apply(&m, fields)
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if m.ID, err = s.store.NextModuleID(ctx); err != nil {
			return err
		}
		mods, err := s.store.Modules(ctx, courseID)
		if err != nil {
			return err
		}
		if in.Prerequisites != nil {
			if err := checkPrerequisites(mods, &m, *in.Prerequisites); err != nil {
				return err
			}
		}
		m.SummaryHTML = s.md.HTML(m.Summary)
		mods = insertAt(mods, m, in.Position)
		if err := s.renumber(ctx, courseID, mods); err != nil {
			return err
		}
		for _, x := range mods {
			if x.ID == m.ID {
				m = x
			}
		}
		return nil
	})
	return m, errs.Wrap(err, "create module")
}

// insertAt puts m at 1-based position pos (nil or out of range: the end).
func insertAt(mods []Module, m Module, pos *int) []Module {
	i := len(mods)
	if pos != nil && *pos >= 1 && *pos <= len(mods) {
		i = *pos - 1
	}
	return slices.Insert(mods, i, m)
}

// courseModule loads a module of a course (404 for a module of another
// course).
func (s *Service) courseModule(ctx context.Context, courseID, moduleID uint64) (Module, error) {
	m, err := s.store.Module(ctx, moduleID)
	if err != nil {
		if errors.Is(err, ErrNoRecord) {
			return m, errs.NotFoundf("module")
		}
		return m, err
	}
	if m.CourseID != courseID {
		return m, errs.NotFoundf("module")
	}
	return m, nil
}

// UpdateModule changes a module (instructors only).
func (s *Service) UpdateModule(ctx context.Context, caller, courseID, moduleID uint64, in ModuleInput) (Module, error) {
	var m Module
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if m, err = s.courseModule(ctx, courseID, moduleID); err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		fields := map[string]string{}
		in.apply(&m, fields)
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		mods, err := s.store.Modules(ctx, courseID)
		if err != nil {
			return err
		}
		if in.Prerequisites != nil {
			if err := checkPrerequisites(mods, &m, *in.Prerequisites); err != nil {
				return err
			}
		}
		m.SummaryHTML = s.md.HTML(m.Summary)
		mods = slices.DeleteFunc(mods, func(x Module) bool { return x.ID == m.ID })
		pos := in.Position
		if pos == nil {
			p := m.Position
			pos = &p
		}
		mods = insertAt(mods, m, pos)
		if err := s.renumber(ctx, courseID, mods); err != nil {
			return err
		}
		for _, x := range mods {
			if x.ID == m.ID {
				m = x
			}
		}
		return nil
	})
	return m, errs.Wrap(err, "update module")
}

// DeleteModule removes a module, its items and its place in other modules'
// prerequisites (instructors only). Learners' progress records of its items
// are removed with the items.
func (s *Service) DeleteModule(ctx context.Context, caller, courseID, moduleID uint64) error {
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		m, err := s.courseModule(ctx, courseID, moduleID)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		items, err := s.store.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := s.deleteItem(ctx, it); err != nil {
				return err
			}
		}
		mods, err := s.store.Modules(ctx, courseID)
		if err != nil {
			return err
		}
		if err := s.store.DeleteModule(ctx, m.ID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "module_deleted", CourseID: courseID,
			TargetID: m.ID, Detail: m.Title}); err != nil {
			return err
		}
		mods = slices.DeleteFunc(mods, func(x Module) bool { return x.ID == m.ID })
		for i := range mods {
			mods[i].Prerequisites = slices.DeleteFunc(mods[i].Prerequisites, func(id uint64) bool { return id == m.ID })
		}
		return s.renumber(ctx, courseID, mods)
	})
	return errs.Wrap(err, "delete module")
}

// ItemInput is the body of item create and update.
type ItemInput struct {
	Kind      *string  `json:"kind"`
	Title     *string  `json:"title"`
	Body      *string  `json:"body"`
	MediaID   *uint64  `json:"media_id"`
	Points    *float64 `json:"points"`
	Published *bool    `json:"published"`
	Position  *int     `json:"position"`
	// Quiz is a quiz item's settings object and Rubric an assignment's
	// rubric; the kind's Settings hook reads the one of its kind.
	Quiz   json.RawMessage `json:"quiz"`
	Rubric json.RawMessage `json:"rubric"`
}

func (in ItemInput) apply(it *Item, fields map[string]string) {
	if in.Title != nil {
		if t, r := ValidTitle(*in.Title); r != "" {
			fields["title"] = r
		} else {
			it.Title = t
		}
	}
	if in.Body != nil {
		if r := ValidText(*in.Body); r != "" {
			fields["body"] = r
		} else {
			it.Body = *in.Body
		}
	}
	if in.MediaID != nil {
		it.MediaID = *in.MediaID
	}
	if in.Points != nil {
		if *in.Points < 0 || *in.Points > 10000 || *in.Points != *in.Points {
			fields["points"] = "must be between 0 and 10000"
		} else {
			it.Points = *in.Points
		}
	}
	if in.Published != nil {
		it.Published = *in.Published
	}
}

// renumberItems gives items positions 1..n and stores them as the
// module's items in that order, bumping each in the item cache.
func (s *Service) renumberItems(ctx context.Context, moduleID uint64, items []Item) error {
	for i := range items {
		items[i].Position = i + 1
		if err := s.items.Bump(ctx, items[i].ID, 0); err != nil {
			return err
		}
	}
	return s.store.SetItems(ctx, moduleID, items)
}

// kindSettings applies the kind's settings object of a create or patch
// body (a quiz's `quiz`, an assignment's `rubric`) through the kind's
// hook; the object of another kind is refused.
func (s *Service) kindSettings(it *Item, in ItemInput) error {
	given := func(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }
	field, raw, other := "quiz", in.Quiz, in.Rubric
	if it.Kind == KindAssignment {
		field, raw, other = "rubric", in.Rubric, in.Quiz
	}
	if given(other) {
		name := "rubric"
		if field == "rubric" {
			name = "quiz"
		}
		return errs.Field(name, "not used by "+it.Kind+" items")
	}
	if !given(raw) {
		return nil
	}
	h := s.kinds[it.Kind]
	if h.Settings == nil {
		return errs.Field(field, "not used by "+it.Kind+" items")
	}
	return h.Settings(it, raw)
}

func validKind(k string) bool {
	switch k {
	case KindPage, KindLecture, KindAssignment, KindDiscussion, KindFile, KindQuiz:
		return true
	}
	return false
}

// CreateItem adds an item to a module (instructors only).
func (s *Service) CreateItem(ctx context.Context, caller, courseID, moduleID uint64, in ItemInput) (Item, error) {
	var it Item
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		m, err := s.courseModule(ctx, courseID, moduleID)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		now := s.now().UTC()
		it = Item{CourseID: courseID, ModuleID: m.ID, Published: true, CreatedAt: now, UpdatedAt: now}
		fields := map[string]string{}
		switch {
		case in.Kind == nil:
			fields["kind"] = "required"
		case !validKind(*in.Kind):
			fields["kind"] = "must be page, lecture, assignment, discussion, file or quiz"
		default:
			it.Kind = *in.Kind
		}
		if in.Title == nil {
			fields["title"] = "required"
		}
		in.apply(&it, fields)
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if err := s.kindSettings(&it, in); err != nil {
			return err
		}
		if err := s.validateKind(ctx, a.Course, &it); err != nil {
			return err
		}
		if it.ID, err = s.store.NextItemID(ctx); err != nil {
			return err
		}
		it.BodyHTML = s.md.HTML(it.Body)
		if h := s.kinds[it.Kind]; h.Created != nil {
			if err := h.Created(ctx, a.Course, &it); err != nil {
				return err
			}
		}
		items, err := s.store.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		i := len(items)
		if in.Position != nil && *in.Position >= 1 && *in.Position <= len(items) {
			i = *in.Position - 1
		}
		items = slices.Insert(items, i, it)
		if err := s.renumberItems(ctx, m.ID, items); err != nil {
			return err
		}
		it = items[i]
		return nil
	})
	return it, errs.Wrap(err, "create item")
}

func (s *Service) validateKind(ctx context.Context, c Course, it *Item) error {
	if (it.Kind == KindLecture || it.Kind == KindFile) && it.MediaID == 0 {
		if s.kinds[it.Kind].Validate != nil {
			return errs.Field("media_id", "required for "+it.Kind+" items")
		}
	}
	if h := s.kinds[it.Kind]; h.Validate != nil {
		return h.Validate(ctx, c, it)
	}
	if it.MediaID != 0 {
		return errs.Field("media_id", "not used by "+it.Kind+" items")
	}
	return nil
}

// item loads an item of a course through the service's item cache (an
// item view decodes the whole body otherwise); an item of another course
// is 404.
func (s *Service) item(ctx context.Context, courseID, itemID uint64) (Item, error) {
	it, err := s.items.Read(ctx, itemID, 0, func(ctx context.Context) (Item, error) {
		return s.store.Item(ctx, itemID)
	})
	if errors.Is(err, ErrNoRecord) {
		return it, errs.NotFoundf("item")
	} else if err != nil {
		return it, err
	}
	if it.CourseID != courseID {
		return Item{}, errs.NotFoundf("item")
	}
	return it, nil
}

// UpdateItem changes an item (instructors only). Its kind cannot change.
func (s *Service) UpdateItem(ctx context.Context, caller, courseID, itemID uint64, in ItemInput) (Item, error) {
	var it Item
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if it, err = s.item(ctx, courseID, itemID); err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		if in.Kind != nil && *in.Kind != it.Kind {
			return errs.Field("kind", "cannot be changed")
		}
		fields := map[string]string{}
		in.apply(&it, fields)
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if err := s.kindSettings(&it, in); err != nil {
			return err
		}
		if err := s.validateKind(ctx, a.Course, &it); err != nil {
			return err
		}
		it.BodyHTML = s.md.HTML(it.Body)
		it.UpdatedAt = s.now().UTC()
		items, err := s.store.Items(ctx, it.ModuleID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(items, func(x Item) bool { return x.ID == it.ID })
		items = slices.Delete(items, i, i+1)
		j := i
		if in.Position != nil {
			j = min(max(*in.Position-1, 0), len(items))
		}
		items = slices.Insert(items, j, it)
		if err := s.renumberItems(ctx, it.ModuleID, items); err != nil {
			return err
		}
		it = items[j]
		return nil
	})
	return it, errs.Wrap(err, "update item")
}

func (s *Service) deleteItem(ctx context.Context, it Item) error {
	if err := s.items.Bump(ctx, it.ID, 0); err != nil {
		return err
	}
	if h := s.kinds[it.Kind]; h.Deleted != nil {
		if err := h.Deleted(ctx, it); err != nil {
			return err
		}
	}
	return s.store.DeleteItem(ctx, it)
}

// DeleteItem removes an item (instructors only).
func (s *Service) DeleteItem(ctx context.Context, caller, courseID, itemID uint64) error {
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		it, err := s.item(ctx, courseID, itemID)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		if err := s.deleteItem(ctx, it); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "item_deleted", CourseID: courseID,
			TargetID: it.ID, Detail: it.Kind + ": " + it.Title}); err != nil {
			return err
		}
		items, err := s.store.Items(ctx, it.ModuleID)
		if err != nil {
			return err
		}
		return s.renumberItems(ctx, it.ModuleID, items)
	})
	return errs.Wrap(err, "delete item")
}
