package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyFile is the generated signing key inside the data directory.
const KeyFile = "jwt.key"

// MinKeyBytes is the shortest HMAC key accepted. golang-jwt accepts any
// length, so the check lives here.
const MinKeyBytes = 32

// KeyStore keeps the signing key generated when none is configured, where
// every process serving the site finds it: tokens, calendar feed URLs and
// unsubscribe links signed by one are then good on all of them. The bbolt
// engine's is the data directory's key file (KeyDir), PostgreSQL's a row
// of the database.
type KeyStore interface {
	// LoadOrCreateKey returns the stored key. When there is none yet it
	// stores fresh and returns it; processes asking at once all get the
	// one key that was stored.
	LoadOrCreateKey(ctx context.Context, fresh []byte) ([]byte, error)
}

// NewKey returns a new random signing key.
func NewKey() ([]byte, error) {
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, nil
}

// KeyFrom returns the JWT signing key: secret when given (it must be at
// least MinKeyBytes), otherwise the key store keeps, which is fresh (or,
// when fresh is nil, a new random key) if the store had none.
func KeyFrom(ctx context.Context, store KeyStore, secret string, fresh []byte) ([]byte, error) {
	if secret != "" {
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("PACER_JWT_SECRET must be at least %d bytes", MinKeyBytes)
		}
		return []byte(secret), nil
	}
	if fresh == nil {
		var err error
		if fresh, err = NewKey(); err != nil {
			return nil, err
		}
	}
	if len(fresh) < MinKeyBytes {
		return nil, fmt.Errorf("a new signing key must be at least %d bytes", MinKeyBytes)
	}
	key, err := store.LoadOrCreateKey(ctx, fresh)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("the stored signing key is shorter than %d bytes", MinKeyBytes)
	}
	return key, nil
}

// LoadKey returns the JWT signing key: secret when given (it must be at
// least 32 bytes), otherwise the key in <dataDir>/jwt.key, generated on
// first start with mode 0600 (KeyFrom on KeyDir).
func LoadKey(dataDir, secret string) ([]byte, error) {
	return KeyFrom(context.Background(), KeyDir(dataDir), secret, nil)
}

// KeyDir is the key store of one data directory: the file jwt.key in it.
type KeyDir string

// Read returns the directory's key, or nil when it has none.
func (d KeyDir) Read() ([]byte, error) {
	path := filepath.Join(string(d), KeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("signing key %s is shorter than %d bytes", path, MinKeyBytes)
	}
	return key, nil
}

// LoadOrCreateKey implements KeyStore. The key is written whole to a
// file of its own and then linked into place, which fails if jwt.key
// exists: of two processes starting on one directory, the second reads
// the first one's key, and nobody ever reads a key half written.
func (d KeyDir) LoadOrCreateKey(_ context.Context, fresh []byte) ([]byte, error) {
	if key, err := d.Read(); key != nil || err != nil {
		return key, err
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(string(d), KeyFile+".new-*")
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Write(fresh); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	err = os.Link(f.Name(), filepath.Join(string(d), KeyFile))
	if errors.Is(err, os.ErrExist) {
		return d.Read()
	}
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	return fresh, nil
}
