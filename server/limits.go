package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"

	"pacer/auth"
	"pacer/limit"
	"pacer/storage/postgres"
)

// JobSweepRateLimits deletes the rate-limit windows that have ended, on
// PostgreSQL (bbolt's limits are in memory and sweep themselves).
const JobSweepRateLimits = "sweep_rate_limits"

// buildLimits chooses where the services' rate limits are counted: in the
// database on PostgreSQL, so that a limit holds across every replica (a
// client spreading sign-ins over replicas gets no more attempts than on
// one), and in this process's memory on bbolt, whose process is the only
// one.
func (s *Server) buildLimits() {
	if s.PG == nil {
		s.limits = limit.Memory(s.now)
		return
	}
	s.pgLimits = postgres.NewLimits(s.PG, s.now, s.log)
	s.limits = s.pgLimits.Limiter
}

// registerLimitSweep registers JobSweepRateLimits when the limits are in
// the database.
func (s *Server) registerLimitSweep() error {
	if s.pgLimits == nil || s.Scheduler == nil {
		return nil
	}
	return s.Scheduler.Register(JobSweepRateLimits, s.pgLimits.Sweep)
}

// SigningKey returns the JWT signing key of the engine e: secret when
// given; otherwise, on bbolt, the key file of dataDir, and on PostgreSQL
// the key kept in the database, so that every replica signs with it. A
// PostgreSQL database without a key yet adopts dataDir's key file if
// there is one (a site moved from bbolt with pacer migrate keeps its
// tokens, feed URLs and unsubscribe links), else a new key.
func SigningKey(ctx context.Context, e *Engine, dataDir, secret string) ([]byte, error) {
	if e.PG == nil || secret != "" {
		return auth.LoadKey(dataDir, secret)
	}
	fresh, err := auth.KeyDir(dataDir).Read()
	if err != nil {
		return nil, err
	}
	return auth.KeyFrom(ctx, postgres.NewSigningKeys(e.PG), "", fresh)
}

// DefaultReplicaID names a replica when Config.ReplicaID is empty: the
// host name and a random suffix, since two replicas may share a host (or
// a container image's host name).
func DefaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "pacer"
	}
	b := make([]byte, 3)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}
