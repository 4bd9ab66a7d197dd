// Package replicas proves that several pacer processes on one PostgreSQL
// database serve one platform: it starts three real replicas of the
// binary, each with its own data directory and port and the same store and
// signing key, and drives them through the HTTP API, sending each step of a
// scenario to a different replica.
//
// The harness (this package) starts the replicas together on one store
// (Start), kills, restarts and stops them (Cluster.Kill, Cluster.Restart,
// Cluster.Stop, Cluster.Close) and adds accounts with `pacer user add
// --store` (Cluster.AddUser); the processes themselves are durability's
// (durability.StartEnv). Options.Args and Options.Env give every replica
// extra flags and environment: the place for a backend a suite adds, such
// as media on S3-compatible storage (the suites' ownCluster passes them).
//
// The suites (package replicas_test; skipped with -short, and skipped
// without PostgreSQL unless PACER_POSTGRES_TESTS=required) share one
// cluster of three replicas ticking every second, each test with accounts
// and courses of its own (the kill -9 rounds have a cluster of their own),
// and check what the API contract promises of replicas ("Running on
// several machines"):
//
//   - consistency_test.go: a token issued by one replica works on the
//     others, refresh rotation and reuse detection hold across them; a
//     write acknowledged by one replica (a course created or edited, an
//     item edited, a grade, a quiz attempt taken across all three, a
//     member's role, a site permission, a reply, an item completed) is
//     what the others answer on the very next request, each read there
//     first so that a stale cache would show; a
//     sign-out, a disabled account and a password change refuse the token
//     on every replica at once.
//   - jobs_test.go: with three schedulers ticking every second, a reply
//     notifies the thread's author once, and a module opening notifies each
//     learner once, also when an administrator runs the job on all three
//     replicas at the same moment.
//   - failover_test.go: SIGKILL of one replica leaves the others serving,
//     and the restarted one serves the same data; a PostgreSQL outage (the
//     database refusing connections and its open ones dropped:
//     pgtest.SetReachable) makes every replica's /readyz answer 503 and
//     acknowledge no write until it ends, then 200 without a restart, and
//     nothing acknowledged before it is lost.
//   - crash_test.go: durability's kill -9 rounds across replicas: writers
//     spread over the three replicas, one replica killed with SIGKILL each
//     round while the others keep acknowledging, restarted, and every
//     acknowledged write of every round so far verified (present exactly
//     once, nothing duplicated, nothing refused present) through the
//     restarted replica and through another, whichever replica took it.
package replicas
