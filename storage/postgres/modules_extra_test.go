package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"pacer/modules"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// What the domain relies on beyond the contract suite: kind settings and
// prerequisite lists come back as stored (nil apart from empty), a course
// copy may store a new module's items before the module, and a record left
// out of an order keeps its row.
func TestModulesStoreRoundTrips(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	s := postgres.NewModules(db)
	at := time.Date(2027, 1, 4, 9, 0, 0, 123456000, time.UTC)
	c, err := s.AddCourse(ctx, modules.Course{Title: "Algebra", StartsAt: &at, Policy: modules.DefaultPolicy(), CreatedAt: at, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}

	// As modules.Service.copyContent does: items first, then the modules.
	var mods []modules.Module
	var quizItem, rubricItem, plain modules.Item
	err = db.Write(ctx, func(ctx context.Context) error {
		ids := make([]uint64, 3)
		for i := range ids {
			if ids[i], err = s.NextModuleID(ctx); err != nil {
				return err
			}
		}
		var itemIDs [3]uint64
		for i := range itemIDs {
			if itemIDs[i], err = s.NextItemID(ctx); err != nil {
				return err
			}
		}
		quizItem = modules.Item{ID: itemIDs[0], CourseID: c.ID, ModuleID: ids[0], Kind: modules.KindQuiz, Title: "Q", Position: 1,
			Quiz:      &modules.QuizSettings{Attempts: 2, PassPercent: 60, Feedback: "after", Score: "best", Shuffle: true, Draw: 3},
			CreatedAt: at, UpdatedAt: at}
		rubricItem = modules.Item{ID: itemIDs[1], CourseID: c.ID, ModuleID: ids[0], Kind: modules.KindAssignment, Title: "A", Position: 2,
			Points: 7.5, Rubric: &modules.Rubric{Criteria: []modules.Criterion{{ID: 1, Title: "Clarity",
				Levels: []modules.Level{{ID: 1, Title: "Poor", Points: 0}, {ID: 2, Title: "Good", Points: 7.5}}}}},
			CreatedAt: at, UpdatedAt: at}
		plain = modules.Item{ID: itemIDs[2], CourseID: c.ID, ModuleID: ids[0], Kind: modules.KindPage, Title: "P", Position: 3,
			MediaID: 44, ThreadID: 55, CreatedAt: at, UpdatedAt: at}
		if err := s.SetItems(ctx, ids[0], []modules.Item{quizItem, rubricItem, plain}); err != nil {
			return err
		}
		opens := at.Add(time.Hour)
		mods = []modules.Module{
			{ID: ids[0], CourseID: c.ID, Title: "One", Week: 1, OpensAt: &opens, Prerequisites: []uint64{}, Position: 1, CreatedAt: at},
			{ID: ids[1], CourseID: c.ID, Title: "Two", Prerequisites: []uint64{ids[0]}, Position: 2, CreatedAt: at},
			{ID: ids[2], CourseID: c.ID, Title: "Three", Position: 3, CreatedAt: at},
		}
		return s.SetModules(ctx, c.ID, mods)
	})
	if err != nil {
		t.Fatalf("items stored before their module in one transaction: %v", err)
	}
	for _, want := range mods {
		got, err := s.Module(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Module = %+v, %v; want %+v", got, err, want)
		}
	}
	for _, want := range []modules.Item{quizItem, rubricItem, plain} {
		got, err := s.Item(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Item = %+v, %v; want %+v", got, err, want)
		}
	}
	if got, err := s.Course(ctx, c.ID); err != nil || got.StartsAt == nil || !got.StartsAt.Equal(at) {
		t.Errorf("Course = %+v, %v", got, err)
	}

	// Left out of an order: the record stays, the lists forget it.
	if err := s.SetItems(ctx, mods[0].ID, []modules.Item{plain, quizItem}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetModules(ctx, c.ID, []modules.Module{mods[1], mods[0]}); err != nil {
		t.Fatal(err)
	}
	o, err := s.Outline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Modules) != 2 || o.Modules[0].ID != mods[1].ID || o.Modules[0].Position != 1 {
		t.Errorf("Outline modules = %+v", o.Modules)
	}
	heads := o.Items[mods[0].ID]
	if len(heads) != 2 || heads[0].ID != plain.ID || heads[0].MediaID != 44 || heads[0].ThreadID != 55 || heads[1].Position != 2 {
		t.Errorf("Outline items = %+v", heads)
	}
	if _, ok := o.Items[mods[2].ID]; ok {
		t.Error("a module out of the order is in the outline")
	}
	if _, err := s.Item(ctx, rubricItem.ID); err != nil {
		t.Errorf("an item left out of the order lost its record: %v", err)
	}
	if all, _ := s.CourseItems(ctx, c.ID); len(all) != 2 {
		t.Errorf("CourseItems = %d items, want 2", len(all))
	}

	// An item moves to another module: either module's SetItems first.
	rubricItem.ModuleID, rubricItem.Position = mods[1].ID, 1
	if err := s.SetItems(ctx, mods[1].ID, []modules.Item{rubricItem}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetItems(ctx, mods[0].ID, []modules.Item{plain, quizItem}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Items(ctx, mods[1].ID); len(got) != 1 || got[0].ID != rubricItem.ID {
		t.Errorf("the moved item's new module lists %+v", got)
	}

	// The domain's course deletion: content, then the course.
	if err := s.DeleteCourseContent(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCourse(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Item(ctx, plain.ID); err == nil {
		t.Error("an item outlived its course's content")
	}
}
