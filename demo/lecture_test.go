package demo_test

import (
	"bytes"
	"fmt"
	"testing"

	"pacer/demo"
	"pacer/media"
	"pacer/pacertest"
)

func TestTheGeneratedLectureIsAValidVideoWithCaptions(t *testing.T) {
	video, captions := demo.Lecture()
	if err := media.CheckContent("video/mp4", video); err != nil {
		t.Fatalf("the sniffer refuses the video: %v", err)
	}
	d, err := media.ProbeDuration(bytes.NewReader(video), int64(len(video)), "video/mp4")
	if err != nil || d != 48 {
		t.Fatalf("duration %v, %v; want 48 s", d, err)
	}
	caps, err := media.ParseWebVTT([]byte(captions))
	if err != nil || len(caps.Cues) != 12 {
		t.Fatalf("captions: %v, %v", caps, err)
	}
	if last := caps.Cues[len(caps.Cues)-1]; last.End.Seconds() != 48 {
		t.Fatalf("the captions end at %v, the video at 48 s", last.End)
	}
	// Slides that do not change are skipped, so the file stays small.
	if len(video) > 1<<20 {
		t.Fatalf("the video is %d bytes", len(video))
	}
	again, _ := demo.Lecture()
	if !bytes.Equal(video, again) {
		t.Fatal("the lecture is not the same each time")
	}
}

func TestTheDemoCourseHasAWatchableLecture(t *testing.T) {
	env := pacertest.New(t)
	accounts, err := demo.Seed(env.Server)
	if err != nil {
		t.Fatal(err)
	}
	student := pacertest.User{ID: accounts[2].ID, Email: accounts[2].Email}
	r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": student.Email, "password": accounts[2].Password})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.Decode(&tok)
	student.Token = tok.AccessToken
	var list struct {
		Items []struct {
			ID    uint64 `json:"id"`
			State string `json:"state"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/courses/1/modules", student.Token, nil).Decode(&list)
	mods := list.Items
	if len(mods) < 2 || mods[1].State != "open" {
		t.Fatalf("week 2 should be open: %+v", mods)
	}
	var mod struct {
		Items []struct {
			ID      uint64 `json:"id"`
			Kind    string `json:"kind"`
			MediaID uint64 `json:"media_id"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/1/modules/%d", mods[1].ID), student.Token, nil).Decode(&mod)
	if len(mod.Items) == 0 || mod.Items[0].Kind != "lecture" {
		t.Fatalf("week 2 should start with the lecture: %+v", mod.Items)
	}
	var lec struct {
		Media struct {
			ContentType     string `json:"content_type"`
			DurationSeconds int    `json:"duration_seconds"`
		} `json:"media"`
		Captions []struct{ Lang, URL string } `json:"captions"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/1/items/%d/lecture", mod.Items[0].ID), student.Token, nil).Decode(&lec)
	if lec.Media.ContentType != "video/mp4" || lec.Media.DurationSeconds != 48 || len(lec.Captions) != 1 || lec.Captions[0].Lang != "en" {
		t.Fatalf("lecture: %+v", lec)
	}
	if r := env.Do("GET", lec.Captions[0].URL, student.Token, nil); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("WEBVTT")) {
		t.Fatalf("captions: %d", r.Status)
	}
	if r := env.DoHeaders("GET", fmt.Sprintf("/api/v1/media/%d", mod.Items[0].MediaID), student.Token, nil,
		map[string]string{"Range": "bytes=0-1023"}); r.Status != 206 || len(r.Body) != 1024 {
		t.Fatalf("video range: %d, %d bytes", r.Status, len(r.Body))
	}
}
