package media

import (
	"context"
	"errors"
	"math"
	"strings"

	"pacer/cache"
	"pacer/errs"
	"pacer/modules"
)

// WatchInput is one report from the player: a span it just played and
// where it is now. Seconds may have fractions.
type WatchInput struct {
	FromSeconds     *float64 `json:"from_seconds"`
	ToSeconds       *float64 `json:"to_seconds"`
	PositionSeconds *float64 `json:"position_seconds"`
}

// WatchResult is the learner's standing on the lecture after a report.
type WatchResult struct {
	WatchedRatio  float64 `json:"watched_ratio"`
	ResumeSeconds int64   `json:"resume_seconds"`
	Completed     bool    `json:"completed"`
	// Spans is the merged union watched so far, for the player's bar.
	Spans [][2]float64 `json:"spans"`
	// CountedSeconds is how much of this report's span counted: all of
	// it, unless it was reported faster than it can be played.
	CountedSeconds float64 `json:"counted_seconds"`
}

// Watch records a span a student just watched of a lecture item. The span
// is merged into what they watched before (an interval union clamped to the
// duration); nonsense — reversed, negative, past the end, longer than one
// report can be — is refused with 400, so seeking ahead never counts. Only
// as much of it counts as could have been played at 2× since the learner
// opened the item or last reported on it (PaceSpan); the rest is ignored,
// and the answer is still 200. The lecture is complete once the union
// covers the course's watch_complete_ratio and reaches the last 10 %, and
// stays complete.
//
// The access check runs in a read transaction; the write is a Store.Batch,
// because heartbeats of many learners arrive at once and would otherwise
// queue for one fsync each. The batched function recomputes everything from
// what it reads, so running it twice (as Batch may) changes nothing more.
func (s *Service) Watch(ctx context.Context, caller, courseID, itemID uint64, in WatchInput) (WatchResult, error) {
	if in.FromSeconds == nil || in.ToSeconds == nil {
		fields := map[string]string{}
		if in.FromSeconds == nil {
			fields["from_seconds"] = "required"
		}
		if in.ToSeconds == nil {
			fields["to_seconds"] = "required"
		}
		return WatchResult{}, errs.Validation(fields)
	}
	add := Span{From: *in.FromSeconds, To: *in.ToSeconds}
	var dur, ratio float64
	key := WatchKey{Course: courseID, User: caller, Item: itemID}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		dur, ratio, err = s.watchAccess(ctx, key)
		return err
	})
	if err != nil {
		return WatchResult{}, errs.Wrap(err, "watch access")
	}
	// Validate before the batch, so that a refused report never fails (and
	// re-runs) a batch shared with other learners.
	if _, err := MergeSpans(nil, add, dur); err != nil {
		return WatchResult{}, spanError(err)
	}
	pos := add.To
	if in.PositionSeconds != nil {
		pos = *in.PositionSeconds
		if math.IsNaN(pos) || pos < 0 || pos > dur+SpanEndTolerance {
			return WatchResult{}, errs.Field("position_seconds", "must be between 0 and the lecture's duration")
		}
	}
	pos = math.Min(pos, dur)

	var res WatchResult
	write := s.store.Batch
	if s.serialWrites {
		write = s.tx.Write
	}
	err = write(ctx, func(ctx context.Context) error {
		st, err := s.watchState(ctx, key)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		counted := PaceSpan(add, st.ClockAt, now)
		spans, err := MergeSpans(st.spans(), counted, dur)
		if err != nil {
			return err
		}
		st.Spans, st.Position, st.UpdatedAt, st.ClockAt = pairs(spans), pos, now, now
		st.Completed = st.Completed || WatchComplete(spans, dur, ratio)
		status := modules.StatusInProgress
		if st.Completed {
			status = modules.StatusCompleted
		}
		if _, err := s.courses.Mark(ctx, courseID, caller, itemID, status); err != nil {
			return err
		}
		if err := s.store.PutWatch(ctx, key, st); err != nil {
			return err
		}
		res = WatchResult{WatchedRatio: Coverage(spans, dur), ResumeSeconds: int64(pos), Completed: st.Completed, Spans: st.Spans,
			CountedSeconds: math.Max(0, math.Min(counted.To, dur)-counted.From)}
		return nil
	})
	if err != nil {
		return WatchResult{}, errs.Wrap(err, "record watch")
	}
	s.courses.Touch(ctx, courseID, caller)
	return res, nil
}

// watchAccess decides whether the caller may report watching a lecture
// item and returns its duration and the course's completion ratio.
//
// The first report of a learner on a lecture goes through the full item
// check (membership, publication, the module's lock for this learner),
// which reads the whole course. Later reports — every ten seconds of every
// learner watching — take a short path once a watch state exists: the
// learner is still a student of the course and the item and its module are
// still published. A module that locks again after a learner started its
// lecture (an instructor moved a date) does not stop them from finishing
// it, which is harmless.
func (s *Service) watchAccess(ctx context.Context, k WatchKey) (dur, ratio float64, err error) {
	// Either path checks these revisions: where the engine reads them in a
	// round trip, they go with the first statement.
	if err := cache.Prefetch(ctx, s.courses.AccessAhead(ctx, k.Course, k.User, k.Item)...); err != nil {
		return 0, 0, err
	}
	known, err := s.store.HasWatch(ctx, k)
	if err != nil {
		return 0, 0, err
	}
	if known {
		if dur, ratio, ok, err := s.watchAccessShort(ctx, k); err != nil || ok {
			return dur, ratio, err
		}
	}
	ia, err := s.courses.ItemAccess(ctx, k.User, k.Course, k.Item)
	if err != nil {
		return 0, 0, err
	}
	if err := ia.RequireStudent(); err != nil {
		return 0, 0, err
	}
	return s.lectureDuration(ctx, ia.Item, ia.Course.Policy.WatchCompleteRatio)
}

