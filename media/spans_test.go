package media

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestMergeSpans(t *testing.T) {
	type sp = Span
	tests := []struct {
		name     string
		existing []Span
		add      Span
		duration float64
		want     []Span
		err      error
	}{
		{"a first report becomes the only span", nil, sp{0, 10}, 600, []sp{{0, 10}}, nil},
		{"a report continuing the last one extends it", []sp{{0, 10}}, sp{10, 20}, 600, []sp{{0, 20}}, nil},
		{"an overlapping report is merged", []sp{{0, 10}}, sp{5, 15}, 600, []sp{{0, 15}}, nil},
		{"a report inside a span changes nothing", []sp{{0, 100}}, sp{20, 30}, 600, []sp{{0, 100}}, nil},
		{"a gap under half a second is filled", []sp{{0, 10}}, sp{10.4, 20}, 600, []sp{{0, 20}}, nil},
		{"a gap of half a second is kept", []sp{{0, 10}}, sp{10.5, 20}, 600, []sp{{0, 10}, {10.5, 20}}, nil},
		{"a report before the others is sorted first", []sp{{100, 110}}, sp{0, 10}, 600, []sp{{0, 10}, {100, 110}}, nil},
		{"a report bridging two spans joins them", []sp{{0, 10}, {20, 30}}, sp{9, 21}, 600, []sp{{0, 30}}, nil},
		{"a report ending slightly past the end is clamped", []sp{{590, 599}}, sp{599, 601.5}, 600, []sp{{590, 600}}, nil},
		{"a report of zero length changes nothing", []sp{{0, 10}}, sp{50, 50}, 600, []sp{{0, 10}}, nil},
		{"a zero-length report on nothing gives nothing", nil, sp{0, 0}, 600, nil, nil},
		{"a report starting past the end changes nothing", []sp{{0, 10}}, sp{600.5, 601}, 600, []sp{{0, 10}}, nil},
		{"a report of exactly 300 s is accepted", nil, sp{0, 300}, 600, []sp{{0, 300}}, nil},
		{"stored spans that are reversed or not numbers are dropped", []sp{{5, 1}, {math.NaN(), 3}, {0, math.Inf(1)}, {40, 50}}, sp{0, 10}, 600, []sp{{0, 10}, {40, 50}}, nil},
		{"stored spans beyond the media are clamped", []sp{{590, 700}, {-5, 3}}, sp{10, 20}, 600, []sp{{0, 3}, {10, 20}, {590, 600}}, nil},
		{"unsorted stored spans are sorted", []sp{{50, 60}, {0, 10}, {20, 30}}, sp{100, 110}, 600, []sp{{0, 10}, {20, 30}, {50, 60}, {100, 110}}, nil},

		{"a negative start is refused", nil, sp{-1, 10}, 600, nil, ErrBadSpan},
		{"a start after the end is refused", nil, sp{20, 10}, 600, nil, ErrBadSpan},
		{"a NaN end is refused", nil, sp{0, math.NaN()}, 600, nil, ErrBadSpan},
		{"an infinite end is refused", nil, sp{0, math.Inf(1)}, 600, nil, ErrBadSpan},
		{"an end more than two seconds past the duration is refused", nil, sp{590, 602.5}, 600, nil, ErrBadSpan},
		{"a report longer than 300 s is refused", nil, sp{0, 300.5}, 600, nil, ErrBadSpan},
		{"a jump from the start to the end in one report is refused", nil, sp{0, 3600}, 3600, nil, ErrBadSpan},
		{"a zero duration means the media has no duration", nil, sp{0, 1}, 0, nil, ErrNoDuration},
		{"a NaN duration means the media has no duration", nil, sp{0, 1}, math.NaN(), nil, ErrNoDuration},
		{"a negative duration means the media has no duration", nil, sp{0, 1}, -10, nil, ErrNoDuration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := append([]Span(nil), tc.existing...)
			got, err := MergeSpans(tc.existing, tc.add, tc.duration)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("spans = %v, want %v", got, tc.want)
			}
			if !equalSpansNaN(before, tc.existing) {
				t.Fatalf("existing was modified: %v, was %v", tc.existing, before)
			}
		})
	}
}

