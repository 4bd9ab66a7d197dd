package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"pacer/modules"
)

// newModules stores titles as the modules of course, in order.
func newModules(t *testing.T, s modules.Store, course uint64, titles ...string) []modules.Module {
	t.Helper()
	var mods []modules.Module
	for i, title := range titles {
		id, err := s.NextModuleID(bg)
		if err != nil {
			t.Fatalf("NextModuleID: %v", err)
		}
		mods = append(mods, modules.Module{ID: id, CourseID: course, Title: title, Published: true,
			Prerequisites: []uint64{}, Position: i + 1, CreatedAt: at})
	}
	if err := s.SetModules(bg, course, mods); err != nil {
		t.Fatalf("SetModules: %v", err)
	}
	return mods
}

// newItems stores titles as the page items of a module, in order.
func newItems(t *testing.T, s modules.Store, course, module uint64, titles ...string) []modules.Item {
	t.Helper()
	var items []modules.Item
	for i, title := range titles {
		id, err := s.NextItemID(bg)
		if err != nil {
			t.Fatalf("NextItemID: %v", err)
		}
		items = append(items, modules.Item{ID: id, CourseID: course, ModuleID: module, Kind: modules.KindPage, Title: title,
			Body: "body of " + title, BodyHTML: "<p>body of " + title + "</p>", Published: true, Points: 2,
			Position: i + 1, CreatedAt: at, UpdatedAt: at})
	}
	if err := s.SetItems(bg, module, items); err != nil {
		t.Fatalf("SetItems: %v", err)
	}
	return items
}

func moduleTitles(mods []modules.Module) []string {
	var out []string
	for _, m := range mods {
		out = append(out, m.Title)
	}
	return out
}

func itemTitles(items []modules.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

func content(t *testing.T, open Open) {
	s, _ := open(t)
	c := addCourse(t, s, "Algebra")
	mods := newModules(t, s, c.ID, "One", "Two", "Three")
	got, err := s.Modules(bg, c.ID)
	if err != nil || !slices.Equal(moduleTitles(got), []string{"One", "Two", "Three"}) {
		t.Fatalf("Modules = %v, %v", moduleTitles(got), err)
	}
	if got, _ := s.Modules(bg, c.ID+1); len(got) != 0 {
		t.Errorf("another course's modules = %v", moduleTitles(got))
	}
	// A new order replaces the old one.
	mods = []modules.Module{mods[2], mods[0], mods[1]}
	for i := range mods {
		mods[i].Position = i + 1
	}
	if err := s.SetModules(bg, c.ID, mods); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Modules(bg, c.ID); !slices.Equal(moduleTitles(got), []string{"Three", "One", "Two"}) || got[0].Position != 1 {
		t.Errorf("after reordering Modules = %v", moduleTitles(got))
	}
	m, err := s.Module(bg, mods[1].ID)
	if err != nil || m.Title != "One" || m.CourseID != c.ID || m.Position != 2 {
		t.Errorf("Module = %+v, %v", m, err)
	}
	if _, err := s.Module(bg, 999); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a missing module: %v, want ErrNoRecord", err)
	}

	items := newItems(t, s, c.ID, mods[0].ID, "a", "b", "c")
	newItems(t, s, c.ID, mods[2].ID, "z")
	gotItems, err := s.Items(bg, mods[0].ID)
	if err != nil || !slices.Equal(itemTitles(gotItems), []string{"a", "b", "c"}) || gotItems[0].Body != "body of a" {
		t.Fatalf("Items = %+v, %v", gotItems, err)
	}
	items = []modules.Item{items[1], items[2], items[0]}
	for i := range items {
		items[i].Position = i + 1
	}
	if err := s.SetItems(bg, mods[0].ID, items); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Items(bg, mods[0].ID); !slices.Equal(itemTitles(got), []string{"b", "c", "a"}) {
		t.Errorf("after reordering Items = %v", itemTitles(got))
	}
	all, err := s.CourseItems(bg, c.ID)
	if err != nil || !slices.Equal(itemTitles(all), []string{"b", "c", "a", "z"}) {
		t.Errorf("CourseItems = %v, %v; want module order, then item order", itemTitles(all), err)
	}
	it, err := s.Item(bg, items[2].ID)
	if err != nil || it.Title != "a" || it.Position != 3 || it.BodyHTML != "<p>body of a</p>" {
		t.Errorf("Item = %+v, %v", it, err)
	}
	if _, err := s.Item(bg, 999); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a missing item: %v, want ErrNoRecord", err)
	}
}

func outline(t *testing.T, open Open) {
	s, _ := open(t)
	c := addCourse(t, s, "Algebra")
	mods := newModules(t, s, c.ID, "One", "Two")
	items := newItems(t, s, c.ID, mods[0].ID, "a", "b")
	o, err := s.Outline(bg, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Course.ID != c.ID || o.Course.Title != "Algebra" || !slices.Equal(moduleTitles(o.Modules), []string{"One", "Two"}) {
		t.Errorf("Outline = %+v", o)
	}
	heads := o.Items[mods[0].ID]
	if !slices.Equal(itemTitles(heads), []string{"a", "b"}) || len(o.Items[mods[1].ID]) != 0 {
		t.Fatalf("Outline items = %+v", o.Items)
	}
	h := heads[1]
	if h.ID != items[1].ID || h.CourseID != c.ID || h.ModuleID != mods[0].ID || h.Kind != modules.KindPage ||
		!h.Published || h.Points != 2 || h.Position != 2 || h.Body != "" || h.BodyHTML != "" {
		t.Errorf("an item head = %+v", h)
	}
	if _, err := s.Outline(bg, 999); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("the outline of a missing course: %v, want ErrNoRecord", err)
	}
}

