package durability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Writers are the concurrent clients whose writes the suites check. Writer
// i writes as student i only, one request after another, so a student's
// submissions are ordered and the last acknowledged one is well defined.
type Writers struct {
	Client *Client
	// Clients, when set, spreads the writers over several servers of one
	// store (replicas): writer i sends to Clients[i%len(Clients)] instead
	// of Client.
	Clients []*Client
	Course  *Course
	Ledger  *Ledger
	// Round is part of every marker, so that markers stay unique across
	// rounds on the same data.
	Round int
	// Seed makes each writer's choice of operations reproducible.
	Seed uint64
}

// Run starts one writer per student and returns when ctx is done and every
// writer has had its last answer (or transport error). Requests are not
// cancelled by ctx: a request in flight when ctx ends runs to its end.
func (w *Writers) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range w.Course.Students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.write(ctx, i)
		}()
	}
	wg.Wait()
}

// Marker is the unique text a writer puts in a reply or a submission.
func Marker(round, writer, seq int) string { return fmt.Sprintf("dm-%d-%d-%d", round, writer, seq) }

func (w *Writers) write(ctx context.Context, i int) {
	r := rand.New(rand.NewPCG(w.Seed, uint64(i)))
	base := w.Client
	if len(w.Clients) > 0 {
		base = w.Clients[i%len(w.Clients)]
	}
	c := base.Own()
	defer c.Close()
	st := w.Course.Students[i]
	co := w.Course
	var repliesBlockedUntil time.Time
	// A writer stops at its first refused connection: a killed or stopping
	// server stays so, and spinning on refusals would only take CPU from
	// the server's last work. Until then it keeps using its own kept-alive
	// connection, as a user's browser would, through a shutdown too.
	refused := false
	for seq := 0; !ctxDone(ctx) && !refused; seq++ {
		op := r.IntN(3)
		if op == 0 && time.Now().Before(repliesBlockedUntil) {
			op = 1 + r.IntN(2)
		}
		marker := Marker(w.Round, i, seq)
		switch op {
		case 0:
			path := fmt.Sprintf("/api/v1/threads/%d/replies", co.Thread)
			w.Ledger.sendReply(marker)
			res, err := c.Send("POST", path, st.Token, map[string]any{"body": "Reply " + marker + " from a durability writer."})
			switch {
			case err != nil:
				w.Ledger.transportError(*err)
				refused = err.Refused
			case res.Status == http.StatusCreated:
				w.Ledger.answerReply(marker, Acked)
			case res.Status == http.StatusTooManyRequests:
				// The posting limit (per user, per minute, in memory) is a
				// clean refusal: this reply must never appear.
				w.Ledger.answerReply(marker, Refused)
				repliesBlockedUntil = time.Now().Add(retryAfter(res))
			default:
				w.unexpected(path, res)
			}
		case 1:
			path := fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", co.ID, co.Assignment)
			body := "Answer " + marker
			n := w.Ledger.sendSubmission(i, body)
			res, err := c.Send("POST", path, st.Token, map[string]any{"body": body})
			switch {
			case err != nil:
				w.Ledger.transportError(*err)
				refused = err.Refused
			case res.Status == http.StatusCreated:
				w.Ledger.answerSubmission(i, n, Acked)
			default:
				w.unexpected(path, res)
			}
		case 2:
			path := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", co.ID, co.Lecture)
			from := r.IntN(co.LectureSeconds - 1)
			n := w.Ledger.sendWatch(i, from, from+1)
			res, err := c.Send("POST", path, st.Token, map[string]any{"from_seconds": from, "to_seconds": from + 1, "position_seconds": from + 1})
			switch {
			case err != nil:
				w.Ledger.transportError(*err)
				refused = err.Refused
			case res.Status == http.StatusOK:
				var out struct {
					Completed bool    `json:"completed"`
					Counted   float64 `json:"counted_seconds"`
				}
				if err := json.Unmarshal(res.Body, &out); err != nil {
					w.unexpected(path, res)
					continue
				}
				w.Ledger.answerWatch(i, n, Acked, out.Completed, out.Counted)
			default:
				w.unexpected(path, res)
			}
		}
	}
}

func (w *Writers) unexpected(path string, res Response) {
	w.Ledger.unexpectedAnswer(fmt.Sprintf("POST %s: %d %.200s", path, res.Status, res.Body))
}

// retryAfter is how long a writer leaves replies alone after a 429.
func retryAfter(res Response) time.Duration {
	if res.RetryAfter > 0 {
		return res.RetryAfter
	}
	return 5 * time.Second
}