func equalSpansNaN(a, b []Span) bool {
	if len(a) != len(b) {
		return false
	}
	same := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	for i := range a {
		if !same(a[i].From, b[i].From) || !same(a[i].To, b[i].To) {
			return false
		}
	}
	return true
}

func TestMergeSpansBound(t *testing.T) {
	// 1000 one-second spans every 10 s, with one gap of 2 s (the smallest)
	// between spans 500 and 501.
	full := make([]Span, 0, MaxSpans)
	for i := 0; i < MaxSpans; i++ {
		from := float64(i * 10)
		if i > 500 {
			from -= 7
		}
		full = append(full, Span{from, from + 1})
	}
	t.Run("a thousand spans are kept as they are", func(t *testing.T) {
		got, err := MergeSpans(full, Span{0, 0.5}, 20000)
		if err != nil || !reflect.DeepEqual(got, full) {
			t.Fatalf("err = %v, len %d", err, len(got))
		}
	})
	t.Run("the thousand-and-first span fills the smallest gap", func(t *testing.T) {
		got, err := MergeSpans(full, Span{19995, 19996}, 20000)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != MaxSpans {
			t.Fatalf("len = %d, want %d", len(got), MaxSpans)
		}
		if want := (Span{5000, 5004}); got[500] != want {
			t.Fatalf("span 500 = %v, want %v", got[500], want)
		}
		if want := (Span{19995, 19996}); got[len(got)-1] != want {
			t.Fatalf("last span = %v, want %v", got[len(got)-1], want)
		}
	})
	t.Run("a stored set far over the bound is cut down to it", func(t *testing.T) {
		many := make([]Span, 0, 3000)
		for i := 0; i < 3000; i++ {
			many = append(many, Span{float64(i * 2), float64(i*2) + 1})
		}
		got, err := MergeSpans(many, Span{}, 10000)
		if err != nil || len(got) != MaxSpans {
			t.Fatalf("err = %v, len = %d", err, len(got))
		}
		if got[0].From != 0 || got[len(got)-1].To != 5999 {
			t.Fatalf("ends moved: %v … %v", got[0], got[len(got)-1])
		}
	})
}

