package modules_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"pacer/pacertest"
	"pacer/storage"
)

func staffOf(t *testing.T, env *pacertest.Env, course uint64) []uint64 {
	t.Helper()
	var out []uint64
	err := env.Bolt().View(func(tx *storage.Tx) error {
		var err error
		out, err = env.Server.Courses.Staff(storage.WithTx(context.Background(), tx), course)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestTheStaffIndexFollowsRolesAndIsBuiltForOlderData(t *testing.T) {
	env := pacertest.New(t)
	ines, tom, ann := env.Register("Ines"), env.Register("Tom"), env.Register("Ann")
	course := env.Course(ines, nil)
	env.Enroll(tom, course)
	env.Enroll(ann, course)
	if got := staffOf(t, env, course); !slices.Equal(got, []uint64{ines.ID}) {
		t.Fatalf("a new course's staff: %v, want the instructor %d", got, ines.ID)
	}
	env.SetRole(ines, course, tom, "ta")
	if got := staffOf(t, env, course); !slices.Equal(got, []uint64{ines.ID, tom.ID}) {
		t.Fatalf("after making Tom a TA: %v", got)
	}
	env.SetRole(ines, course, tom, "student")
	env.SetRole(ines, course, ann, "ta")
	if got := staffOf(t, env, course); !slices.Equal(got, []uint64{ines.ID, ann.ID}) {
		t.Fatalf("after swapping Tom and Ann: %v", got)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", course), ann.Token, nil); r.Status != 204 {
		t.Fatalf("Ann leaves: %d %s", r.Status, r.Body)
	}
	if got := staffOf(t, env, course); !slices.Equal(got, []uint64{ines.ID}) {
		t.Fatalf("after Ann left: %v", got)
	}

	// A data directory from before the index: the index and its mark are
	// gone, and building fills it from the member records once.
	env.SetRole(ines, course, tom, "ta")
	if err := env.Bolt().Update(func(tx *storage.Tx) error {
		if err := tx.DeletePrefix(storage.StaffByCourse, nil); err != nil {
			return err
		}
		return tx.Delete(storage.Settings, []byte("staff_index_built"))
	}); err != nil {
		t.Fatal(err)
	}
	if got := staffOf(t, env, course); len(got) != 0 {
		t.Fatalf("the emptied index still holds %v", got)
	}
	if err := env.Server.Courses.BuildStaffIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := staffOf(t, env, course); !slices.Equal(got, []uint64{ines.ID, tom.ID}) {
		t.Fatalf("the built index: %v", got)
	}
}
