package migrate_test

import (
	"context"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/jobs"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

func TestJobsCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewJobs(db)
	at := time.Date(2026, 4, 5, 6, 7, 8, 901234000, time.UTC)
	runs := []struct {
		job     string
		changed int
		err     string
	}{
		{"deadline-reminders", 3, ""},
		{"deadline-reminders", 0, "context deadline exceeded"},
		{"deadline-reminders", 12, ""}, // the last run succeeded: no error kept
		{"engagement-sweep", 0, "relâche: «erreur» \"quoted\"\nsecond line"},
		{"mail", 1 << 40, ""},
		{"z", 0, ""},
	}
	for i, r := range runs {
		start := at.Add(time.Duration(i) * time.Hour)
		res := jobs.RunResult{Job: r.job, StartedAt: start, FinishedAt: start.Add(1500 * time.Microsecond), Changed: r.changed}
		if err := bstore.RecordRun(ctx, res, r.err); err != nil {
			t.Fatal(err)
		}
	}

	pg := pgtest.Open(t)
	pstore := postgres.NewJobs(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "jobs", From: bstore, To: pstore}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"jobs/job_runs": 4}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	for _, name := range []string{"deadline-reminders", "engagement-sweep", "mail", "z", "never-ran", ""} {
		b, berr := bstore.Status(ctx, name)
		p, perr := pstore.Status(ctx, name)
		if berr != nil || perr != nil {
			t.Fatalf("Status %q: bbolt %v, PostgreSQL %v", name, berr, perr)
		}
		if !reflect.DeepEqual(b, p) {
			t.Errorf("Status %q:\n bbolt      %+v\n PostgreSQL %+v", name, b, p)
		}
	}
	if st, _ := pstore.Status(ctx, "deadline-reminders"); st.Runs != 3 || st.LastChanged != 12 || st.LastError != "" {
		t.Errorf("deadline-reminders on PostgreSQL: %+v", st)
	}

	// A run after the copy counts on from the copied count.
	next := jobs.RunResult{Job: "deadline-reminders", StartedAt: at.Add(24 * time.Hour), FinishedAt: at.Add(25 * time.Hour), Changed: 1}
	for _, s := range []jobs.Store{bstore, pstore} {
		if err := s.RecordRun(ctx, next, ""); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := bstore.Status(ctx, next.Job)
	p, _ := pstore.Status(ctx, next.Job)
	if !reflect.DeepEqual(b, p) || p.Runs != 4 {
		t.Errorf("after one more run:\n bbolt      %+v\n PostgreSQL %+v", b, p)
	}
}
