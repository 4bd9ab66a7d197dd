package media

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"pacer/errs"
)

// MaxCaptionLangs bounds the caption languages of one media.
const MaxCaptionLangs = 50

// validLang checks a BCP 47-shaped language tag: letters, digits and
// hyphens, a 2–8 letter primary subtag, at most 35 characters. It is used
// in URLs and as the <track srclang>, so nothing else may pass.
func validLang(tag string) bool {
	if tag == "" || len(tag) > 35 {
		return false
	}
	for i, part := range strings.Split(tag, "-") {
		if part == "" || len(part) > 8 {
			return false
		}
		for _, c := range []byte(part) {
			letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
			if i == 0 && !letter || !letter && !('0' <= c && c <= '9') {
				return false
			}
		}
		if i == 0 && len(part) < 2 {
			return false
		}
	}
	return true
}

// CaptionInput is an upload of captions.
type CaptionInput struct {
	Lang  string
	Label string
}

// AddCaptions validates a WebVTT file and stores it as the media's captions
// in one language (staff only), replacing earlier ones in that language.
// An invalid file gets 400 with the line and reason.
func (s *Service) AddCaptions(ctx context.Context, caller, mediaID uint64, in CaptionInput, vtt []byte) (Caption, error) {
	lang := strings.TrimSpace(in.Lang)
	if !validLang(lang) {
		return Caption{}, errs.Field("lang", "must be a language tag such as en or pt-BR")
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = lang
	}
	if !utf8.ValidString(label) || strings.ContainsAny(label, "\x00\r\n") || utf8.RuneCountInString(label) > 100 {
		return Caption{}, errs.Field("label", "must be one line of at most 100 characters")
	}
	var m Media
	if err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		m, err = s.captionTarget(ctx, caller, mediaID)
		return err
	}); err != nil {
		return Caption{}, errs.Wrap(err, "captions access")
	}
	if len(vtt) > MaxCaptionBytes {
		return Caption{}, errs.E(errs.TooLarge, "a captions file may be at most 1 MiB")
	}
	caps, err := ParseWebVTT(vtt)
	if err != nil {
		var ve VTTError
		if errors.As(err, &ve) {
			return Caption{}, &errs.Error{Kind: errs.Invalid, Code: "validation_failed",
				Message: "not a valid WebVTT file: " + ve.Error(), Fields: map[string]string{"body": ve.Error()}}
		}
		return Caption{}, errs.BadRequest("not a valid WebVTT file")
	}

	tf, err := s.blobs.Create(ctx, MaxCaptionBytes)
	if err != nil {
		return Caption{}, errs.Wrap(err, "create captions file")
	}
	defer tf.Abort()
	if _, err := tf.Write(vtt); err != nil {
		return Caption{}, errs.Wrap(err, "write captions")
	}
	if err := tf.Finish(ctx); err != nil {
		return Caption{}, errs.Wrap(err, "sync captions")
	}
	c := Caption{MediaID: m.ID, Lang: lang, Label: label, SHA256: tf.Sum(), Size: int64(len(vtt)),
		Cues: len(caps.Cues), CreatedAt: s.now().UTC()}

	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	unlock, err := s.store.LockBlob(ctx, c.SHA256)
	if err != nil {
		return Caption{}, errs.Wrap(err, "lock blob")
	}
	defer unlock()
	created, err := tf.Commit(ctx)
	if err != nil {
		return Caption{}, errs.Wrap(err, "link captions")
	}
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		if _, err := s.captionTarget(ctx, caller, mediaID); err != nil {
			return err
		}
		// Replaced captions leave their blob to the sweep once nothing
		// uses it.
		switch _, err := s.store.Caption(ctx, m.ID, lang); {
		case errors.Is(err, ErrNotFound):
			n, err := s.store.CountCaptions(ctx, m.ID)
			if err != nil {
				return err
			}
			if n >= MaxCaptionLangs {
				return errs.ConflictCode("conflict", "a file may have captions in at most 50 languages")
			}
		case err != nil:
			return err
		}
		return s.store.PutCaption(ctx, c)
	})
	if err != nil {
		if created {
			_ = s.blobs.Remove(context.WithoutCancel(ctx), c.SHA256)
		}
		return Caption{}, errs.Wrap(err, "record captions")
	}
	return c, nil
}

// captionTarget: captions belong to course audio and video, and only the
// course's staff change them.
func (s *Service) captionTarget(ctx context.Context, caller, mediaID uint64) (Media, error) {
	a, err := s.access(ctx, caller, mediaID)
	if err != nil {
		return Media{}, err
	}
	if err := a.RequireStaff(); err != nil {
		return Media{}, err
	}
	if !a.Playable() {
		return Media{}, errs.ConflictCode("conflict", "captions belong to audio and video files, this is "+a.ContentType)
	}
	return a.Media, nil
}

// DeleteCaption removes one language's captions (staff only).
func (s *Service) DeleteCaption(ctx context.Context, caller, mediaID uint64, lang string) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		m, err := s.captionTarget(ctx, caller, mediaID)
		if err != nil {
			return err
		}
		return notFound(s.store.DeleteCaption(ctx, m.ID, lang), "captions")
	})
	return errs.Wrap(err, "delete captions")
}

// Captions lists the captions of a media the caller may read.
func (s *Service) Captions(ctx context.Context, caller, mediaID uint64) ([]Caption, error) {
	var out []Caption
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.access(ctx, caller, mediaID)
		if err != nil {
			return err
		}
		out, err = s.store.Captions(ctx, a.ID)
		return err
	})
	return out, errs.Wrap(err, "list captions")
}

// OpenCaption returns one language's captions of a media the caller may
// read, with the file opened. The caller closes it.
func (s *Service) OpenCaption(ctx context.Context, caller, mediaID uint64, lang string) (Caption, Blob, error) {
	var c Caption
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.access(ctx, caller, mediaID)
		if err != nil {
			return err
		}
		c, err = s.store.Caption(ctx, a.ID, lang)
		return notFound(err, "captions")
	})
	if err != nil {
		return c, nil, errs.Wrap(err, "get captions")
	}
	f, err := s.blobs.Open(ctx, c.SHA256)
	if err != nil {
		return c, nil, errs.Wrap(err, "open captions file")
	}
	return c, f, nil
}

// Transcript returns the cues of one language's captions, for the
// transcript shown under the player.
func (s *Service) Transcript(ctx context.Context, caller, mediaID uint64, lang string) ([]Cue, error) {
	c, f, err := s.OpenCaption(ctx, caller, mediaID, lang)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(readerOf(f, c.Size)); err != nil {
		return nil, errs.Wrap(err, "read captions")
	}
	caps, err := ParseWebVTT(buf.Bytes())
	if err != nil {
		return nil, errs.Wrap(err, "parse stored captions")
	}
	return caps.Cues, nil
}
