package durability

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"pacer/storage"
)

// Result is what a verification found.
type Result struct {
	// Acks is how many writes of the checked ledger were acknowledged;
	// Acks = Verified + Lost + Superseded.
	Acks int
	// Verified acknowledged writes are present.
	Verified int
	// Lost acknowledged writes are missing: must be 0.
	Lost int
	// Superseded are acknowledged submissions a later acknowledged
	// resubmission of the same student replaced (by design).
	Superseded int
	// Duplicates are writes present more than once: must be 0.
	Duplicates int
	// Landed are writes present whose answer never came (in flight at the
	// crash): allowed either way.
	Landed int
	// Problems describe every failure (lost, duplicated, refused yet
	// present, unknown, inconsistent counts); empty means all is well.
	Problems []string
}

// Add sums two results.
func (r *Result) Add(o Result) {
	r.Acks += o.Acks
	r.Verified += o.Verified
	r.Lost += o.Lost
	r.Superseded += o.Superseded
	r.Duplicates += o.Duplicates
	r.Landed += o.Landed
	r.Problems = append(r.Problems, o.Problems...)
}

func (r Result) String() string {
	return fmt.Sprintf("acks %d, verified %d, superseded %d, lost %d, duplicates %d, unacknowledged that landed %d, problems %d",
		r.Acks, r.Verified, r.Superseded, r.Lost, r.Duplicates, r.Landed, len(r.Problems))
}

func (r *Result) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

var markerRE = regexp.MustCompile(`dm-\d+-\d+-\d+`)

// Verify reads the course back through the API and checks it against the
// ledgers: every write acknowledged in acked must be present (acked is the
// final ledger after a crash, or a clone taken when a backup began), and
// every write present must have been sent (in all, the final ledger), at
// most once, and not refused.
//
//   - Replies: each acknowledged marker exactly once in the thread, no
//     marker twice, the thread's reply_count equal to the replies read, and
//     search finding each of them once (their postings are delivered behind
//     them, from a queue in the store).
//   - Submissions: at most one current attempt per student, holding the student's last
//     acknowledged body or a body sent after it (a later write that was in
//     flight at the crash, or landed after the backup's moment).
//   - Watching: the counted part of every acknowledged span (its answer's
//     counted_seconds) covered by the stored union, and a lecture once
//     answered complete still complete.
func Verify(c *Client, co *Course, acked, all *Ledger) (Result, error) {
	acked.mu.Lock()
	defer acked.mu.Unlock()
	if all != acked {
		all.mu.Lock()
		defer all.mu.Unlock()
	}
	var r Result
	if err := verifyReplies(c, co, acked, all, &r); err != nil {
		return r, err
	}
	if err := verifySubmissions(c, co, acked, all, &r); err != nil {
		return r, err
	}
	if err := verifyWatching(c, co, acked, &r); err != nil {
		return r, err
	}
	return r, nil
}

// eachPage reads every page of a cursor-paged list: path carries the
// query (with its limit), and page decodes one answer with get and returns
// its next cursor, "" after the last.
func eachPage(c *Client, path, token string, page func(get func(out any) error) (string, error)) error {
	cursor := ""
	for n := 0; n <= 10000; n++ {
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		next, err := page(func(out any) error { return c.JSON(200, "GET", p, token, nil, out) })
		if err != nil || next == "" {
			return err
		}
		cursor = next
	}
	return fmt.Errorf("%s: the cursor never ends", path)
}

type threadPage struct {
	Thread struct {
		ReplyCount int `json:"reply_count"`
	} `json:"thread"`
	Items []struct {
		ID       uint64 `json:"id"`
		ParentID uint64 `json:"parent_id"`
		BodyHTML string `json:"body_html"`
		Deleted  bool   `json:"deleted"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func verifyReplies(c *Client, co *Course, acked, all *Ledger, r *Result) error {
	found := map[string]int{}
	replies, replyCount := 0, -1
	seenIDs, replyIDs := map[uint64]bool{}, map[uint64]bool{}
	err := eachPage(c, fmt.Sprintf("/api/v1/threads/%d?limit=200", co.Thread), co.Instructor.Token, func(get func(any) error) (string, error) {
		var p threadPage
		if err := get(&p); err != nil {
			return "", err
		}
		if replyCount < 0 {
			replyCount = p.Thread.ReplyCount
		}
		for _, post := range p.Items {
			if seenIDs[post.ID] {
				r.problem("post %d came twice while paging the thread", post.ID)
				continue
			}
			seenIDs[post.ID] = true
			if post.ParentID == 0 {
				continue // the opening post
			}
			replies++
			replyIDs[post.ID] = true
			ms := markerRE.FindAllString(post.BodyHTML, -1)
			if len(ms) != 1 {
				r.problem("post %d holds %d markers: %.200q", post.ID, len(ms), post.BodyHTML)
				continue
			}
			found[ms[0]]++
		}
		return p.NextCursor, nil
	})
	if err != nil {
		return err
	}
	if replyCount != replies {
		r.problem("thread %d: reply_count says %d, paging found %d replies", co.Thread, replyCount, replies)
	}
	if err := verifySearch(c, co, replyIDs, r); err != nil {
		return err
	}
	for m, o := range acked.replies {
		if o != Acked {
			continue
		}
		r.Acks++
		if found[m] == 0 {
			r.Lost++
			r.problem("reply %s was acknowledged and is missing", m)
		} else {
			r.Verified++ // a second copy counts below, as a duplicate
		}
	}
	for m, n := range found {
		if n > 1 {
			r.Duplicates += n - 1
			r.problem("reply %s is present %d times", m, n)
		}
		o, sent := all.replies[m]
		switch {
		case !sent:
			r.problem("reply %s is present but was never sent", m)
		case o == Refused:
			r.problem("reply %s was refused (429) and is present", m)
		case acked.replies[m] != Acked:
			r.Landed++
		}
	}
	return nil
}

// verifySearch checks that search finds every reply of the thread once.
// A reply's search postings are delivered behind it from a queue in the
// store, so this is what shows that a crash left none of them undelivered
// for good. Every marker holds the word "dm".
func verifySearch(c *Client, co *Course, replyIDs map[uint64]bool, r *Result) error {
	seen := map[uint64]bool{}
	err := eachPage(c, fmt.Sprintf("/api/v1/courses/%d/search?q=dm&limit=200", co.ID), co.Instructor.Token, func(get func(any) error) (string, error) {
		var hits struct {
			Items []struct {
				ThreadID uint64 `json:"thread_id"`
				PostID   uint64 `json:"post_id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := get(&hits); err != nil {
			return "", err
		}
		for _, h := range hits.Items {
			if h.ThreadID != co.Thread || !replyIDs[h.PostID] || seen[h.PostID] {
				r.problem("search for the markers found post %d of thread %d, not a reply of the thread found once", h.PostID, h.ThreadID)
				continue
			}
			seen[h.PostID] = true
		}
		return hits.NextCursor, nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(replyIDs) {
		r.problem("search finds %d of the thread's %d replies", len(seen), len(replyIDs))
	}
	return nil
}