func deleteContent(t *testing.T, open Open) {
	s, _ := open(t)
	c := addCourse(t, s, "Algebra")
	other := addCourse(t, s, "Biology")
	mods := newModules(t, s, c.ID, "One", "Two")
	items := newItems(t, s, c.ID, mods[0].ID, "a", "b")
	newItems(t, s, c.ID, mods[1].ID, "c")
	kept := newModules(t, s, other.ID, "Other")
	keptItems := newItems(t, s, other.ID, kept[0].ID, "x")

	if err := s.DeleteItem(bg, items[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Items(bg, mods[0].ID); !slices.Equal(itemTitles(got), []string{"b"}) {
		t.Errorf("after DeleteItem Items = %v", itemTitles(got))
	}
	if _, err := s.Item(bg, items[0].ID); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a deleted item: %v, want ErrNoRecord", err)
	}
	if err := s.DeleteModule(bg, mods[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Module(bg, mods[1].ID); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a deleted module: %v, want ErrNoRecord", err)
	}
	if err := s.DeleteModule(bg, mods[1].ID); err != nil {
		t.Errorf("deleting a module again: %v", err)
	}

	c2 := addCourse(t, s, "Chemistry")
	m2 := newModules(t, s, c2.ID, "One", "Two")
	i2 := newItems(t, s, c2.ID, m2[1].ID, "p", "q")
	if err := s.DeleteCourseContent(bg, c2.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Modules(bg, c2.ID); len(got) != 0 {
		t.Errorf("after DeleteCourseContent Modules = %v", moduleTitles(got))
	}
	if got, _ := s.Items(bg, m2[1].ID); len(got) != 0 {
		t.Errorf("after DeleteCourseContent Items = %v", itemTitles(got))
	}
	if _, err := s.Item(bg, i2[0].ID); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("an item of a deleted course's content: %v", err)
	}
	if _, err := s.Module(bg, m2[0].ID); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a module of a deleted course's content: %v", err)
	}
	if _, err := s.Course(bg, c2.ID); err != nil {
		t.Errorf("DeleteCourseContent removed the course record: %v", err)
	}
	if got, _ := s.CourseItems(bg, other.ID); len(got) != 1 || got[0].ID != keptItems[0].ID {
		t.Errorf("another course's items = %v", itemTitles(got))
	}
}

func contentJoins(t *testing.T, open Open) {
	s, run := open(t)
	c := addCourse(t, s, "Algebra")
	var mod uint64
	err := run.Write(bg, func(ctx context.Context) error {
		d, err := s.AddCourse(ctx, modules.Course{Title: "Draft"})
		if err != nil {
			return err
		}
		if _, err := s.Course(ctx, d.ID); err != nil {
			t.Errorf("inside the transaction the course is not seen: %v", err)
		}
		if mod, err = s.NextModuleID(ctx); err != nil {
			return err
		}
		if err := s.SetModules(ctx, c.ID, []modules.Module{{ID: mod, CourseID: c.ID, Title: "M", Position: 1}}); err != nil {
			return err
		}
		if got, _ := s.Modules(ctx, c.ID); len(got) != 1 {
			t.Errorf("inside the transaction the module is not listed: %v", moduleTitles(got))
		}
		if err := s.PutProgress(ctx, c.ID, 5, 7, modules.ItemProgress{Status: modules.StatusCompleted, UpdatedAt: at}); err != nil {
			return err
		}
		if done, _ := s.Completed(ctx, c.ID, 5, 7); !done {
			t.Error("inside the transaction the progress is not seen")
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if got := courseIDs(t, s); !slices.Equal(got, []uint64{c.ID}) {
		t.Errorf("an aborted transaction left courses %v", got)
	}
	if got, _ := s.Modules(bg, c.ID); len(got) != 0 {
		t.Errorf("an aborted transaction left modules %v", moduleTitles(got))
	}
	if _, err := s.ItemProgress(bg, c.ID, 5, 7); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("an aborted transaction left progress: %v", err)
	}
}

func contentRerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		c, err := s.AddCourse(ctx, modules.Course{Title: "Copy"})
		if err != nil {
			return err
		}
		id, err := s.NextModuleID(ctx)
		if err != nil {
			return err
		}
		if err := s.SetModules(ctx, c.ID, []modules.Module{{ID: id, CourseID: c.ID, Title: "M", Position: 1}}); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	ids := courseIDs(t, s)
	if len(ids) != 1 {
		t.Fatalf("after a failed and a good attempt there are %d courses, want 1", len(ids))
	}
	if got, _ := s.Modules(bg, ids[0]); len(got) != 1 {
		t.Errorf("the course has %d modules, want 1", len(got))
	}
}
