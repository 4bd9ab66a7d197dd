package replicas_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"pacer/durability"
	"pacer/replicas"
)

// tick is the replicas' --tick (the cluster's default).
const tick = time.Second

// TestAReplyNotifiesTheThreadsAuthorOnce: a reply taken by one replica
// notifies the thread's author once, read on a third replica, and the
// count stays one while three schedulers keep ticking.
func TestAReplyNotifiesTheThreadsAuthorOnce(t *testing.T) {
	c := cluster(t)
	r1, r2, r3 := c.Replicas[0], c.Replicas[1], c.Replicas[2]
	adm := admin(t, c)
	ins := register(t, r1, "Host")
	author, replier := register(t, r2, "Author"), register(t, r3, "Replier")
	co := newCourse(t, r1, ins, "Notified")
	enroll(t, r1, co, author)
	enroll(t, r2, co, replier)
	thread := newThread(t, r3, co, author, "Help with week 1")
	call(t, r2, 201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), replier.Access,
		map[string]any{"body": "Here is how."}, nil)
	eventually(t, 30*time.Second, "the author's reply notification", func() bool {
		return notifications(t, r3, author, "reply") >= 1
	})
	waitTicks(t, r1, adm, 3)
	for _, r := range c.Replicas {
		if n := notifications(t, r, author, "reply"); n != 1 {
			t.Errorf("%s: the author has %d reply notifications, want 1", r, n)
		}
	}
}

// TestAModuleOpeningNotifiesEachLearnerOnce: with three schedulers
// ticking every second, and an administrator running open_windows on all
// three replicas at the same moment besides, each learner is told once
// that the module opened.
func TestAModuleOpeningNotifiesEachLearnerOnce(t *testing.T) {
	c := cluster(t)
	r1, r2 := c.Replicas[0], c.Replicas[1]
	adm := admin(t, c)
	ins := register(t, r1, "Opener")
	co := newCourse(t, r1, ins, "Opening")
	learners := make([]account, 3)
	for i := range learners {
		learners[i] = register(t, c.Replicas[i], fmt.Sprintf("Learner%d", i))
		enroll(t, c.Replicas[i], co, learners[i])
	}
	// The module opens two seconds from now: after every learner
	// enrolled, so its opening is news to each of them.
	opens := time.Now().UTC().Truncate(time.Second).Add(2 * time.Second)
	var mod idOnly
	call(t, r2, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", co.ID), ins.Access, map[string]any{
		"title": "Week 2", "published": true,
		"opens_at": opens.Format(time.RFC3339), "due_at": opens.Add(7 * 24 * time.Hour).Format(time.RFC3339),
	}, &mod)
	eventually(t, 30*time.Second, "the module's opening time", func() bool {
		return moduleState(t, r1, co, learners[0], mod.ID) == "open"
	})
	// Every replica runs the job at once, while the schedulers tick too.
	var wg sync.WaitGroup
	for _, r := range c.Replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Client.JSON(200, "POST", "/api/v1/admin/jobs/open_windows/run", adm.Access, map[string]any{}, nil); err != nil {
				t.Errorf("%s: %v", r, err)
			}
		}()
	}
	wg.Wait()
	for i, l := range learners {
		eventually(t, 30*time.Second, fmt.Sprintf("learner %d's module_opened notification", i), func() bool {
			return notifications(t, c.Replicas[(i+1)%3], l, "module_opened") >= 1
		})
	}
	waitTicks(t, r1, adm, 3)
	for i, l := range learners {
		if n := notifications(t, c.Replicas[(i+2)%3], l, "module_opened"); n != 1 {
			t.Errorf("learner %d has %d module_opened notifications, want 1", i, n)
		}
	}
}

// moduleState is a module's state for learner l ("locked", "open",
// "completed"), which the server computes from the clock at each request.
func moduleState(t *testing.T, r *replicas.Replica, co course, l account, module uint64) string {
	t.Helper()
	var out struct {
		Items []struct {
			ID    uint64 `json:"id"`
			State string `json:"state"`
		} `json:"items"`
	}
	call(t, r, 200, "GET", fmt.Sprintf("/api/v1/courses/%d/modules", co.ID), l.Access, nil, &out)
	for _, m := range out.Items {
		if m.ID == module {
			return m.State
		}
	}
	return "absent"
}