func TestCoverage(t *testing.T) {
	tests := []struct {
		name     string
		spans    []Span
		duration float64
		want     float64
	}{
		{"nothing watched is zero", nil, 100, 0},
		{"the whole media is one", []Span{{0, 100}}, 100, 1},
		{"half the media is a half", []Span{{0, 25}, {50, 75}}, 100, 0.5},
		{"overlapping spans are counted once", []Span{{0, 50}, {25, 75}, {10, 20}}, 100, 0.75},
		{"spans past the end count only up to it", []Span{{50, 150}}, 100, 0.5},
		{"reversed and NaN spans count nothing", []Span{{50, 10}, {math.NaN(), 90}}, 100, 0},
		{"an unknown duration gives zero", []Span{{0, 10}}, 0, 0},
		{"coverage never exceeds one", []Span{{-10, 200}}, 100, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Coverage(tc.spans, tc.duration); got != tc.want {
				t.Fatalf("Coverage = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWatchComplete(t *testing.T) {
	tests := []struct {
		name     string
		spans    []Span
		duration float64
		ratio    float64
		want     bool
	}{
		{"watching everything completes", []Span{{0, 600}}, 600, 0.9, true},
		{"enough coverage reaching the last tenth completes", []Span{{0, 400}, {500, 595}}, 600, 0.8, true},
		{"enough coverage that stops before the last tenth does not complete", []Span{{0, 540}}, 600, 0.8, false},
		{"ending exactly at the last tenth does not reach into it", []Span{{0, 540}}, 600, 0.5, false},
		{"reaching the end with too little coverage does not complete", []Span{{0, 100}, {580, 600}}, 600, 0.8, false},
		{"a ratio of zero needs only the last tenth", []Span{{590, 600}}, 600, 0, true},
		{"a ratio above one is never met", []Span{{0, 600}}, 600, 1.01, false},
		{"a NaN ratio is never met", []Span{{0, 600}}, 600, math.NaN(), false},
		{"an unknown duration never completes", []Span{{0, 600}}, 0, 0.5, false},
		{"no spans never complete", nil, 600, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WatchComplete(tc.spans, tc.duration, tc.ratio); got != tc.want {
				t.Fatalf("WatchComplete = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidSpanLength(t *testing.T) {
	tests := []struct {
		name string
		s    Span
		want bool
	}{
		{"a ten-second heartbeat is valid", Span{100, 110}, true},
		{"an empty span is valid", Span{5, 5}, true},
		{"exactly 300 s is valid", Span{0, 300}, true},
		{"just over 300 s is not", Span{0, 300.001}, false},
		{"a reversed span is not", Span{10, 5}, false},
		{"a NaN span is not", Span{math.NaN(), 5}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidSpanLength(tc.s); got != tc.want {
				t.Fatalf("ValidSpanLength(%v) = %v", tc.s, got)
			}
		})
	}
}

func TestSpansSimulatedViewing(t *testing.T) {
	t.Run("a learner who watches in heartbeats with small holes completes", func(t *testing.T) {
		var spans []Span
		var err error
		for from := 0.0; from < 1200; from += 10 {
			to := from + 9.8 // 0.2 s lost between heartbeats
			if from+10 >= 1200 {
				to = 1200 // the player reports "ended" at the very end
			}
			if spans, err = MergeSpans(spans, Span{from, to}, 1200); err != nil {
				t.Fatal(err)
			}
		}
		if len(spans) != 1 || Coverage(spans, 1200) != 1 || !WatchComplete(spans, 1200, 0.95) {
			t.Fatalf("spans = %v", spans)
		}
	})
	t.Run("a learner who seeks to the end has watched only what was reported", func(t *testing.T) {
		spans, _ := MergeSpans(nil, Span{0, 60}, 1200)
		spans, _ = MergeSpans(spans, Span{1190, 1200}, 1200)
		if got := Coverage(spans, 1200); math.Abs(got-70.0/1200) > 1e-12 {
			t.Fatalf("Coverage = %v", got)
		}
		if WatchComplete(spans, 1200, 0.9) {
			t.Fatal("complete after seeking")
		}
	})
}

func BenchmarkMergeSpans(b *testing.B) {
	existing := make([]Span, 0, 500)
	for i := 0; i < 500; i++ {
		existing = append(existing, Span{float64(i * 10), float64(i*10) + 5})
	}
	b.Run("into 500 spans", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := MergeSpans(existing, Span{2502, 2512}, 6000); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("into one span", func(b *testing.B) {
		b.ReportAllocs()
		one := []Span{{0, 100}}
		for b.Loop() {
			if _, err := MergeSpans(one, Span{100, 110}, 6000); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestPaceSpan(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		add   Span
		since time.Time
		now   time.Time
		want  Span
	}{
		{"never opened allows nothing", Span{0, 10}, time.Time{}, at, Span{0, 0}},
		{"no time passed allows nothing", Span{5, 10}, at, at, Span{5, 5}},
		{"a clock that went back allows nothing", Span{5, 10}, at, at.Add(-time.Second), Span{5, 5}},
		{"ten seconds allow twenty", Span{0, 48}, at, at.Add(10 * time.Second), Span{0, 20}},
		{"a span within the allowance counts whole", Span{30, 40}, at, at.Add(10 * time.Second), Span{30, 40}},
		{"fractions count", Span{1, 2}, at, at.Add(250 * time.Millisecond), Span{1, 1.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PaceSpan(tc.add, tc.since, tc.now); got != tc.want {
				t.Fatalf("PaceSpan(%v) = %v, want %v", tc.add, got, tc.want)
			}
		})
	}
}
