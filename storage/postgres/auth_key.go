package postgres

import (
	"context"

	"pacer/auth"
)

// SigningKeys is auth.KeyStore on PostgreSQL: the site's generated
// signing key is a row every replica reads.
type SigningKeys struct{ db *DB }

var _ auth.KeyStore = (*SigningKeys)(nil)

// NewSigningKeys keeps the signing key in db.
func NewSigningKeys(db *DB) *SigningKeys { return &SigningKeys{db: db} }

// jwtKey is the row of the JWT signing key.
const jwtKey = "jwt"

// LoadOrCreateKey implements auth.KeyStore in two statements of their
// own, on the pool (each its own transaction, READ COMMITTED): the insert
// keeps a row already there, waiting for a concurrent insert of it to
// commit, and the select after it, with a snapshot taken after that,
// reads whichever row won. (One statement could not: its snapshot is
// taken before a concurrent insert commits.) Replicas starting at once
// thus agree on one key.
func (s *SigningKeys) LoadOrCreateKey(ctx context.Context, fresh []byte) ([]byte, error) {
	if _, err := s.db.pool.Exec(ctx, `INSERT INTO signing_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, jwtKey, fresh); err != nil {
		return nil, err
	}
	var key []byte
	err := s.db.pool.QueryRow(ctx, `SELECT key FROM signing_keys WHERE name = $1`, jwtKey).Scan(&key)
	return key, err
}
