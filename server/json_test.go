package server

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"pacer/deadlines"
	"pacer/discussion"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
)

// Responses are encoded by go-json (see the App's JSONEncoder), and clients
// depend on encoding/json's exact output: escaping of HTML and of U+2028,
// invalid UTF-8, sorted map keys, float and time formats, omitempty, nil
// slices and maps, embedded structs and custom marshalers.
func TestResponseEncodingMatchesEncodingJSON(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 14, 3, 4, 123456789, berlin)
	p := 0.1 + 0.2
	tricky := "<script>&\"'\\ \u2028\u2029 \x00\x1f \xff\xfe é 日本 🎓 </p>"
	values := map[string]any{
		"strings":  []string{tricky, "", "plain"},
		"floats":   []float64{0, -0.0, 1e21, 1e-7, 123456789.125, math.MaxFloat64, p, 3},
		"ints":     []any{uint64(math.MaxUint64), int64(math.MinInt64), 0},
		"map":      map[string]any{"z": 1, "a": []int{}, "m": nil, "é": tricky, "A": map[string]int{"y": 1, "b": 2}},
		"nil vals": map[string]any{"slice": []string(nil), "map": map[string]int(nil), "ptr": (*time.Time)(nil)},
		"times":    []time.Time{now, now.UTC(), {}, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		"raw":      json.RawMessage(`{"b":1,"a":[1,2]}`),
		"module": modules.ModuleView{Module: modules.Module{ID: 7, Title: tricky, OpensAt: &now, Prerequisites: []uint64{1, 2}},
			State: "locked", LockedReason: "opens " + tricky, Progress: &p, Items: []modules.ItemView{{Item: modules.Item{ID: 9, BodyHTML: tricky}, CompletedAt: &now}}},
		"empty module": modules.ModuleView{},
		"course":       modules.CourseView{Course: modules.Course{ID: 1, Title: tricky}, MyRole: "student"},
		"post":         discussion.Post{ID: 3, BodyHTML: "<p>" + tricky + "</p>", CreatedAt: now},
		"thread page":  discussion.ThreadPage{Items: []discussion.Post{{ID: 1}, {ID: 2, EditedAt: &now}}},
		"deadline":     deadlines.Deadline{Title: tricky, DueAt: now, Progress: 0.5},
		"notification": notify.Notification{ID: 1, Kind: "reply", Title: tricky, Link: "/threads/1?a=1&b=2", CreatedAt: now},
		"error":        map[string]any{"error": errs.BadRequest(tricky)},
		"anon struct": struct {
			A int    `json:"a,omitempty"`
			B string `json:"b,string"`
			C *int   `json:"c"`
			d int
			E any `json:"-"`
		}{B: "x", d: 1},
	}
	for name, v := range values {
		want, werr := json.Marshal(v)
		got, gerr := gojson.Marshal(v)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: encoding/json error %v, go-json error %v", name, werr, gerr)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n encoding/json %s\n go-json       %s", name, want, got)
		}
	}
	// Both refuse what JSON cannot say.
	for name, v := range map[string]any{"NaN": math.NaN(), "Inf": math.Inf(1), "chan": make(chan int)} {
		if _, err := gojson.Marshal(v); err == nil {
			t.Errorf("%s: go-json encoded it", name)
		}
	}
}