type submissionList struct {
	Items []struct {
		ID      uint64 `json:"id"`
		UserID  uint64 `json:"user_id"`
		Body    string `json:"body"`
		Current bool   `json:"current"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func verifySubmissions(c *Client, co *Course, acked, all *Ledger, r *Result) error {
	stored := map[uint64][]string{}
	err := eachPage(c, fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions?limit=200", co.ID, co.Assignment), co.Instructor.Token, func(get func(any) error) (string, error) {
		var l submissionList
		if err := get(&l); err != nil {
			return "", err
		}
		for _, s := range l.Items {
			// Earlier attempts are kept as history; the one that must be
			// the last acknowledged is the current one.
			if s.Current {
				stored[s.UserID] = append(stored[s.UserID], s.Body)
			}
		}
		if len(l.Items) == 0 {
			return "", nil
		}
		return l.NextCursor, nil
	})
	if err != nil {
		return err
	}
	for i, st := range co.Students {
		mine, sent := acked.subs[i], all.subs[i]
		last := -1
		for j, s := range mine {
			if s.Outcome == Acked {
				r.Acks++
				if last >= 0 {
					r.Superseded++
				}
				last = j
			}
		}
		bodies := stored[st.ID]
		if len(bodies) > 1 {
			r.Duplicates += len(bodies) - 1
			r.problem("student %d has %d submissions, want at most one", i, len(bodies))
		}
		if len(bodies) == 0 {
			if last >= 0 {
				r.Lost++
				r.problem("student %d: submission %q was acknowledged and none is stored", i, mine[last].Body)
			}
			continue
		}
		at := -1
		for j, s := range sent {
			if s.Body == bodies[0] {
				at = j
			}
		}
		switch {
		case at < 0:
			r.problem("student %d: the stored submission %q was never sent", i, bodies[0])
			if last >= 0 {
				r.Lost++
			}
		case at < last:
			r.Lost++
			r.problem("student %d: the stored submission is %q, older than the acknowledged %q", i, bodies[0], mine[last].Body)
		default:
			if last >= 0 {
				r.Verified++
			}
			if at > last && (at >= len(mine) || mine[at].Outcome != Acked) {
				r.Landed++
			}
		}
	}
	return nil
}

type lectureState struct {
	Spans     [][2]float64 `json:"spans"`
	Completed bool         `json:"completed"`
}

func verifyWatching(c *Client, co *Course, acked *Ledger, r *Result) error {
	for i, st := range co.Students {
		var l lectureState
		if err := c.JSON(200, "GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/lecture", co.ID, co.Lecture), st.Token, nil, &l); err != nil {
			return err
		}
		completed := false
		for _, w := range acked.watches[i] {
			if w.Outcome != Acked {
				continue
			}
			r.Acks++
			completed = completed || w.Completed
			// Only the part of the span that counted is promised.
			if w.Counted <= 0 || covered(l.Spans, float64(w.From), float64(w.From)+w.Counted) {
				r.Verified++
			} else {
				r.Lost++
				r.problem("student %d: the acknowledged watch span [%d, %d] is not in the stored spans %v", i, w.From, w.To, l.Spans)
			}
		}
		if completed && !l.Completed {
			r.problem("student %d: the lecture was answered complete and is no longer", i)
		}
	}
	return nil
}

// covered reports whether [from, to] lies inside one of spans (a merged
// union, so a covered span lies inside a single one).
func covered(spans [][2]float64, from, to float64) bool {
	const eps = 1e-6
	for _, s := range spans {
		if s[0] <= from+eps && to-eps <= s[1] {
			return true
		}
	}
	return false
}

// CheckFile opens a data directory no process holds and runs bbolt's
// consistency check on its database.
func CheckFile(dataDir string) error {
	db, err := storage.Open(dataDir, storage.Options{})
	if err != nil {
		return fmt.Errorf("open %s: %w", dataDir, err)
	}
	defer db.Close()
	if problems := db.Check(); len(problems) > 0 {
		msgs := make([]string, 0, len(problems))
		for _, p := range problems {
			msgs = append(msgs, p.Error())
		}
		sort.Strings(msgs)
		return fmt.Errorf("bbolt check of %s found %d problems: %s", dataDir, len(problems), strings.Join(msgs, "; "))
	}
	return nil
}
