package migrate_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/media"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// mediaSum is a blob's name: the hex SHA-256 of some bytes.
func mediaSum(seed string) string {
	s := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(s[:])
}

// mediaSame fails t when the two engines answered differently.
func mediaSame(t *testing.T, what string, fromBolt, fromPG any) {
	t.Helper()
	if !reflect.DeepEqual(fromBolt, fromPG) {
		t.Errorf("%s:\nbbolt      %#v\npostgresql %#v", what, fromBolt, fromPG)
	}
}

// mediaErrSame fails t when one engine failed and the other did not, or
// they failed differently as far as the contract says.
func mediaErrSame(t *testing.T, what string, boltErr, pgErr error) {
	t.Helper()
	if (boltErr == nil) != (pgErr == nil) || errors.Is(boltErr, media.ErrNotFound) != errors.Is(pgErr, media.ErrNotFound) {
		t.Errorf("%s: bbolt %v, postgresql %v", what, boltErr, pgErr)
	}
}

func TestMediaCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	src := bolt.NewMedia(db)
	base := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

	add := func(m media.Media, caps ...media.Caption) media.Media {
		t.Helper()
		out, err := src.Add(ctx, m, caps)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	lecture := add(media.Media{CourseID: 1, OwnerID: 10, Purpose: media.PurposeCourse, ContentType: "video/mp4",
		Size: 1 << 30, SHA256: mediaSum("lecture"), Filename: "Vorlesung 1 – Einführung.mp4", Duration: 3599.25,
		CreatedAt: at(0)},
		media.Caption{Lang: "en", Label: "English", SHA256: mediaSum("en"), Size: 120, Cues: 3, CreatedAt: at(1)},
		media.Caption{Lang: "de", Label: "Deutsch", SHA256: mediaSum("de"), Size: 130, Cues: 4, CreatedAt: at(1)},
		media.Caption{Lang: "zh-Hans", Label: "简体中文", SHA256: mediaSum("zh"), Size: 90, Cues: 2, CreatedAt: at(1)})
	// The same blob under another record and course: both use it.
	add(media.Media{CourseID: 2, OwnerID: 11, Purpose: media.PurposeCourse, ContentType: "video/mp4",
		Size: 1 << 30, SHA256: mediaSum("lecture"), Filename: "copy.mp4", CreatedAt: at(2)})
	add(media.Media{CourseID: 1, OwnerID: 10, Purpose: media.PurposeCourse, ContentType: "application/pdf",
		Size: 2048, SHA256: mediaSum("doc"), Filename: "notes \"final\".pdf", CreatedAt: at(3)})
	gone := add(media.Media{CourseID: 1, OwnerID: 10, Purpose: media.PurposeCourse, ContentType: "text/plain",
		Size: 1, SHA256: mediaSum("gone"), Filename: "gone.txt", CreatedAt: at(4)},
		media.Caption{Lang: "en", Label: "English", SHA256: mediaSum("gone-en"), Size: 1, Cues: 1, CreatedAt: at(4)})
	// Submission uploads: two left unattached (the sweep's list), one
	// attached.
	var subs []media.Media
	for i := range 4 {
		subs = append(subs, add(media.Media{CourseID: 1, OwnerID: uint64(20 + i%2), Purpose: media.PurposeSubmission,
			ContentType: "application/zip", Size: int64(100 + i), SHA256: mediaSum(fmt.Sprint("sub", i)),
			Filename: fmt.Sprintf("work-%d.zip", i), CreatedAt: at(10 + i)}))
	}
	if err := src.Attach(ctx, map[uint64]time.Time{subs[1].ID: at(30), subs[3].ID: at(31)}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Remove(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	// A course wholly removed: its ids are gaps.
	add(media.Media{CourseID: 3, OwnerID: 12, Purpose: media.PurposeCourse, ContentType: "image/png", Size: 5,
		SHA256: mediaSum("png"), Filename: "a.png", CreatedAt: at(40)})
	if _, err := src.RemoveCourse(ctx, 3); err != nil {
		t.Fatal(err)
	}
	last := add(media.Media{CourseID: 2, OwnerID: 11, Purpose: media.PurposeCourse, ContentType: "audio/mpeg",
		Size: 77, SHA256: mediaSum("mp3"), Filename: "🎵.mp3", Duration: 61.5, CreatedAt: at(50)})
	// Captions replaced and deleted after the record was added.
	for _, c := range []media.Caption{
		{MediaID: lecture.ID, Lang: "en", Label: "English (revised)", SHA256: mediaSum("en2"), Size: 121, Cues: 3, CreatedAt: at(60)},
		{MediaID: last.ID, Lang: "fr", Label: "Français", SHA256: mediaSum("fr"), Size: 50, Cues: 0, CreatedAt: at(61)},
	} {
		if err := src.PutCaption(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.DeleteCaption(ctx, lecture.ID, "de"); err != nil {
		t.Fatal(err)
	}

	watches := map[media.WatchKey]media.WatchState{
		{Course: 1, User: 20, Item: 5}: {Spans: [][2]float64{{0, 12.5}, {30, 61.25}}, Position: 61.25, UpdatedAt: at(70), ClockAt: at(69)},
		{Course: 1, User: 21, Item: 5}: {Spans: [][2]float64{{0, 3599.25}}, Position: 0, Completed: true, UpdatedAt: at(71), ClockAt: at(71)},
		// Never reported on: no clock, no spans.
		{Course: 1, User: 22, Item: 5}: {Spans: [][2]float64{}, UpdatedAt: at(72)},
		{Course: 2, User: 20, Item: 9}: {Spans: [][2]float64{{1, 2}}, Position: 2, UpdatedAt: at(73)},
		{Course: 1, User: 20, Item: 6}: {Spans: [][2]float64{{0, 1}}, Position: 1, UpdatedAt: at(74)},
		// Opened, never reported on: no spans at all, as openLecture
		// stores a new state.
		{Course: 1, User: 23, Item: 5}: {ClockAt: at(76)},
	}
	for k, st := range watches {
		if err := src.PutWatch(ctx, k, st); err != nil {
			t.Fatal(err)
		}
	}
	// Removed through an item: not copied.
	if err := src.PutWatch(ctx, media.WatchKey{Course: 2, User: 20, Item: 8}, media.WatchState{UpdatedAt: at(75)}); err != nil {
		t.Fatal(err)
	}
	if err := src.DeleteItemWatches(ctx, 2, 8); err != nil {
		t.Fatal(err)
	}

	accounts := []media.Account{{ID: 1}, {ID: 2}, {ID: 3}, {User: true, ID: 20}, {User: true, ID: 21}, {User: true, ID: 1}, {ID: 99}}
	if err := src.CountedUsage(ctx, map[media.Account]int64{{ID: 1}: 1<<30 + 2048, {ID: 2}: 1 << 30, {User: true, ID: 20}: 202}); err != nil {
		t.Fatal(err)
	}
	if err := src.AddUsage(ctx, map[media.Account]int64{{ID: 2}: 77, {User: true, ID: 21}: 204, {ID: 3}: 5, {User: true, ID: 1}: -9}); err != nil {
		t.Fatal(err)
	}
	if err := src.ClearUsage(ctx, media.Account{ID: 3}); err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	dst := postgres.NewMedia(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "media", From: src, To: dst}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int64{"media/media": 8, "media/media_captions": 3, "media/media_watches": 6,
		"media/media_usage": 5, "media/media_usage_counted": 1}
	mediaSame(t, "records copied per kind", wantCounts, rep.Copied)

	// Records, one by one and all together.
	all, err := src.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pgAll, err := dst.All(ctx)
	mediaSame(t, "All", all, pgAll)
	if err != nil || len(all) != 8 {
		t.Fatalf("All: %d records, %v", len(all), err)
	}
	for id := uint64(0); id <= last.ID+1; id++ {
		m, err := src.Get(ctx, id)
		pm, pgErr := dst.Get(ctx, id)
		mediaErrSame(t, fmt.Sprint("Get ", id), err, pgErr)
		mediaSame(t, fmt.Sprint("Get ", id), m, pm)

		cs, err := src.Captions(ctx, id)
		pcs, pgErr := dst.Captions(ctx, id)
		mediaErrSame(t, fmt.Sprint("Captions ", id), err, pgErr)
		mediaSame(t, fmt.Sprint("Captions ", id), cs, pcs)
		n, _ := src.CountCaptions(ctx, id)
		pn, _ := dst.CountCaptions(ctx, id)
		mediaSame(t, fmt.Sprint("CountCaptions ", id), n, pn)
		for _, lang := range []string{"en", "de", "fr", "zh-Hans", "xx"} {
			c, err := src.Caption(ctx, id, lang)
			pc, pgErr := dst.Caption(ctx, id, lang)
			mediaErrSame(t, fmt.Sprint("Caption ", id, lang), err, pgErr)
			mediaSame(t, fmt.Sprint("Caption ", id, lang), c, pc)
		}
	}
	if m, _ := dst.Get(ctx, subs[1].ID); m.AttachedAt == nil || !m.AttachedAt.Equal(at(30)) {
		t.Errorf("attached upload copied as %+v", m)
	}
	for _, seed := range []string{"lecture", "doc", "gone", "gone-en", "en", "en2", "de", "zh", "fr", "png", "mp3", "sub0", "nothing"} {
		u, _ := src.BlobInUse(ctx, mediaSum(seed))
		pu, _ := dst.BlobInUse(ctx, mediaSum(seed))
		mediaSame(t, "BlobInUse "+seed, u, pu)
	}

	// A course's pages, two records a page.
	for _, course := range []uint64{1, 2, 3, 4} {
		after := uint64(0)
		for page := 0; ; page++ {
			items, more, err := src.Course(ctx, course, after, 2)
			pItems, pMore, pgErr := dst.Course(ctx, course, after, 2)
			what := fmt.Sprintf("Course %d page %d", course, page)
			// An empty page is nil on bbolt and an empty list on
			// PostgreSQL, which the contract does not tell apart.
			if len(items) == 0 && len(pItems) == 0 {
				items, pItems = nil, nil
			}
			mediaErrSame(t, what, err, pgErr)
			mediaSame(t, what, items, pItems)
			mediaSame(t, what+" more", more, pMore)
			if !more || len(items) == 0 || page > 10 {
				break
			}
			after = items[len(items)-1].ID
		}
	}

	// Watch states, present and absent.
	keys := []media.WatchKey{{Course: 2, User: 20, Item: 8}, {Course: 9, User: 9, Item: 9}}
	for k := range watches {
		keys = append(keys, k)
	}
	for _, k := range keys {
		st, err := src.Watch(ctx, k)
		pst, pgErr := dst.Watch(ctx, k)
		mediaErrSame(t, fmt.Sprintf("Watch %+v", k), err, pgErr)
		// No spans read back as nil on bbolt and as an empty list on
		// PostgreSQL (PutWatch stores nil as []), copied or not.
		if len(st.Spans) == 0 && len(pst.Spans) == 0 {
			st.Spans, pst.Spans = nil, nil
		}
		mediaSame(t, fmt.Sprintf("Watch %+v", k), st, pst)
		has, _ := src.HasWatch(ctx, k)
		pHas, _ := dst.HasWatch(ctx, k)
		mediaSame(t, fmt.Sprintf("HasWatch %+v", k), has, pHas)
	}

	// Quota totals and their mark.
	for _, a := range accounts {
		n, err := src.Usage(ctx, a)
		pn, pgErr := dst.Usage(ctx, a)
		mediaErrSame(t, fmt.Sprintf("Usage %+v", a), err, pgErr)
		mediaSame(t, fmt.Sprintf("Usage %+v", a), n, pn)
	}
	counted, _ := src.UsageCounted(ctx)
	pCounted, _ := dst.UsageCounted(ctx)
	if !counted || !pCounted {
		t.Errorf("UsageCounted: bbolt %v, postgresql %v; want both true", counted, pCounted)
	}

	// The sweep takes the same uploads in the same order from both.
	removed, more, err := src.SweepUnattached(ctx, at(100), 1)
	pRemoved, pMore, pgErr := dst.SweepUnattached(ctx, at(100), 1)
	mediaErrSame(t, "SweepUnattached", err, pgErr)
	mediaSame(t, "SweepUnattached", removed, pRemoved)
	mediaSame(t, "SweepUnattached more", more, pMore)
	removed, _, _ = src.SweepUnattached(ctx, at(100), 10)
	pRemoved, _, _ = dst.SweepUnattached(ctx, at(100), 10)
	mediaSame(t, "SweepUnattached, the rest", removed, pRemoved)
	if len(removed.Media) != 1 || removed.Media[0].ID != subs[2].ID {
		t.Errorf("the second sweep took %+v, want upload %d", removed.Media, subs[2].ID)
	}
	// Removing a course answers its records and every blob they used.
	removed, err = src.RemoveCourse(ctx, 1)
	pRemoved, pgErr = dst.RemoveCourse(ctx, 1)
	mediaErrSame(t, "RemoveCourse", err, pgErr)
	mediaSame(t, "RemoveCourse", removed, pRemoved)

	// Ids given after the copy come past the copied ones.
	next, err := dst.Add(ctx, media.Media{CourseID: 2, OwnerID: 11, Purpose: media.PurposeCourse, ContentType: "text/plain",
		Size: 3, SHA256: mediaSum("new"), Filename: "new.txt", CreatedAt: at(200)}, nil)
	if err != nil || next.ID <= last.ID {
		t.Errorf("Add after the copy: id %d, %v; want past %d", next.ID, err, last.ID)
	}
}

// TestMediaCopyEmpty copies a store that holds nothing, the totals never
// counted: nothing arrives, and the totals are still to be counted.
func TestMediaCopyEmpty(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	pg := pgtest.Open(t)
	dst := postgres.NewMedia(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "media", From: bolt.NewMedia(db), To: dst}}, nil, io.Discard)
	if err != nil || rep.Total() != 0 {
		t.Fatalf("copy of nothing: %+v, %v", rep, err)
	}
	if counted, err := dst.UsageCounted(ctx); counted || err != nil {
		t.Errorf("UsageCounted after copying a store that never counted = %v, %v; want false", counted, err)
	}
	if all, err := dst.All(ctx); len(all) != 0 || err != nil {
		t.Errorf("All = %v, %v; want none", all, err)
	}
}
