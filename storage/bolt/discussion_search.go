package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"

	"pacer/discussion"
	"pacer/storage"
)

// AddPostings implements discussion.Store. In key order the postings of
// many posts fill leaf pages in turn instead of reopening them.
func (s *Discussion) AddPostings(ctx context.Context, ps []discussion.Posting) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		type entry struct{ key, thread []byte }
		es := make([]entry, len(ps))
		for i, p := range ps {
			es[i] = entry{termKey(p.Course, p.Term, p.Post), storage.ID(p.Thread)}
		}
		slices.SortStableFunc(es, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
		for _, e := range es {
			if err := tx.PutRaw(storage.SearchTerms, e.key, e.thread); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemovePostings implements discussion.Store.
func (s *Discussion) RemovePostings(ctx context.Context, ps []discussion.Posting) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		for _, p := range ps {
			if err := tx.Delete(storage.SearchTerms, termKey(p.Course, p.Term, p.Post)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Match implements discussion.Store with a leapfrog join: postings store
// inverted post ids, so each term's postings are walked newest first, and
// each jumps to the highest candidate so far; when all agree, every term
// is in that post.
func (s *Discussion) Match(ctx context.Context, course uint64, terms []string, before uint64, visit func(thread, post uint64) (bool, error)) (int, error) {
	seeks := 0
	err := s.read(ctx, func(tx *storage.Tx) error {
		// Scanning forward from ^before+1 resumes with the next older post.
		var cand uint64
		if before != 0 {
			cand = ^before + 1
		}
		// Each term has one seek key, its prefix followed by the inverted
		// post id to seek to, rewritten in place for every seek.
		prefixes := make([][]byte, len(terms))
		keys := make([][]byte, len(terms))
		for i, t := range terms {
			prefixes[i] = termPrefix(course, t)
			keys[i] = append(slices.Clip(prefixes[i]), make([]byte, 8)...)
		}
		var got, thread uint64
		var found bool
		var plen int
		first := func(k, v []byte) error {
			got, thread, found = storage.Part(k[plen:], 0), readU64(v), true
			return storage.Stop
		}
		// seek finds the first posting of term i at or after inv.
		seek := func(i int, inv uint64) error {
			seeks++
			found, plen = false, len(prefixes[i])
			binary.BigEndian.PutUint64(keys[i][plen:], inv)
			return tx.EachFrom(storage.SearchTerms, prefixes[i], keys[i], first)
		}
		for {
			agreed := 0
			for i := 0; agreed < len(prefixes); i = (i + 1) % len(prefixes) {
				if err := seek(i, cand); err != nil || !found {
					return err
				}
				if got == cand {
					agreed++
				} else {
					cand, agreed = got, 1
				}
			}
			stop, err := visit(thread, ^cand)
			if err != nil || stop || cand == ^uint64(0) {
				return err
			}
			cand++
		}
	})
	return seeks, err
}
