package postgres

import (
	"context"
	"math"
	"strings"

	"pacer/discussion"
)

// The search index is PostgreSQL full-text search over the words the
// domain gives: discussion_search holds one tsvector per post, kept from
// the postings (AddPostings, RemovePostings) and matched with @@ through
// its GIN index. The words are discussion.Terms' (runs of letters, digits
// and marks in any script, lower-cased, cut at 64 bytes) and the domain
// searches with the same function, so no text search configuration parses
// them again: they are stored with array_to_tsvector and queried as
// quoted tsquery lexemes, both taken byte for byte. A configuration, even
// 'simple', would make other words than the domain's, and different ones
// by the server's locale: under the C locale to_tsvector('simple',
// 'ÉCOLE') is 'École' where Terms says 'école', and 'foo-bar' gives
// 'foo-bar', 'foo' and 'bar' where Terms gives 'foo' and 'bar'.
//
// Visibility (deleted posts, Q&A replies a learner may not see yet, items
// not open) is not the index's: the domain removes a deleted post's
// postings, and judges every match Match yields (discussion/search.go),
// as it does on bbolt.

// postingGroups turns postings into parallel arrays for unnest; empty
// terms are left out (tsvector has no empty lexeme, and Terms never gives
// one).
func postingGroups(ps []discussion.Posting) (courses, posts, threads []int64, terms []string) {
	for _, p := range ps {
		if p.Term == "" {
			continue
		}
		courses = append(courses, int64(p.Course))
		posts = append(posts, int64(p.Post))
		threads = append(threads, int64(p.Thread))
		terms = append(terms, p.Term)
	}
	return courses, posts, threads, terms
}

// AddPostings implements discussion.Store in one statement: the words of
// each post are merged into its row.
func (s *Discussion) AddPostings(ctx context.Context, ps []discussion.Posting) error {
	courses, posts, threads, terms := postingGroups(ps)
	if len(terms) == 0 {
		return nil
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO discussion_search AS s (course_id, post_id, thread_id, terms)
		SELECT course_id, post_id, max(thread_id), array_to_tsvector(array_agg(DISTINCT term))
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS u (course_id, post_id, thread_id, term)
		GROUP BY course_id, post_id
		ORDER BY course_id, post_id
		ON CONFLICT (course_id, post_id) DO UPDATE SET terms = s.terms || excluded.terms, thread_id = excluded.thread_id`,
		courses, posts, threads, terms)
	return err
}

// RemovePostings implements discussion.Store in one statement: the words
// are taken out of each post's row, and a row left with none is deleted.
func (s *Discussion) RemovePostings(ctx context.Context, ps []discussion.Posting) error {
	courses, posts, _, terms := postingGroups(ps)
	if len(terms) == 0 {
		return nil
	}
	_, err := s.db.q(ctx).Exec(ctx, `WITH r AS (
			SELECT course_id, post_id, array_agg(term) AS terms
			FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u (course_id, post_id, term)
			GROUP BY course_id, post_id),
		gone AS (
			DELETE FROM discussion_search s USING r
			WHERE s.course_id = r.course_id AND s.post_id = r.post_id AND length(ts_delete(s.terms, r.terms)) = 0)
		UPDATE discussion_search s SET terms = ts_delete(s.terms, r.terms) FROM r
		WHERE s.course_id = r.course_id AND s.post_id = r.post_id AND length(ts_delete(s.terms, r.terms)) > 0`,
		courses, posts, terms)
	return err
}

// tsQuery is the query of posts having every term: quoted lexemes joined
// with &, taken as written (no configuration parses them).
func tsQuery(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('\'')
		for _, r := range t {
			if r == '\'' || r == '\\' {
				b.WriteRune(r)
			}
			b.WriteRune(r)
		}
		b.WriteByte('\'')
	}
	return b.String()
}

// matchChunk is how many matches Match reads at once. visit may read
// other stores in the same transaction, so it runs on rows already read.
const matchChunk = 100

// Match implements discussion.Store: the course's posts whose words
// match every term, newest first, read in chunks below the last post
// read; each query is one seek.
func (s *Discussion) Match(ctx context.Context, course uint64, terms []string, before uint64, visit func(thread, post uint64) (bool, error)) (int, error) {
	if len(terms) == 0 {
		return 0, nil
	}
	for _, t := range terms {
		if t == "" {
			return 0, nil // no post has an empty word
		}
	}
	q := tsQuery(terms)
	below := int64(math.MaxInt64)
	if before != 0 {
		below = int64(before)
	}
	seeks := 0
	type hit struct{ post, thread uint64 }
	for {
		seeks++
		rows, err := s.db.q(ctx).Query(ctx, `SELECT post_id, thread_id FROM discussion_search
			WHERE course_id = $1 AND terms @@ $2::tsquery AND post_id < $3
			ORDER BY post_id DESC LIMIT $4`, course, q, below, matchChunk)
		if err != nil {
			return seeks, err
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.post, &h.thread); err != nil {
				rows.Close()
				return seeks, err
			}
			hits = append(hits, h)
		}
		if err := rows.Err(); err != nil {
			return seeks, err
		}
		for _, h := range hits {
			stop, err := visit(h.thread, h.post)
			if err != nil || stop {
				return seeks, err
			}
		}
		if len(hits) < matchChunk {
			return seeks, nil
		}
		below = int64(hits[len(hits)-1].post)
	}
}
