package server_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// Replicas on one PostgreSQL database: the scheduled work runs on the one
// that leads (named by its replica id in the admin list of jobs), and
// when it stops, the other runs it at its very next tick.
func TestReplicasOnPostgresHandTheSchedulerOver(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	replica := func(id string) *pacertest.Env {
		return pacertest.New(t, func(c *server.Config) { c.Store, c.ReplicaID = url, id })
	}
	a, b := replica("replica-a"), replica("replica-b")
	runs := map[*pacertest.Env]*atomic.Int32{a: {}, b: {}}
	for env, n := range runs {
		if err := env.Server.Scheduler.Register("count", func(context.Context, time.Time) (int, error) {
			n.Add(1)
			return 0, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tick := func(env *pacertest.Env) {
		t.Helper()
		if err := env.Server.Scheduler.Tick("count"); err != nil {
			t.Fatal(err)
		}
	}
	admin := b.Admin()
	leader := func() string {
		t.Helper()
		r := b.Do("GET", "/api/v1/admin/jobs", admin.Token, nil)
		var list struct {
			Items []struct {
				Name   string `json:"name"`
				Leader string `json:"leader"`
			} `json:"items"`
		}
		r.Decode(&list)
		if r.Status != 200 || len(list.Items) == 0 {
			t.Fatalf("jobs: %d %s", r.Status, r.Body)
		}
		return list.Items[0].Leader
	}

	tick(a)
	tick(b)
	if na, nb := runs[a].Load(), runs[b].Load(); na != 1 || nb != 0 {
		t.Fatalf("runs: a %d, b %d; want the first to lead alone", na, nb)
	}
	if l := leader(); l != "replica-a" {
		t.Errorf("leader = %q, want replica-a", l)
	}
	if err := a.Server.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	tick(b)
	if nb := runs[b].Load(); nb != 1 {
		t.Fatalf("b's first tick after a stopped ran %d times, want 1", nb)
	}
	if l := leader(); l != "replica-b" {
		t.Errorf("leader = %q, want replica-b", l)
	}
}
