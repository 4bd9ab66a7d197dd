package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. OWASP's recommendation
// (m=19 MiB, t=2, p=1) is the default; tests use cheaper ones.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// OWASPParams returns the production setting. It is a function, not a
// variable, so that no package can lower the cost for everyone at run
// time; tests pass cheaper parameters in Config.Argon2.
func OWASPParams() Argon2Params { return Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1} }

// Hasher hashes and checks passwords with argon2id. Each hash costs about
// MemoryKiB of memory, so concurrent hashing is bounded by a semaphore.
//
// The semaphore alone is not fair between people: waiting requests queue
// in arrival order, so one client with 32 requests in flight put every
// other sign-in behind 32 hashes (a victim's login went from 50-100 ms to
// ~870 ms). A hash on behalf of someone (a client IP, an account) therefore
// first takes that key's turn: each key has at most one hash running or
// waiting for the semaphore, its other requests wait on their own key.
// The semaphore's queue then holds at most one request per key, and
// anybody waits for at most one hash of each other active client.
type Hasher struct {
	params Argon2Params
	sem    chan struct{}

	mu    sync.Mutex
	turns map[string]*turn
	// dummy is checked against for unknown e-mails so that a login for an
	// unknown address costs the same as one with a wrong password.
	dummy string
}

// NewHasher bounds concurrent hashes to limit.
func NewHasher(p Argon2Params, limit int) *Hasher {
	if limit < 1 {
		limit = 1
	}
	h := &Hasher{params: p, sem: make(chan struct{}, limit), turns: map[string]*turn{}}
	h.dummy, _ = h.Hash("pacer-dummy-password-for-timing")
	return h
}

// turn is one key's right to hash: a one-slot lock, and how many requests
// hold or wait for it (the entry is dropped when none do).
type turn struct {
	lock  chan struct{}
	users int
}

// acquire waits for key's turn, then for a slot of the semaphore, and
// returns the function that gives both back. An empty key waits for the
// semaphore only.
func (h *Hasher) acquire(key string) func() {
	if key == "" {
		h.sem <- struct{}{}
		return func() { <-h.sem }
	}
	h.mu.Lock()
	t := h.turns[key]
	if t == nil {
		t = &turn{lock: make(chan struct{}, 1)}
		h.turns[key] = t
	}
	t.users++
	h.mu.Unlock()
	t.lock <- struct{}{}
	h.sem <- struct{}{}
	return func() {
		<-h.sem
		<-t.lock
		h.mu.Lock()
		if t.users--; t.users == 0 {
			delete(h.turns, key)
		}
		h.mu.Unlock()
	}
}

// Waiting is how many requests of key hold or wait for its turn: what one
// client has queued behind its own hashes.
func (h *Hasher) Waiting(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.turns[key]; t != nil {
		return t.users
	}
	return 0
}

// Hash returns a PHC-format argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) { return h.HashFor("", password) }

// HashFor is Hash on behalf of key (see Hasher).
func (h *Hasher) HashFor(key, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	release := h.acquire(key)
	key32 := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, 32)
	release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.MemoryKiB, h.params.Time, h.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key32)), nil
}

// Verify reports whether password matches encoded. It always does the full
// work of the stored parameters.
func (h *Hasher) Verify(encoded, password string) bool { return h.VerifyFor("", encoded, password) }

// VerifyFor is Verify on behalf of key (see Hasher).
func (h *Hasher) VerifyFor(key, encoded, password string) bool {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false
	}
	release := h.acquire(key)
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	release()
	return subtle.ConstantTimeCompare(got, want) == 1
}

// VerifyDummy does the work of one verification and fails; it is used for
// unknown e-mails.
func (h *Hasher) VerifyDummy(password string) { h.VerifyDummyFor("", password) }

// VerifyDummyFor is VerifyDummy on behalf of key.
func (h *Hasher) VerifyDummyFor(key, password string) { h.VerifyFor(key, h.dummy, password+"x") }

func parseHash(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &threads); err != nil {
		return p, nil, nil, err
	}
	p.Threads = uint8(threads)
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, err
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, errors.New("bad key")
	}
	return p, salt, key, nil
}
