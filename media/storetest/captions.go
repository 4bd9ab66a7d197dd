package storetest

import (
	"errors"
	"slices"
	"testing"

	"pacer/media"
)

func captions(t *testing.T, open Open) {
	s, _ := open(t)
	m := add(t, s, courseFile(1, 0))
	other := add(t, s, courseFile(1, 1), caption("en", 9))
	if _, err := s.Caption(bg, m.ID, "en"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Caption of a missing language: %v, want ErrNotFound", err)
	}
	if cs := captionsOf(t, s, m.ID); cs == nil || len(cs) != 0 {
		t.Errorf("Captions without any = %#v, want an empty list", cs)
	}
	for i, lang := range []string{"fr", "en", "de"} {
		c := caption(lang, i)
		c.MediaID = m.ID
		if err := s.PutCaption(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := langs(captionsOf(t, s, m.ID)); !slices.Equal(got, []string{"de", "en", "fr"}) {
		t.Errorf("Captions = %v, want language order", got)
	}
	if n, err := s.CountCaptions(bg, m.ID); err != nil || n != 3 {
		t.Errorf("CountCaptions = %d, %v; want 3", n, err)
	}
	// Replacing a language's captions drops the old blob's use.
	c := caption("en", 7)
	c.MediaID = m.ID
	c.Label = "English (new)"
	if err := s.PutCaption(bg, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Caption(bg, m.ID, "en")
	if err != nil || got.Label != c.Label || got.SHA256 != c.SHA256 || got.MediaID != m.ID {
		t.Errorf("Caption after replacing = %+v, %v; want %+v", got, err, c)
	}
	if n, _ := s.CountCaptions(bg, m.ID); n != 3 {
		t.Errorf("replacing a language made %d languages, want 3", n)
	}
	if inUse(t, s, sum(5001)) || !inUse(t, s, sum(5007)) {
		t.Error("after replacing, the old captions' blob must be unused and the new one's used")
	}
	if err := s.DeleteCaption(bg, m.ID, "fr"); err != nil {
		t.Fatal(err)
	}
	if got := langs(captionsOf(t, s, m.ID)); !slices.Equal(got, []string{"de", "en"}) || inUse(t, s, sum(5000)) {
		t.Errorf("after deleting fr: %v, its blob in use %v", got, inUse(t, s, sum(5000)))
	}
	if err := s.DeleteCaption(bg, m.ID, "fr"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("deleting missing captions: %v, want ErrNotFound", err)
	}
	if got := langs(captionsOf(t, s, other.ID)); !slices.Equal(got, []string{"en"}) {
		t.Errorf("another media's captions changed: %v", got)
	}
}
