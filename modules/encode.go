package modules

import (
	"pacer/cache"

	gojson "github.com/goccy/go-json"
)

// ItemJSON writes item views as JSON, remembering the JSON of items. An
// item view is mostly its item, the same for every learner, and encoding
// its two bodies (Markdown and HTML) was a third of the route's time. The
// key is the whole item, so an entry is exact by construction: an edited
// item is another key.
type ItemJSON struct{ memo *cache.Memo[Item, []byte] }

// maxItemJSON bounds the map; when full it starts over empty.
const maxItemJSON = 4_096

// NewItemJSON returns an empty ItemJSON, safe for concurrent use.
func NewItemJSON() *ItemJSON { return &ItemJSON{memo: cache.NewMemo[Item, []byte](maxItemJSON)} }

// View is the JSON of v, byte for byte what json.Marshal writes: the
// item's object with the learner's fields appended (ItemView embeds Item,
// then Status and CompletedAt, both omitempty).
func (e *ItemJSON) View(v ItemView) ([]byte, error) {
	item, ok := e.memo.Get(v.Item)
	if !ok {
		var err error
		if item, err = gojson.Marshal(v.Item); err != nil {
			return nil, err
		}
		e.memo.Put(v.Item, item)
	}
	out := make([]byte, 0, len(item)+80)
	out = append(out, item[:len(item)-1]...) // without its closing brace
	if v.Status != "" {
		s, err := gojson.Marshal(v.Status)
		if err != nil {
			return nil, err
		}
		out = append(append(out, `,"status":`...), s...)
	}
	if v.CompletedAt != nil {
		t, err := gojson.Marshal(v.CompletedAt)
		if err != nil {
			return nil, err
		}
		out = append(append(out, `,"completed_at":`...), t...)
	}
	return append(out, '}'), nil
}