// waitTicks waits until open_windows has finished a run that began n
// ticks from now or later: whatever the schedulers were going to do
// again, they have had n chances to.
func waitTicks(t *testing.T, r *replicas.Replica, adm account, n int) {
	t.Helper()
	after := time.Now().Add(time.Duration(n) * tick)
	eventually(t, time.Duration(n)*tick+30*time.Second, fmt.Sprintf("%d scheduler ticks", n), func() bool {
		var out struct {
			Items []struct {
				Name      string     `json:"name"`
				LastRunAt *time.Time `json:"last_run_at"`
				Finished  *time.Time `json:"last_finished_at"`
			} `json:"items"`
		}
		call(t, r, 200, "GET", "/api/v1/admin/jobs", adm.Access, nil, &out)
		for _, j := range out.Items {
			if j.Name == "open_windows" {
				return j.LastRunAt != nil && j.LastRunAt.After(after) && j.Finished != nil && !j.Finished.Before(*j.LastRunAt)
			}
		}
		return false
	})
}

// TestTheLeaderKilledDuringAJobIsSucceededAndTellsOnce: the replica that
// leads the scheduler is killed (SIGKILL) as a module's opening is being
// told; another replica takes the lead within a few ticks, and each
// learner is told exactly once all the same: what the dead leader
// committed stays, what it did not is done by its successor, and nothing
// twice.
func TestTheLeaderKilledDuringAJobIsSucceededAndTellsOnce(t *testing.T) {
	c := ownCluster(t, replicas.Options{})
	must(t, c.AddUser(adminEmail, "Admin", durability.Password, true))
	adm := admin(t, c)
	first := leaderOf(t, c, adm, "")

	ins := register(t, c.Replicas[0], "Opener")
	co := newCourse(t, c.Replicas[0], ins, "Failover")
	learners := make([]account, 12)
	for i := range learners {
		r := c.Replicas[i%3]
		learners[i] = register(t, r, fmt.Sprintf("Learner%d", i))
		enroll(t, r, co, learners[i])
	}
	opens := time.Now().UTC().Truncate(time.Second).Add(2 * time.Second)
	var mod idOnly
	call(t, c.Replicas[0], 201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", co.ID), ins.Access, map[string]any{
		"title": "Week 2", "published": true,
		"opens_at": opens.Format(time.RFC3339), "due_at": opens.Add(7 * 24 * time.Hour).Format(time.RFC3339),
	}, &mod)

	// Killed the moment the opening is due or its telling has begun,
	// whichever is seen first: the leader's next tick is then at most a
	// second away or under way.
	other := c.Replicas[(first+1)%3]
	eventually(t, 30*time.Second, "the module's opening time", func() bool {
		return time.Now().After(opens) || notifications(t, other, learners[0], "module_opened") > 0
	})
	c.Kill(first)
	t.Logf("killed the leader, %s", c.Replicas[first])

	next := leaderOf(t, c, adm, c.Replicas[first].ID())
	t.Logf("%s leads now", c.Replicas[next])
	for i, l := range learners {
		eventually(t, 30*time.Second, fmt.Sprintf("learner %d's module_opened notification", i), func() bool {
			return notifications(t, c.Replicas[next], l, "module_opened") >= 1
		})
	}
	waitTicks(t, c.Replicas[next], adm, 3)
	for i, l := range learners {
		if n := notifications(t, c.Replicas[next], l, "module_opened"); n != 1 {
			t.Errorf("learner %d has %d module_opened notifications, want 1", i, n)
		}
	}
}

// leaderOf waits until a live replica other than not leads the scheduler,
// as the jobs list shows, and returns its index.
func leaderOf(t *testing.T, c *replicas.Cluster, adm account, not string) int {
	t.Helper()
	found := -1
	eventually(t, 30*time.Second, "a replica leading the scheduler", func() bool {
		for _, r := range c.Replicas {
			if r.ID() == not {
				continue
			}
			var out struct {
				Items []struct {
					Leader string `json:"leader"`
				} `json:"items"`
			}
			if err := r.Client.JSON(200, "GET", "/api/v1/admin/jobs", adm.Access, nil, &out); err != nil {
				continue
			}
			for _, j := range out.Items {
				for i, cand := range c.Replicas {
					if j.Leader != "" && j.Leader == cand.ID() && cand.ID() != not {
						found = i
						return true
					}
				}
			}
		}
		return false
	})
	return found
}
