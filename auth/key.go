package auth

import (
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

// LoadKey returns the JWT signing key: secret when given (it must be at least
// 32 bytes), otherwise the key in <dataDir>/jwt.key, generated on first start
// with mode 0600.
func LoadKey(dataDir, secret string) ([]byte, error) {
	if secret != "" {
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("PACER_JWT_SECRET must be at least %d bytes", MinKeyBytes)
		}
		return []byte(secret), nil
	}
	path := filepath.Join(dataDir, KeyFile)
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < MinKeyBytes {
			return nil, fmt.Errorf("signing key %s is shorter than %d bytes", path, MinKeyBytes)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	key = make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}
