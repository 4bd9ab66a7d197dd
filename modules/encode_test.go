package modules_test

import (
	"encoding/json"
	"testing"
	"time"

	"pacer/modules"
)

// An item view from the memo is exactly what json.Marshal writes, with and
// without the learner's fields, before and after an edit.
func TestItemViewJSONIsTheJSONOfTheValue(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 123, time.FixedZone("x", 3600))
	item := modules.Item{ID: 7, CourseID: 1, ModuleID: 2, Kind: modules.KindPage, Title: `<b>"T"</b> & é`,
		Body: "# Hi\n\u2028 <script>", BodyHTML: "<h1>Hi</h1>\xff", Published: true, Position: 3, CreatedAt: at, UpdatedAt: at}
	edited := item
	edited.Title = "Edited"
	e := modules.NewItemJSON()
	for i, v := range []modules.ItemView{
		{Item: item},
		{Item: item, Status: modules.StatusNotStarted},
		{Item: item, Status: modules.StatusCompleted, CompletedAt: &at},
		{Item: item, CompletedAt: &at},
		{Item: edited, Status: modules.StatusInProgress},
		{Item: modules.Item{}},
	} {
		for pass := 0; pass < 2; pass++ { // the second pass is served from the memo
			got, err := e.View(v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("view %d pass %d:\n got  %s\n want %s", i, pass, got, want)
			}
		}
	}
}
