package durability

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Outcome is what a client learnt of one write.
type Outcome uint8

const (
	// Pending: sent, and no complete answer came (in flight at a crash or
	// refused at the door during shutdown). Such a write may or may not
	// have landed.
	Pending Outcome = iota
	// Acked: a 2xx answer came, so the write must be there.
	Acked
	// Refused: a 4xx answer came, so the write must not be there.
	Refused
)

// Submission is one submission sent by a student; a student's submissions
// are sent one after another, so their order is the order of the slice.
type Submission struct {
	Body    string
	Outcome Outcome
}

// Watch is one watch span reported by a student.
type Watch struct {
	From, To  int
	Outcome   Outcome
	Completed bool // the answer said the lecture is complete
	// Counted is how many seconds of the span the answer said counted: a
	// span reported faster than it can be played counts only in part.
	Counted float64
}

// TransportError is a request that got no complete answer.
type TransportError struct {
	// Op is the method and path.
	Op  string
	Err string
	// Refused: the connection was refused (the server was not listening),
	// so the request never reached it.
	Refused bool
	// Reused: the request went on a kept-alive connection the server had
	// already answered on; otherwise on a new one, which a server closing
	// its listener may never have accepted.
	Reused bool
	// Wrote is when the request was completely written (zero if it never
	// was), At when the error came.
	Wrote, At time.Time
}

func (e *TransportError) Error() string { return e.Op + ": " + e.Err }

// Ledger records every write the writers sent and what they learnt of it.
// It is safe for concurrent use.
type Ledger struct {
	mu         sync.Mutex
	replies    map[string]Outcome // by marker
	subs       [][]Submission     // by student, in the order sent
	watches    [][]Watch          // by student, in the order sent
	acks       int
	refused    int
	transport  []TransportError
	unexpected []string
	waiters    []waiter
}

type waiter struct {
	n  int
	ch chan struct{}
}

// NewLedger returns an empty ledger for a course of students.
func NewLedger(students int) *Ledger {
	return &Ledger{replies: map[string]Outcome{}, subs: make([][]Submission, students), watches: make([][]Watch, students)}
}

// Clone copies the ledger as it is now: the writes acknowledged before a
// moment (a backup request beginning).
func (l *Ledger) Clone() *Ledger {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := NewLedger(len(l.subs))
	for k, v := range l.replies {
		c.replies[k] = v
	}
	for i := range l.subs {
		c.subs[i] = append([]Submission(nil), l.subs[i]...)
		c.watches[i] = append([]Watch(nil), l.watches[i]...)
	}
	c.acks, c.refused = l.acks, l.refused
	return c
}

// AfterAcks returns a channel closed once n writes have been acknowledged.
func (l *Ledger) AfterAcks(n int) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	if l.acks >= n {
		close(ch)
		return ch
	}
	l.waiters = append(l.waiters, waiter{n, ch})
	return ch
}

// ack counts one acknowledged write; the caller holds mu.
func (l *Ledger) ack() {
	l.acks++
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if l.acks >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiters = kept
}

func (l *Ledger) settle(o Outcome) {
	switch o {
	case Acked:
		l.ack()
	case Refused:
		l.refused++
	}
}

func (l *Ledger) sendReply(marker string) {
	l.mu.Lock()
	l.replies[marker] = Pending
	l.mu.Unlock()
}

func (l *Ledger) answerReply(marker string, o Outcome) {
	l.mu.Lock()
	l.replies[marker] = o
	l.settle(o)
	l.mu.Unlock()
}

func (l *Ledger) sendSubmission(student int, body string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs[student] = append(l.subs[student], Submission{Body: body})
	return len(l.subs[student]) - 1
}

func (l *Ledger) answerSubmission(student, i int, o Outcome) {
	l.mu.Lock()
	l.subs[student][i].Outcome = o
	l.settle(o)
	l.mu.Unlock()
}

func (l *Ledger) sendWatch(student, from, to int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watches[student] = append(l.watches[student], Watch{From: from, To: to})
	return len(l.watches[student]) - 1
}

func (l *Ledger) answerWatch(student, i int, o Outcome, completed bool, counted float64) {
	l.mu.Lock()
	w := &l.watches[student][i]
	w.Outcome, w.Completed, w.Counted = o, completed, counted
	l.settle(o)
	l.mu.Unlock()
}

func (l *Ledger) transportError(e TransportError) {
	l.mu.Lock()
	l.transport = append(l.transport, e)
	l.mu.Unlock()
}

func (l *Ledger) unexpectedAnswer(s string) {
	l.mu.Lock()
	l.unexpected = append(l.unexpected, s)
	l.mu.Unlock()
}

// Acks is how many writes were acknowledged.
func (l *Ledger) Acks() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acks
}

// Refusals is how many writes were refused with a 4xx (429 on replies: the
// posting limit).
func (l *Ledger) Refusals() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

// TransportErrors are the requests that got no complete answer.
func (l *Ledger) TransportErrors() []TransportError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]TransportError(nil), l.transport...)
}

// Unexpected are answers no write should get: any 5xx, and any 4xx other
// than the posting limit's 429.
func (l *Ledger) Unexpected() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.unexpected...)
}

// Summary counts transport errors by kind, for logs.
func (l *Ledger) Summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := map[string]int{}
	for _, e := range l.transport {
		k := e.Err
		if i := strings.LastIndex(k, ": "); i >= 0 {
			k = k[i+2:]
		}
		kinds[k]++
	}
	var parts []string
	for k, n := range kinds {
		parts = append(parts, fmt.Sprintf("%d × %s", n, k))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d acknowledged, %d refused (429), %d unanswered [%s], %d unexpected answers",
		l.acks, l.refused, len(l.transport), strings.Join(parts, "; "), len(l.unexpected))
}
