package replicas

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"pacer/durability"
)

// Secret is the signing key (PACER_JWT_SECRET) every replica of the suites
// shares, so that a token issued by one is valid on all.
const Secret = "replicas-suite-shared-signing-key-0123456789"

// Options describe a cluster.
type Options struct {
	// Bin is the pacer binary (durability.Build); Store the postgres://
	// URL every replica is started with.
	Bin, Store string
	// Replicas is how many processes run (3 if zero).
	Replicas int
	// Tick is every scheduler's --tick (one second if zero).
	Tick time.Duration
	// Dir holds the replicas' data directories (one each).
	Dir string
	// Args are extra flags and Env extra KEY=value settings for every
	// replica: where a suite adds a backend (media on S3-compatible
	// storage: --media and its PACER_S3_* credentials).
	Args []string
	Env  []string
}

// Cluster is a set of replicas of one store.
type Cluster struct {
	opts     Options
	Replicas []*Replica
}

// Replica is one pacer process of a cluster. Proc and Client change when
// the replica is restarted (a new process on a new port).
type Replica struct {
	// N is the replica's number, 1-based, for messages.
	N      int
	Data   string
	Proc   *durability.Proc
	Client *durability.Client
}

// Store is the postgres:// URL the replicas share.
func (c *Cluster) Store() string { return c.opts.Store }

func (r *Replica) String() string { return fmt.Sprintf("replica %d", r.N) }

// ID is the replica's --replica-id.
func (r *Replica) ID() string { return fmt.Sprintf("replica%d", r.N) }

// Start starts every replica at once and returns when all are ready. On an
// error the ones that started are killed.
func Start(opts Options) (*Cluster, error) {
	if opts.Replicas == 0 {
		opts.Replicas = 3
	}
	if opts.Tick == 0 {
		opts.Tick = time.Second
	}
	c := &Cluster{opts: opts, Replicas: make([]*Replica, opts.Replicas)}
	for i := range c.Replicas {
		c.Replicas[i] = &Replica{N: i + 1, Data: filepath.Join(opts.Dir, fmt.Sprintf("replica%d", i+1))}
	}
	// Started together, as an operator's orchestrator starts them: they
	// race to apply the migrations, which only one may do.
	errc := make(chan error, len(c.Replicas))
	var wg sync.WaitGroup
	for i := range c.Replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- c.start(i)
		}()
	}
	wg.Wait()
	close(errc)
	var errsOut []error
	for err := range errc {
		if err != nil {
			errsOut = append(errsOut, err)
		}
	}
	if err := errors.Join(errsOut...); err != nil {
		c.kill()
		return nil, err
	}
	return c, nil
}

// Env is the environment of every replica: durability's (no PACER_*
// setting of the caller's), the shared signing key, and Options.Env.
func (c *Cluster) Env() []string {
	// os/exec keeps the last of two settings of one name, so the shared
	// key replaces the empty one durability.Env gives.
	env := append(durability.Env(), "PACER_JWT_SECRET="+Secret)
	return append(env, c.opts.Env...)
}

func (c *Cluster) start(i int) error {
	r := c.Replicas[i]
	// Each replica is named for its number, so that what names a replica
	// (the jobs' leader, log lines) says which process it is.
	args := append([]string{"--store", c.opts.Store, "--tick", c.opts.Tick.String(), "--replica-id", r.ID()}, c.opts.Args...)
	p, err := durability.StartEnv(c.opts.Bin, r.Data, c.Env(), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", r, err)
	}
	r.Proc, r.Client = p, durability.NewClient(p.Base)
	return nil
}

// Kill sends SIGKILL to replica i (0-based) and waits for it to be gone.
func (c *Cluster) Kill(i int) {
	r := c.Replicas[i]
	r.Proc.Kill()
	r.Client.Close()
}

// Restart starts replica i again on its data directory, after Kill or
// Stop, and returns once it is ready.
func (c *Cluster) Restart(i int) error { return c.start(i) }

// Stop stops replica i with SIGTERM and wants exit status 0.
func (c *Cluster) Stop(i int) error {
	r := c.Replicas[i]
	defer r.Client.Close()
	if err := r.Proc.Stop(); err != nil {
		return fmt.Errorf("%s: %w", r, err)
	}
	return nil
}

// Close stops every replica still running with SIGTERM and reports any
// that did not exit cleanly.
func (c *Cluster) Close() error {
	var out []error
	for i, r := range c.Replicas {
		if r.Proc != nil && !r.Proc.Exited() {
			out = append(out, c.Stop(i))
		}
	}
	return errors.Join(out...)
}

func (c *Cluster) kill() {
	for _, r := range c.Replicas {
		if r.Proc != nil && !r.Proc.Exited() {
			r.Proc.Kill()
		}
	}
}

// AddUser runs `pacer user add --store` against the cluster's store (with
// a data directory of its own, which it leaves empty: the key is the
// shared one) and returns nothing but an error: the caller signs in.
func (c *Cluster) AddUser(email, name, password string, admin bool) error {
	dir, err := os.MkdirTemp(c.opts.Dir, "user-add-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := []string{"user", "add", "--store", c.opts.Store, "--data", dir, "--email", email, "--name", name}
	if admin {
		args = append(args, "--admin")
	}
	cmd := exec.Command(c.opts.Bin, args...)
	cmd.Env = c.Env()
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pacer user add %s: %w\n%s", email, err, out)
	}
	return nil
}

// Mark is where a replica's log ends now, for ErrorLinesSince.
func (r *Replica) Mark() int { return len(r.Proc.Log()) }

// ErrorLinesSince are the replica's ERROR log lines, panics and fatal
// errors printed after mark (see durability.Proc.ErrorLines).
func (r *Replica) ErrorLinesSince(mark int) []string {
	log := r.Proc.Log()
	if mark > len(log) {
		mark = 0
	}
	var out []string
	for _, line := range strings.Split(log[mark:], "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.HasPrefix(line, "panic:") ||
			strings.HasPrefix(line, "fatal error:") {
			out = append(out, line)
		}
	}
	return out
}
