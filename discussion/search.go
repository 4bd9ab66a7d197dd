package discussion

import (
	"context"
	"html"
	"strings"
	"unicode/utf8"

	"pacer/errs"
	"pacer/page"
)

// maxTermBytes bounds one indexed word; longer ones are cut (at a rune
// boundary) both when indexing and when searching, so they still match.
const maxTermBytes = 64

// Terms splits text into its distinct lower-case words. A word is a run of
// letters, digits and combining marks in any script; everything else
// separates words.
func Terms(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) }) {
		w = strings.ToLower(w)
		if len(w) > maxTermBytes {
			cut := maxTermBytes
			for cut > 0 && !utf8.RuneStart(w[cut]) {
				cut--
			}
			w = w[:cut]
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// inlineTags are the elements inside a line of text: their tags vanish
// from plain text, so "the <strong>median</strong>." reads "the median."
// and not "the  median ." as it would if every tag were a space.
var inlineTags = map[string]bool{"a": true, "abbr": true, "b": true, "cite": true, "code": true, "del": true,
	"em": true, "i": true, "ins": true, "kbd": true, "mark": true, "q": true, "s": true, "small": true,
	"span": true, "strong": true, "sub": true, "sup": true, "u": true}

// tagName is the lower-case name of the tag that starts at h[0] ('<').
func tagName(h string) string {
	h = strings.TrimPrefix(h[1:], "/")
	end := strings.IndexFunc(h, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })
	if end < 0 {
		end = len(h)
	}
	return strings.ToLower(h[:end])
}

// plainText is the text of sanitised HTML: block tags become spaces (so
// that words in adjacent blocks stay apart), inline tags vanish, and
// entities are decoded. The input is our own sanitiser's output, where a
// '<' in text is always escaped.
func plainText(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	inTag := false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '<':
			inTag = true
			if !inlineTags[tagName(h[i:])] {
				b.WriteByte(' ')
			}
		case c == '>' && inTag:
			inTag = false
		case !inTag:
			b.WriteByte(c)
		}
	}
	return html.UnescapeString(b.String())
}

// snippet is the start of a post's text, on one line, for lists, search
// results and notifications.
func snippet(h string) string {
	text := strings.Join(strings.Fields(plainText(h)), " ")
	if utf8.RuneCountInString(text) <= snippetLen {
		return text
	}
	n := 0
	for i := range text {
		if n == snippetLen {
			return strings.TrimSpace(text[:i]) + "…"
		}
		n++
	}
	return text
}

// indexText is what a post is found by: its text, and for the opening post
// the thread's title as well.
func indexText(t ThreadRecord, p PostRecord) string {
	text := plainText(p.BodyHTML)
	if p.ParentID == 0 {
		text = t.Title + " " + text
	}
	return text
}

// postings are a post's entries in the search index, written in the
// transaction that writes the post (or, for a reply, delivers it), so the
// index always matches the posts. Removal recomputes the words from the
// stored HTML, which is what they were made from. A deleted post has none.
func postings(t ThreadRecord, p PostRecord) []Posting {
	if p.Deleted {
		return nil
	}
	terms := Terms(indexText(t, p))
	out := make([]Posting, len(terms))
	for i, term := range terms {
		out[i] = Posting{Course: t.CourseID, Term: term, Post: p.ID, Thread: t.ID}
	}
	return out
}

// searchStats says how much a search read, so that tests can show that it
// reads postings of the query's words, not every post.
type searchStats struct {
	Seeks     int
	PostsRead int
}

// Search finds the posts of a course that contain every word of q (in their
// body, or for an opening post in the thread's title), newest first, and
// returns only what the caller may see: Q&A rules apply and deleted posts
// are never indexed.
func (s *Service) Search(ctx context.Context, caller, courseID uint64, q string, req page.Request) (Hits, error) {
	h, _, err := s.search(ctx, caller, courseID, q, req)
	return h, err
}

func (s *Service) search(ctx context.Context, caller, courseID uint64, q string, req page.Request) (Hits, searchStats, error) {
	out := Hits{Items: []Hit{}}
	var st searchStats
	terms, err := queryTerms(q)
	if err != nil {
		return out, st, err
	}
	// The cursor is the last post shown; the next page resumes below it.
	before, err := req.CursorID()
	if err != nil {
		return out, st, err
	}
	// Replies' postings are added when they are delivered.
	if err := s.DeliverReplies(ctx); err != nil {
		return out, st, err
	}
	err = s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		vis := &visibility{s: s, ctx: ctx, items: s.newItemGate(ctx, a), threads: map[uint64]*threadSeen{}}
		var last uint64
		st.Seeks, err = s.store.Match(ctx, courseID, terms, before, func(thread, post uint64) (bool, error) {
			hit, ok, err := vis.hit(thread, post, &st)
			if err != nil || !ok {
				return false, err
			}
			if len(out.Items) == req.Limit {
				out.NextCursor = page.FormatID(last)
				return true, nil
			}
			out.Items = append(out.Items, hit)
			last = post
			return false, nil
		})
		return err
	})
	return out, st, errs.Wrap(err, "search")
}

// queryTerms checks a query and splits it into words.
func queryTerms(q string) ([]string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, errs.Field("q", "required")
	case len(q) > maxQuery || !utf8.ValidString(q):
		return nil, errs.Field("q", "must be at most 256 bytes of text")
	}
	terms := Terms(q)
	switch {
	case len(terms) == 0:
		return nil, errs.Field("q", "must contain a word")
	case len(terms) > maxTerms:
		return nil, errs.Field("q", "must have at most 16 words")
	}
	return terms, nil
}

// visibility decides, within one search, which matching posts the caller may
// see, reading each thread once.
type visibility struct {
	s       *Service
	ctx     context.Context
	items   *itemGate
	threads map[uint64]*threadSeen
}

type threadSeen struct {
	ok     bool
	seeAll bool
	t      ThreadRecord
}

func (v *visibility) thread(id uint64) (*threadSeen, error) {
	if ts, ok := v.threads[id]; ok {
		return ts, nil
	}
	ts := &threadSeen{}
	v.threads[id] = ts
	t, err := v.s.store.Thread(v.ctx, id)
	if errs.Is(err, errs.NotFound) {
		return ts, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := v.s.store.Board(v.ctx, t.BoardID)
	if errs.Is(err, errs.NotFound) {
		return ts, nil
	}
	if err != nil {
		return nil, err
	}
	if ts.ok, err = v.items.open(t.ItemID); err != nil {
		return nil, err
	}
	a := v.items.access
	ts.t = t
	if ts.seeAll, err = v.s.seesAll(v.ctx, a.Staff(), b, t, a.Member.UserID); err != nil {
		return nil, err
	}
	return ts, nil
}

// hit turns a matching post into a result if the caller may see it.
func (v *visibility) hit(thread, post uint64, st *searchStats) (Hit, bool, error) {
	ts, err := v.thread(thread)
	if err != nil || !ts.ok {
		return Hit{}, false, err
	}
	st.PostsRead++
	p, err := v.s.store.Post(v.ctx, post)
	if errs.Is(err, errs.NotFound) {
		return Hit{}, false, nil
	}
	if err != nil {
		return Hit{}, false, err
	}
	me := v.items.access.Member.UserID
	if p.Deleted || !(ts.seeAll || p.ParentID == 0 || p.AuthorID == me) {
		return Hit{}, false, nil
	}
	return Hit{ThreadID: ts.t.ID, PostID: p.ID, BoardID: ts.t.BoardID, Title: ts.t.Title, Snippet: p.Snippet}, true, nil
}
