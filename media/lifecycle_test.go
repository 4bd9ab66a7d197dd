package media_test

import (
	"fmt"
	"testing"

	"pacer/pacertest"
	"pacer/storage"
)

// A course copy shows the original's files through records of its own:
// its members read them, the bytes are stored once, and deleting the
// original's file keeps the copy's.
func TestACourseCopyHasItsOwnRecordsOfTheSameFiles(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	body := webmFile(30, 900)
	vid := mustUpload(t, env, w.teacher, w.course, "video/webm", body, "")
	if r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/media/%d/captions?lang=en", vid.ID), w.teacher.Token, goodVTT,
		map[string]string{"Content-Type": "text/vtt"}); r.Status != 201 {
		t.Fatalf("captions: %d %s", r.Status, r.Body)
	}
	env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "lecture", "title": "Lecture", "media_id": vid.ID})
	// A submission file is never copied.
	mustUpload(t, env, w.sam, w.course, "application/pdf", pdfFile("mine"), "?purpose=submission")

	r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/copy", w.course), w.teacher.Token, map[string]any{"title": "Next term"})
	if r.Status != 201 {
		t.Fatalf("copy: %d %s", r.Status, r.Body)
	}
	copyID := r.ID()
	var list struct {
		Items []struct {
			ID       uint64 `json:"id"`
			CourseID uint64 `json:"course_id"`
			SHA256   string `json:"sha256"`
		}
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/media", copyID), w.teacher.Token, nil).Decode(&list)
	if len(list.Items) != 1 || list.Items[0].ID == vid.ID || list.Items[0].CourseID != copyID || list.Items[0].SHA256 != sum(body) {
		t.Fatalf("the copy's files: %+v", list.Items)
	}
	copied := list.Items[0].ID
	var mods struct{ Items []struct{ ID uint64 } }
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", copyID), w.teacher.Token, nil).Decode(&mods)
	var mod struct {
		Items []struct {
			MediaID uint64 `json:"media_id"`
		}
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", copyID, mods.Items[0].ID), w.teacher.Token, nil).Decode(&mod)
	if len(mod.Items) != 1 || mod.Items[0].MediaID != copied {
		t.Fatalf("the copy's lecture shows media %+v, want %d", mod.Items, copied)
	}
	// A student of the original cannot reach the copy's file.
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d", copied), w.sam.Token, nil); r.Status != 404 {
		t.Errorf("a student of the original reads the copy's file: %d", r.Status)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d/captions/en", copied), w.teacher.Token, nil); r.Status != 200 {
		t.Errorf("the copy's captions: %d", r.Status)
	}
	// The original's lecture and file go; the copy's bytes stay.
	var orig struct {
		Items []struct{ ID uint64 }
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", w.course, w.module), w.teacher.Token, nil).Decode(&orig)
	for _, it := range orig.Items {
		env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, it.ID), w.teacher.Token, nil)
	}
	if r := del(env, w.teacher, vid.ID); r.Status != 204 {
		t.Fatalf("delete the original's file: %d %s", r.Status, r.Body)
	}
	if !blobExists(env, body) {
		t.Fatal("the copy's bytes went with the original's record")
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/media/%d", copied), w.teacher.Token, nil); r.Status != 200 || string(r.Body) != string(body) {
		t.Errorf("the copy's file after the original's went: %d", r.Status)
	}
}

func TestDeletingACourseRemovesItsFiles(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	draft := env.Course(ins, map[string]any{"published": false})
	f := mustUpload(t, env, ins, draft, "application/pdf", pdfFile("draft"), "")
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", draft), ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	err := env.Bolt().View(func(tx *storage.Tx) error {
		if tx.Has(storage.Media, storage.ID(f.ID)) || tx.Count(storage.MediaByCourse, storage.Key(draft)) != 0 {
			t.Errorf("the deleted course's file record remains")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