// watchAccessShort is the short path; ok is false when it cannot decide
// and the full check must run (which then gives the right error).
func (s *Service) watchAccessShort(ctx context.Context, k WatchKey) (dur, ratio float64, ok bool, err error) {
	it, c, ok, err := s.courses.StudentItem(ctx, k.Course, k.User, k.Item)
	if err != nil || !ok {
		return 0, 0, false, err
	}
	dur, ratio, err = s.lectureDuration(ctx, it, c.Policy.WatchCompleteRatio)
	return dur, ratio, err == nil, err
}

func (s *Service) lectureDuration(ctx context.Context, it modules.Item, ratio float64) (float64, float64, error) {
	if it.Kind != modules.KindLecture {
		return 0, 0, errs.ConflictCode("conflict", "only lectures are watched")
	}
	m, err := s.get(ctx, it.MediaID)
	if err != nil {
		return 0, 0, err
	}
	if !m.HasDuration() {
		return 0, 0, errs.ConflictCode("conflict", "this lecture's duration is unknown")
	}
	return m.Duration, ratio, nil
}

// watchState is a learner's state on a lecture; a new one before their
// first report.
func (s *Service) watchState(ctx context.Context, k WatchKey) (WatchState, error) {
	st, err := s.store.Watch(ctx, k)
	if errors.Is(err, ErrNotFound) {
		return WatchState{}, nil
	}
	return st, err
}

func spanError(err error) error {
	msg := strings.TrimPrefix(err.Error(), ErrBadSpan.Error()+": ")
	if !errors.Is(err, ErrBadSpan) {
		msg = "not a believable span"
	}
	return &errs.Error{Kind: errs.Invalid, Code: "validation_failed", Message: msg,
		Fields: map[string]string{"to_seconds": msg}}
}

// lectureOpened is the lecture kind's Opened hook: a student was just shown
// a lecture item, so their first span may count from now. The course
// service decided their access a moment ago; the state it creates is what
// lets later reports take watchAccess's short path, which is sound for
// the same reason as after a first report. Opening again restarts the
// clock, which can only count less.
func (s *Service) lectureOpened(courseID, userID uint64, it modules.Item) error {
	return s.openLecture(context.Background(), courseID, userID, it.ID)
}

func (s *Service) openLecture(ctx context.Context, courseID, userID, itemID uint64) error {
	key := WatchKey{Course: courseID, User: userID, Item: itemID}
	err := s.store.Batch(ctx, func(ctx context.Context) error {
		st, err := s.watchState(ctx, key)
		if err != nil {
			return err
		}
		st.ClockAt = s.now().UTC()
		return s.store.PutWatch(ctx, key, st)
	})
	return errs.Wrap(err, "record lecture opened")
}

// OpenLecture is Lecture for a client that opens the item with it (the
// lecture route): a student's opening is recorded as GET on the item
// records it, so that their first span counts.
func (s *Service) OpenLecture(ctx context.Context, caller, courseID, itemID uint64) (Lecture, error) {
	l, student, err := s.lecture(ctx, caller, courseID, itemID)
	if err == nil && student && l.Kind == modules.KindLecture {
		err = s.openLecture(ctx, courseID, caller, itemID)
	}
	return l, err
}

// Lecture is a lecture or file item as the player and the item page need
// it: the media, its captions, and the caller's watch state (empty for
// staff).
type Lecture struct {
	ItemID        uint64        `json:"item_id"`
	Kind          string        `json:"kind"`
	Media         View          `json:"media"`
	Captions      []CaptionView `json:"captions"`
	WatchedRatio  float64       `json:"watched_ratio"`
	ResumeSeconds int64         `json:"resume_seconds"`
	Completed     bool          `json:"completed"`
	Spans         [][2]float64  `json:"spans"`
	// Duration is the exact duration in seconds, for drawing the watched bar.
	Duration float64 `json:"duration"`
}

// Lecture returns what the player needs for a lecture or file item. The
// item's access rules apply (404 for non-members and hidden items, 403 with
// the reason for a locked module).
func (s *Service) Lecture(ctx context.Context, caller, courseID, itemID uint64) (Lecture, error) {
	l, _, err := s.lecture(ctx, caller, courseID, itemID)
	return l, err
}

func (s *Service) lecture(ctx context.Context, caller, courseID, itemID uint64) (Lecture, bool, error) {
	var out Lecture
	student := false
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ia, err := s.courses.ItemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if ia.Item.Kind != modules.KindLecture && ia.Item.Kind != modules.KindFile {
			return errs.NotFoundf("lecture")
		}
		m, err := s.get(ctx, ia.Item.MediaID)
		if err != nil {
			return err
		}
		caps, err := s.store.Captions(ctx, m.ID)
		if err != nil {
			return err
		}
		out = Lecture{ItemID: itemID, Kind: ia.Item.Kind, Media: m.View(), Captions: []CaptionView{}, Spans: [][2]float64{}, Duration: m.Duration}
		for _, c := range caps {
			out.Captions = append(out.Captions, c.View())
		}
		if student = ia.Student(); !student {
			return nil
		}
		if st, _ := ia.Learner.Status(itemID); st == modules.StatusCompleted {
			out.Completed = true
		}
		st, err := s.store.Watch(ctx, WatchKey{Course: courseID, User: caller, Item: itemID})
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		spans := st.spans()
		out.Spans = pairs(spans)
		out.WatchedRatio = Coverage(spans, m.Duration)
		out.ResumeSeconds = int64(st.Position)
		out.Completed = out.Completed || st.Completed
		return nil
	})
	return out, student, errs.Wrap(err, "get lecture")
}
