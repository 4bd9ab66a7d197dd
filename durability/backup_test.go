package durability_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pacer/durability"
	"pacer/pacertest"
	"pacer/storage"
)

// TestABackupTakenUnderLoadRestoresEveryEarlierWrite takes three hot
// backups (GET /api/v1/admin/backup) while eight writers post replies,
// submissions and watch spans. Each backup is restored the documented way
// (the file as <data>/pacer.db of a fresh data directory), checked with
// bbolt, served, and must hold every write acknowledged before its request
// began — and nothing that was never sent, refused or duplicated.
func TestABackupTakenUnderLoadRestoresEveryEarlierWrite(t *testing.T) {
	bin := pacerBinary(t)
	s := durability.Seed(t)
	rng := rand.New(rand.NewPCG(s, 0xbac))
	dir := t.TempDir()
	const admin = "admin@durability.test"
	if err := durability.AddUser(bin, dir, admin, "Admin", durability.Password, true); err != nil {
		t.Fatal(err)
	}
	p, err := durability.Start(bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.Exited() {
			p.Kill()
		}
	})
	c := durability.NewClient(p.Base)
	co, err := durability.Setup(c, 8)
	if err != nil {
		t.Fatal(err)
	}
	adminToken, err := c.Login(admin)
	if err != nil {
		t.Fatal(err)
	}

	type backup struct {
		before *durability.Ledger // the writes acknowledged before the request began
		file   string
		took   time.Duration
	}
	var backups []backup
	ledger := durability.NewLedger(len(co.Students))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&durability.Writers{Client: c, Course: co, Ledger: ledger, Round: 1, Seed: s}).Run(ctx)
		close(done)
	}()
	for i := range 3 {
		wait := ledger.Acks() + 50 + rng.IntN(200)
		select {
		case <-ledger.AfterAcks(wait):
		case <-time.After(time.Minute):
			t.Fatalf("backup %d: only %d of %d acknowledgements in a minute: %s", i, ledger.Acks(), wait, ledger.Summary())
		}
		b := backup{before: ledger.Clone(), file: filepath.Join(t.TempDir(), "pacer-backup.db")}
		start := time.Now()
		res, err := c.Do("GET", "/api/v1/admin/backup", adminToken, nil, "")
		b.took = time.Since(start)
		if err != nil || res.Status != 200 {
			t.Fatalf("backup %d: %d %v %.200s", i, res.Status, err, res.Body)
		}
		if err := os.WriteFile(b.file, res.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Logf("backup %d: %d bytes in %s, after %d acknowledged writes", i, len(res.Body), b.took.Round(time.Millisecond), b.before.Acks())
		backups = append(backups, b)
	}
	cancel()
	<-done
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	reportProblems(t, prefix("unexpected answer: ", ledger.Unexpected()))
	reportProblems(t, prefix("server error: ", p.ErrorLines()))
	t.Logf("writers: %s", ledger.Summary())

	for i, b := range backups {
		t.Run(fmt.Sprintf("backup %d restores", i), func(t *testing.T) {
			restored := t.TempDir()
			raw, err := os.ReadFile(b.file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(restored, storage.FileName), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := durability.CheckFile(restored); err != nil {
				t.Fatal(err)
			}
			p, err := durability.Start(bin, restored)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if !p.Exited() {
					p.Kill()
				}
			}()
			c := durability.NewClient(p.Base)
			// A fresh data directory has a fresh signing key: everyone
			// signs in again.
			rco := *co
			rco.Students = append([]durability.Account(nil), co.Students...)
			if err := c.Relogin(&rco); err != nil {
				t.Fatal(err)
			}
			res, err := durability.Verify(c, &rco, b.before, ledger)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("restored backup %d: %s", i, res)
			reportProblems(t, res.Problems)
			if res.Acks == 0 {
				t.Fatal("no write was acknowledged before the backup")
			}
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			reportProblems(t, prefix("restored server error: ", p.ErrorLines()))
			if err := durability.CheckFile(restored); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestABackupsSizeAndBytesComeFromOneSnapshot pins the bug the hot backup
// had: the handler announced the size of one read transaction as
// Content-Length and streamed another, so a commit in between that grew the
// file made the stream longer than announced and the client kept a
// truncated copy. A storage.Snapshot's Size is its stream's length however
// much is written meanwhile.
func TestABackupsSizeAndBytesComeFromOneSnapshot(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	grow := func() {
		err := db.Update(func(tx *storage.Tx) error {
			id, err := tx.NextID(storage.Settings)
			if err != nil {
				return err
			}
			return tx.PutRaw(storage.Settings, storage.ID(id), make([]byte, 256<<10))
		})
		if err != nil {
			t.Error(err)
		}
	}
	// Two transactions, as before: the second sees a bigger file.
	before, err := db.WriteBackup(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	grow()
	after, err := db.WriteBackup(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("the file did not grow (%d then %d bytes): the test shows nothing", before, after)
	}
	// One snapshot: the size holds.
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	size := snap.Size()
	grew := make(chan struct{})
	go func() { grow(); close(grew) }()
	select {
	case <-grew:
	case <-time.After(10 * time.Second):
		snap.Close() // lets the write through, so the test ends
		<-grew
		t.Fatal("a write waited for an open snapshot (bbolt's memory map grew under it)")
	}
	var buf bytes.Buffer
	n, err := snap.WriteTo(&buf)
	if err != nil || n != size || int64(buf.Len()) != size {
		t.Fatalf("snapshot: announced %d bytes, wrote %d (%d buffered): %v", size, n, buf.Len(), err)
	}
	copyDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(copyDir, storage.FileName), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := durability.CheckFile(copyDir); err != nil {
		t.Fatal(err)
	}
}

// TestASlowBackupDownloadDoesNotStallWriters holds a hot backup download
// open (the client reads one byte, then nothing) while a write grows the
// database past bbolt's current memory map. bbolt remaps under a lock every
// open read transaction holds, and the backup streams from one read
// transaction at the client's pace: without an initial map big enough, the
// write — and every write after it — waited for the download to finish.
func TestASlowBackupDownloadDoesNotStallWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~50 MB of data; skipped with -short")
	}
	env := pacertest.New(t)
	admin := env.Admin()
	fill := func(mib int) error {
		return env.Bolt().Update(func(tx *storage.Tx) error {
			for range mib * 4 {
				id, err := tx.NextID(storage.Settings)
				if err != nil {
					return err
				}
				if err := tx.PutRaw(storage.Settings, storage.ID(id), make([]byte, 256<<10)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// 16 MiB: far more than the loopback socket buffers hold, so the
	// backup's read transaction stays open while the client does not read.
	if err := fill(16); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- env.Server.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/admin/backup HTTP/1.1\r\nHost: pacer.test\r\nAuthorization: Bearer %s\r\n\r\n", admin.Token)
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("backup: %v %v", res, err)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}

	wrote := make(chan error, 1)
	start := time.Now()
	go func() { wrote <- fill(32) }() // past the 32 MiB map of a 16 MiB file
	stalled := false
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("a 32 MiB write finished in %s while the backup download was held", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		stalled = true
		t.Errorf("a write waited more than 10 s for a held backup download")
	}
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil || n+1 != res.ContentLength {
		t.Errorf("backup: read %d of %d bytes: %v", n+1, res.ContentLength, err)
	}
	if stalled {
		if err := <-wrote; err != nil {
			t.Fatal(err)
		}
		t.Logf("the write finished %s after it began, once the download was read", time.Since(start).Round(time.Millisecond))
	}
}

func prefix(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}
