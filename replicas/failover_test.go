package replicas_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pacer/durability"
	"pacer/replicas"
	"pacer/storage/postgres/pgtest"
)

// replies is a thread's replies as one replica answers them.
func replies(t *testing.T, r *replicas.Replica, token string, thread uint64) map[string]int {
	t.Helper()
	var p struct {
		Items []struct {
			ParentID uint64 `json:"parent_id"`
			BodyHTML string `json:"body_html"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	call(t, r, 200, "GET", fmt.Sprintf("/api/v1/threads/%d?limit=200", thread), token, nil, &p)
	if p.NextCursor != "" {
		t.Fatalf("%s: thread %d has more than a page of replies", r, thread)
	}
	out := map[string]int{}
	for _, it := range p.Items {
		if it.ParentID != 0 {
			out[it.BodyHTML]++
		}
	}
	return out
}

// reply posts a reply on replica r and returns its body as the thread
// renders it.
func reply(t *testing.T, r *replicas.Replica, token string, thread uint64, text string) string {
	t.Helper()
	var p struct {
		BodyHTML string `json:"body_html"`
	}
	call(t, r, 201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), token, map[string]any{"body": text}, &p)
	return p.BodyHTML
}

// holdsAll reports, as errors, the acknowledged replies replica r does not
// answer exactly once.
func holdsAll(t *testing.T, r *replicas.Replica, token string, thread uint64, acked []string) {
	t.Helper()
	got := replies(t, r, token, thread)
	for _, body := range acked {
		if got[body] != 1 {
			t.Errorf("%s: the acknowledged reply %q is there %d times, want once", r, body, got[body])
		}
	}
	if len(got) != len(acked) {
		t.Errorf("%s: the thread holds %d distinct replies, %d were acknowledged", r, len(got), len(acked))
	}
}

// TestAKilledReplicaLeavesTheOthersServing: SIGKILL of one replica; the
// other two keep taking writes and answering reads, and the killed one,
// restarted on its data directory, serves everything, including what was
// written while it was gone, and still accepts the tokens issued before.
func TestAKilledReplicaLeavesTheOthersServing(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	ins := register(t, r1, "Survivor")
	co := newCourse(t, r1, ins, "Failover")
	thread := newThread(t, r2, co, ins, "Still here")
	var acked []string
	for i, r := range c.Replicas {
		acked = append(acked, reply(t, r, ins.Access, thread, fmt.Sprintf("Before the kill, via replica %d.", i+1)))
	}
	marks := []int{r1.Mark(), r3.Mark()}
	c.Kill(1)
	t.Cleanup(func() {
		if r2.Proc.Exited() {
			if err := c.Restart(1); err != nil {
				t.Errorf("restart replica 2: %v", err)
			}
		}
	})
	if _, err := r2.Client.Do("GET", "/healthz", "", nil, ""); err == nil {
		t.Fatal("replica 2 still answers after SIGKILL")
	}
	for _, r := range []*replicas.Replica{r1, r3} {
		acked = append(acked, reply(t, r, ins.Access, thread, fmt.Sprintf("While replica 2 is down, via %s.", r)))
		call(t, r, 200, "GET", "/readyz", "", nil, nil)
	}
	for _, r := range []*replicas.Replica{r1, r3} {
		holdsAll(t, r, ins.Access, thread, acked)
	}
	if err := c.Restart(1); err != nil {
		t.Fatal(err)
	}
	// The token replica 1 issued before the kill, on the restarted replica.
	holdsAll(t, r2, ins.Access, thread, acked)
	acked = append(acked, reply(t, r2, ins.Access, thread, "After the restart, via replica 2."))
	for _, r := range c.Replicas {
		holdsAll(t, r, ins.Access, thread, acked)
	}
	for i, r := range []*replicas.Replica{r1, r3} {
		for _, line := range r.ErrorLinesSince(marks[i]) {
			t.Errorf("%s logged while replica 2 was killed: %s", r, line)
		}
	}
}

// readyz is a replica's /readyz status (0 when it does not answer).
func readyz(r *replicas.Replica) int {
	res, err := r.Client.Do("GET", "/readyz", "", nil, "")
	if err != nil {
		return 0
	}
	return res.Status
}

// TestAPostgreSQLOutage: while the database refuses connections (every
// open one dropped, as when PostgreSQL stops), every replica's /readyz
// answers 503 and no write is acknowledged; once it is back, every replica
// answers 200 again without a restart, and every reply acknowledged before
// the outage is there once.
func TestAPostgreSQLOutage(t *testing.T) {
	c := cluster(t)
	r1, r2 := c.Replicas[0], c.Replicas[1]
	ins := register(t, r1, "Outage")
	co := newCourse(t, r1, ins, "Outage")
	thread := newThread(t, r2, co, ins, "Through an outage")
	var acked []string
	for i, r := range c.Replicas {
		for j := range 3 {
			acked = append(acked, reply(t, r, ins.Access, thread, fmt.Sprintf("Before the outage, %d via replica %d.", j, i+1)))
		}
	}
	procs := make([]*durability.Proc, len(c.Replicas))
	for i, r := range c.Replicas {
		procs[i] = r.Proc
	}

	pgtest.SetReachable(t, c.Store(), false)
	reachable := false
	// The suites share the database: it comes back whatever happens here.
	t.Cleanup(func() {
		if !reachable {
			pgtest.SetReachable(t, c.Store(), true)
		}
	})
	for _, r := range c.Replicas {
		// The outage reaches a replica when it next asks the store; the
		// poll covers a backend still on its way out.
		eventually(t, 30*time.Second, fmt.Sprintf("%s: /readyz 503 during the outage", r), func() bool {
			return readyz(r) == http.StatusServiceUnavailable
		})
	}
	for _, r := range c.Replicas {
		if s := readyz(r); s != http.StatusServiceUnavailable {
			t.Errorf("%s: /readyz during the outage: %d, want 503", r, s)
		}
		res, err := r.Client.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), ins.Access, map[string]any{"body": "During the outage."}, "")
		// Not acknowledged, and answered as what it is: try again soon.
		if err == nil && (res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), `"unavailable"`)) {
			t.Errorf("%s: a reply during the outage: %d %.200s, want 503 unavailable", r, res.Status, res.Body)
		}
	}

	pgtest.SetReachable(t, c.Store(), true)
	reachable = true
	for _, r := range c.Replicas {
		eventually(t, 30*time.Second, fmt.Sprintf("%s: /readyz 200 after the outage", r), func() bool {
			return readyz(r) == http.StatusOK
		})
	}
	for i, r := range c.Replicas {
		if r.Proc != procs[i] || r.Proc.Exited() {
			t.Errorf("%s was restarted or exited during the outage", r)
		}
	}
	for _, r := range c.Replicas {
		holdsAll(t, r, ins.Access, thread, acked)
	}
	for i, r := range c.Replicas {
		acked = append(acked, reply(t, r, ins.Access, thread, fmt.Sprintf("After the outage, via replica %d.", i+1)))
	}
	holdsAll(t, r1, ins.Access, thread, acked)
}
