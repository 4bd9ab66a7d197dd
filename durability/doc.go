// Package durability proves that Pacer keeps what it acknowledges: it runs
// the real pacer command as a subprocess on a data directory, drives it
// with concurrent writers, breaks it on purpose and reads everything back.
//
// The harness (this package) builds the binary (Build), starts and stops
// it (Start, Proc.Kill, Proc.Stop), sets up a course through the HTTP API
// (Setup: an instructor, a module whose week is open now, an assignment, a
// lecture of the demo video and a thread in the general board, students
// enrolled), runs Writers — one per student, each posting replies with a
// unique marker, resubmitting the assignment with a unique body and
// reporting watch spans — records every write and its outcome in a Ledger
// (acknowledged = a 2xx was received; refused = a 4xx; pending = no complete
// answer), and Verify reads the course back and compares:
//
//   - every acknowledged reply is in the thread exactly once, no reply is
//     there twice, none that was refused or never sent, and the thread's
//     reply_count equals the replies paged through;
//   - each student has at most one submission, holding the last
//     acknowledged body or one sent after it: a write in flight when the
//     server died may or may not have landed, and either is correct;
//   - the counted part of every acknowledged watch span is inside the
//     stored union of spans, and a lecture answered complete stays
//     complete.
//
// CheckFile opens a data directory no process holds with storage.Open and
// runs bbolt's consistency check.
//
// The suites (package durability_test; all skipped with -short):
//
//   - crash_test.go: kill -9. Eight writers; SIGKILL after a random number
//     of acknowledgements (seeded; the seed is logged and DURABILITY_SEED
//     replays it); the file is checked; the server restarts on the same
//     data and every write of every round so far is verified; three rounds.
//   - backup_test.go: three hot backups (GET /api/v1/admin/backup) taken
//     while the writers run, each restored as <data>/pacer.db of a fresh
//     data directory, checked, served, and holding every write acknowledged
//     before its request began. Also: a backup's announced size is its
//     stream's length however much is written meanwhile, and a backup
//     download the client holds open does not stall writers.
//   - shutdown_test.go: SIGTERM under load — sixteen writers, sixteen
//     readers on kept-alive connections, scheduler jobs running (ticking
//     every second and run by an administrator one after another), and
//     four replies provably in flight (100 Continue received, half the body
//     sent): the held replies get 201, every request written before the
//     signal on a kept-alive connection is answered in full, no 5xx, exit
//     status 0 within 10 s with "stopped cleanly" logged, and after a
//     restart every acknowledged write is there.
//   - verify_test.go: the checker itself reports lost, duplicated and
//     refused-yet-present writes.
//
// cmd/crashtest runs the kill -9 rounds for longer:
//
//	go run ./cmd/crashtest -rounds 20 -writers 16
package durability
