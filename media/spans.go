package media

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// ErrBadSpan: a reported watch span is not believable (see MergeSpans). The
// watch endpoint answers 400.
var ErrBadSpan = errors.New("media: invalid watch span")

// Watch-span rules.
const (
	// MaxSpans is the most spans kept per learner and lecture; beyond it
	// the smallest gaps are filled (counted as watched) until it fits.
	MaxSpans = 1000
	// SpanMergeGap: spans separated by less than this many seconds are
	// merged, the gap counting as watched. The player reports every ~10 s
	// and on pause, seek and end; its currentTime samples leave small holes
	// between consecutive reports that are not real skips.
	SpanMergeGap = 0.5
	// SpanEndTolerance: a span may end this many seconds past the known
	// duration (players and containers disagree slightly); it is clamped.
	SpanEndTolerance = 2.0
	// MaxReportSeconds is the longest span one report may carry. The player
	// reports every ~10 s (20 s of media at 2× speed) and on pause or end;
	// 300 s leaves room for a missed heartbeat or a throttled background
	// tab, while a report from 0 to the end of a long lecture — what a
	// seek to the end would look like — is refused.
	MaxReportSeconds = 300.0
	// completeTail: a finished viewing must reach into the last 10 %.
	completeTail = 0.10
	// MaxPlaybackRate is the fastest a learner can watch: the player
	// offers up to 2×. PaceSpan counts a span no further than this rate
	// allows in the time that has passed.
	MaxPlaybackRate = 2.0
)

// Span is a stretch of media watched, in seconds from the start.
type Span struct {
	From, To float64
}

// PaceSpan is the part of a reported span that the time passed allows:
// since is when the learner opened the item or last reported on it, and
// in the wall-clock time from then to now they can have played at most
// MaxPlaybackRate times as much media. The span counts from its start that
// far and no further; a zero since (never opened) or a clock that went
// back allows nothing. Without it a single report, or a burst of them,
// would complete a lecture in milliseconds.
func PaceSpan(add Span, since, now time.Time) Span {
	allowed := 0.0
	if !since.IsZero() && now.After(since) {
		allowed = MaxPlaybackRate * now.Sub(since).Seconds()
	}
	add.To = math.Max(add.From, math.Min(add.To, add.From+allowed))
	return add
}

// ValidSpanLength reports whether s is a believable single report: From <=
// To and at most MaxReportSeconds of media.
func ValidSpanLength(s Span) bool {
	d := s.To - s.From
	return d >= 0 && d <= MaxReportSeconds
}

// MergeSpans adds one reported span to the stored spans of a lecture of the
// given duration (seconds) and returns the new set: sorted, disjoint, with
// overlapping and touching spans merged and gaps shorter than SpanMergeGap
// filled, and at most MaxSpans long (when longer, the smallest gaps are
// filled first). existing is not modified.
//
// add is refused with ErrBadSpan when either end is NaN or infinite or
// negative, when From > To, when To is more than SpanEndTolerance past the
// duration, or when it is longer than MaxReportSeconds (ValidSpanLength): only
// reported spans count as watched, so seeking ahead never does. An accepted
// span is clamped to [0, duration]; an empty one (From == To, or From past
// the end) changes nothing. A duration that is not a positive finite number
// gives ErrNoDuration.
//
// existing is trusted less than it might be: spans in it that are not
// finite or are reversed are dropped, and all are clamped to the duration.
func MergeSpans(existing []Span, add Span, duration float64) ([]Span, error) {
	if !validDuration(duration) {
		return nil, ErrNoDuration
	}
	switch {
	case !finite(add.From) || !finite(add.To):
		return nil, fmt.Errorf("%w: from and to must be finite numbers", ErrBadSpan)
	case add.From < 0 || add.To < 0:
		return nil, fmt.Errorf("%w: from %g and to %g may not be negative", ErrBadSpan, add.From, add.To)
	case add.From > add.To:
		return nil, fmt.Errorf("%w: from %g is after to %g", ErrBadSpan, add.From, add.To)
	case add.To > duration+SpanEndTolerance:
		return nil, fmt.Errorf("%w: to %g is past the end of the %g s media", ErrBadSpan, add.To, duration)
	case !ValidSpanLength(add):
		return nil, fmt.Errorf("%w: one report may cover at most %g s, this one covers %g s", ErrBadSpan, MaxReportSeconds, add.To-add.From)
	}
	all := make([]Span, 0, len(existing)+1)
	for _, s := range existing {
		if s, ok := clampSpan(s, duration); ok {
			all = append(all, s)
		}
	}
	if s, ok := clampSpan(add, duration); ok {
		// Stored spans are normally sorted already: keep them so, and
		// unionSpans need not sort.
		i, _ := slices.BinarySearchFunc(all, s.From, func(e Span, from float64) int { return cmp.Compare(e.From, from) })
		all = slices.Insert(all, i, s)
	}
	all = unionSpans(all, SpanMergeGap)
	if len(all) > MaxSpans {
		all = fillSmallestGaps(all, len(all)-MaxSpans)
	}
	return all, nil
}

