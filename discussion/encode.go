package discussion

import (
	"io"
	"pacer/cache"

	gojson "github.com/goccy/go-json"
)

// encodedPosts remembers the JSON of post views. A thread page is mostly
// the same posts for every reader, and encoding them was a large share of
// the page's cost. The key is the whole view, so an entry is exact by
// construction: a changed post, author name or role, or a view only its
// author gets (with the Markdown source) is another key. A view's EditedAt
// points into a decoded record that is never changed, and the key keeps it
// alive, so equal pointers mean equal instants.
type encodedPosts struct{ memo *cache.Memo[Post, []byte] }

// maxEncodedPosts bounds the map; when full it starts over empty.
const maxEncodedPosts = 50_000

func newEncodedPosts() *encodedPosts {
	return &encodedPosts{memo: cache.NewMemo[Post, []byte](maxEncodedPosts)}
}

// posts returns the JSON of each view, as json.Marshal writes it (go-json
// writes the same bytes, at half the cost: server/json_test.go), taking
// the lock once for the hits and once for the misses.
func (e *encodedPosts) posts(ps []Post) ([][]byte, error) {
	out := make([][]byte, len(ps))
	if !e.memo.GetAll(ps, out) {
		return out, nil
	}
	for i, p := range ps {
		if out[i] != nil {
			continue
		}
		raw, err := gojson.Marshal(p)
		if err != nil {
			return nil, err
		}
		out[i] = raw
	}
	e.memo.PutAll(ps, out)
	return out, nil
}

// page writes a thread page to w byte for byte as json.Marshal would
// write it, with the posts' JSON from the map.
func (e *encodedPosts) page(w io.Writer, p ThreadPage) error {
	head, err := gojson.Marshal(p.Thread)
	if err != nil {
		return err
	}
	next, err := gojson.Marshal(p.NextCursor)
	if err != nil {
		return err
	}
	pw := &pageWriter{w: w}
	pw.write(`{"thread":`)
	pw.writeRaw(head)
	if p.Items == nil {
		pw.write(`,"items":null`)
	} else {
		pw.write(`,"items":[`)
	}
	raws, err := e.posts(p.Items)
	if err != nil {
		return err
	}
	for i, raw := range raws {
		if i > 0 {
			pw.write(",")
		}
		pw.writeRaw(raw)
	}
	if p.Items != nil {
		pw.write("]")
	}
	pw.write(`,"next_cursor":`)
	pw.writeRaw(next)
	pw.write("}")
	return pw.err
}

// pageWriter keeps the first write error.
type pageWriter struct {
	w   io.Writer
	err error
}

func (pw *pageWriter) writeRaw(b []byte) {
	if pw.err == nil {
		_, pw.err = pw.w.Write(b)
	}
}

func (pw *pageWriter) write(s string) {
	if pw.err == nil {
		_, pw.err = io.WriteString(pw.w, s)
	}
}
