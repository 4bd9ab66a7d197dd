package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	issuer   = "pacer"
	audience = "pacer-api"
)

// claims are the access token's claims. Sid names the refresh-token family
// (the sign-in) so that logging out revokes its access tokens; Gen is the
// user's token generation, bumped by a password change.
type claims struct {
	jwt.RegisteredClaims
	Sid uint64 `json:"sid"`
	Gen uint64 `json:"gen"`
}

// tokens issues and verifies access tokens, caching verified ones until they
// expire: verification costs ~14 µs, a cache hit well under 1 µs. Revocation
// is checked by the caller on every request, cached or not.
type tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	cache map[string]verified
}

type verified struct {
	user, sid, gen uint64
	exp            time.Time
}

func newTokens(key []byte, ttl time.Duration, now func() time.Time) *tokens {
	return &tokens{key: key, ttl: ttl, now: now, cache: map[string]verified{}}
}

func (t *tokens) issue(user, sid, gen uint64) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Audience:  jwt.ClaimStrings{audience},
			Subject:   strconv.FormatUint(user, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Sid: sid, Gen: gen,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
	return s, exp.UTC().Truncate(time.Second), err
}

// maxTokenLen bounds what is parsed at all: a hostile 100,000-dot token is
// refused before any work.
const maxTokenLen = 4096

func (t *tokens) verify(raw string) (verified, bool) {
	if len(raw) == 0 || len(raw) > maxTokenLen {
		return verified{}, false
	}
	now := t.now()
	t.mu.Lock()
	v, ok := t.cache[raw]
	t.mu.Unlock()
	if ok {
		if now.Before(v.exp) {
			return v, true
		}
		return verified{}, false
	}
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || c.ExpiresAt == nil {
		return verified{}, false
	}
	user, err := strconv.ParseUint(c.Subject, 10, 64)
	if err != nil || user == 0 || c.Sid == 0 {
		return verified{}, false
	}
	v = verified{user: user, sid: c.Sid, gen: c.Gen, exp: c.ExpiresAt.Time}
	t.mu.Lock()
	if len(t.cache) >= 50000 {
		// A crude bound: dropping the cache only costs re-verification.
		t.cache = map[string]verified{}
	}
	// raw may alias Fiber's request buffer, which the next request
	// overwrites; a map key must own its bytes or it silently changes.
	t.cache[strings.Clone(raw)] = v
	t.mu.Unlock()
	return v, true
}

// newOpaque returns a random URL-safe token and its storage hash.
func newOpaque() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashOpaque(token), nil
}

func hashOpaque(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// mac signs a purpose-bound message with the server key (CSRF tokens,
// unsubscribe links, calendar feeds).
func mac(key []byte, purpose, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