// Coverage is the fraction (0..1) of [0, duration] covered by the union of
// spans. spans need not be sorted or disjoint; parts outside the media are
// ignored. It is 0 when duration is not a positive finite number.
func Coverage(spans []Span, duration float64) float64 {
	if !validDuration(duration) {
		return 0
	}
	cs := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s, ok := clampSpan(s, duration); ok {
			cs = append(cs, s)
		}
	}
	var total float64
	for _, s := range unionSpans(cs, 0) {
		total += s.To - s.From
	}
	return math.Min(1, total/duration)
}

// WatchComplete reports whether a lecture counts as watched: the spans cover
// at least ratio of it (Coverage >= ratio) and some span reaches into its
// last 10 % (ends after 0.9 × duration). A ratio above 1 or NaN is never
// met; a ratio of 0 or less leaves only the last-10 % condition.
func WatchComplete(spans []Span, duration, ratio float64) bool {
	if !validDuration(duration) || !(Coverage(spans, duration) >= ratio) {
		return false
	}
	tail := duration * (1 - completeTail)
	for _, s := range spans {
		if s, ok := clampSpan(s, duration); ok && s.To > tail {
			return true
		}
	}
	return false
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func validDuration(d float64) bool { return finite(d) && d > 0 }

// clampSpan clamps s to [0, duration]; ok is false when nothing non-empty
// and well formed is left.
func clampSpan(s Span, duration float64) (Span, bool) {
	if !finite(s.From) || !finite(s.To) || s.From > s.To {
		return Span{}, false
	}
	s.From = math.Max(0, math.Min(s.From, duration))
	s.To = math.Max(0, math.Min(s.To, duration))
	return s, s.To > s.From
}

// unionSpans sorts spans in place and merges those separated by less than
// gap (overlapping and touching ones always).
func unionSpans(spans []Span, gap float64) []Span {
	if len(spans) == 0 {
		return nil
	}
	byFrom := func(a, b Span) int { return cmp.Compare(a.From, b.From) }
	if !slices.IsSortedFunc(spans, byFrom) {
		slices.SortFunc(spans, byFrom)
	}
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.From-last.To < gap || s.From <= last.To {
			last.To = math.Max(last.To, s.To)
			continue
		}
		out = append(out, s)
	}
	return out
}

// fillSmallestGaps merges the k smallest gaps of sorted, disjoint spans
// (earlier gaps first among equals).
func fillSmallestGaps(spans []Span, k int) []Span {
	idx := make([]int, len(spans)-1) // gap i lies between spans i and i+1
	for i := range idx {
		idx[i] = i
	}
	gap := func(i int) float64 { return spans[i+1].From - spans[i].To }
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(gap(a), gap(b)) })
	fill := make([]bool, len(spans)-1)
	for _, i := range idx[:k] {
		fill[i] = true
	}
	out := make([]Span, 0, len(spans)-k)
	out = append(out, spans[0])
	for i := 1; i < len(spans); i++ {
		if fill[i-1] {
			out[len(out)-1].To = spans[i].To
			continue
		}
		out = append(out, spans[i])
	}
	return out
}
