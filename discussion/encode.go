package discussion

import (
	"encoding/json"
	"io"
	"sync"
)

// encodedPosts remembers the JSON of post views. A thread page is mostly
// the same posts for every reader, and encoding them was a large share of
// the page's cost. The key is the whole view, so an entry is exact by
// construction: a changed post, author name or role, or a view only its
// author gets (with the Markdown source) is another key. A view's EditedAt
// points into a decoded record that is never changed, and the key keeps it
// alive, so equal pointers mean equal instants.
type encodedPosts struct {
	mu      sync.Mutex
	entries map[Post][]byte
}

// maxEncodedPosts bounds the map; when full it starts over empty.
const maxEncodedPosts = 50_000

func newEncodedPosts() *encodedPosts { return &encodedPosts{entries: map[Post][]byte{}} }

// post returns the JSON of one view, as json.Marshal writes it.
func (e *encodedPosts) post(p Post) ([]byte, error) {
	e.mu.Lock()
	raw, ok := e.entries[p]
	e.mu.Unlock()
	if ok {
		return raw, nil
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(e.entries) >= maxEncodedPosts {
		clear(e.entries)
	}
	e.entries[p] = raw
	e.mu.Unlock()
	return raw, nil
}

// page writes a thread page to w byte for byte as json.Marshal would
// write it, with the posts' JSON from the map.
func (e *encodedPosts) page(w io.Writer, p ThreadPage) error {
	head, err := json.Marshal(p.Thread)
	if err != nil {
		return err
	}
	next, err := json.Marshal(p.NextCursor)
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
	for i, post := range p.Items {
		raw, err := e.post(post)
		if err != nil {
			return err
		}
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
