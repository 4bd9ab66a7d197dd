package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. OWASP's recommendation
// (m=19 MiB, t=2, p=1) is the default; tests use cheaper ones.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// OWASPParams is the production setting.
var OWASPParams = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Hasher hashes and checks passwords with argon2id. Each hash costs about
// MemoryKiB of memory, so concurrent hashing is bounded by a semaphore.
type Hasher struct {
	params Argon2Params
	sem    chan struct{}
	// dummy is checked against for unknown e-mails so that a login for an
	// unknown address costs the same as one with a wrong password.
	dummy string
}

// NewHasher bounds concurrent hashes to limit.
func NewHasher(p Argon2Params, limit int) *Hasher {
	if limit < 1 {
		limit = 1
	}
	h := &Hasher{params: p, sem: make(chan struct{}, limit)}
	h.dummy, _ = h.Hash("pacer-dummy-password-for-timing")
	return h
}

// Hash returns a PHC-format argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h.sem <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, 32)
	<-h.sem
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.MemoryKiB, h.params.Time, h.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded. It always does the full
// work of the stored parameters.
func (h *Hasher) Verify(encoded, password string) bool {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false
	}
	h.sem <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, want) == 1
}

// VerifyDummy does the work of one verification and fails; it is used for
// unknown e-mails.
func (h *Hasher) VerifyDummy(password string) { h.Verify(h.dummy, password+"x") }

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
