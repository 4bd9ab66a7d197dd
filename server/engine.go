package server

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"pacer/announcements"
	"pacer/audit"
	"pacer/auth"
	"pacer/cache"
	"pacer/deadlines"
	"pacer/discussion"
	"pacer/engagement"
	"pacer/jobs"
	"pacer/media"
	"pacer/modules"
	"pacer/notify"
	"pacer/quiz"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/storage/postgres"
	"pacer/txn"
)

// Stores are one engine's implementations of every domain package's
// store. The services are built on them and on the engine's txn.Runner;
// nothing above this file knows which engine it is.
type Stores struct {
	Revisions     cache.Revisions
	Auth          auth.Store
	Modules       modules.Store
	Notify        notify.Store
	Audit         audit.Store
	Deadlines     deadlines.Store
	Jobs          jobs.Store
	Discussion    discussion.Store
	Engagement    engagement.Store
	Media         media.Store
	Quiz          quiz.Store
	Announcements announcements.Store
}

// IsPostgres reports whether a --store value names a PostgreSQL database.
func IsPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// Engine is an open store: the engine's database, its transactions and
// every store on it.
type Engine struct {
	// Bolt is the bbolt database (nil on PostgreSQL); PG the PostgreSQL
	// one (nil on bbolt).
	Bolt   *storage.DB
	PG     *postgres.DB
	Tx     txn.Runner
	Stores Stores
}

// OpenEngine opens the engine store names: bbolt in dataDir ("" or
// "bolt"), or a PostgreSQL database (a postgres:// URL). The server and
// the command-line verbs open their store through it.
func OpenEngine(ctx context.Context, dataDir, store string, opt postgres.Options) (*Engine, error) {
	switch {
	case store == "" || store == "bolt":
		db, err := storage.Open(dataDir, storage.Options{MaxBatchSize: 2 * runtime.GOMAXPROCS(0) * 8})
		if err != nil {
			return nil, err
		}
		return &Engine{Bolt: db, Tx: db, Stores: boltStores(db)}, nil
	case IsPostgres(store):
		db, err := postgres.Open(ctx, store, opt)
		if err != nil {
			return nil, err
		}
		return &Engine{PG: db, Tx: db, Stores: postgresStores(db)}, nil
	}
	return nil, fmt.Errorf("--store %q: want bolt or a postgres:// URL", store)
}

// Close closes the engine's database.
func (e *Engine) Close() error {
	if e.PG != nil {
		return e.PG.Close()
	}
	return e.Bolt.Close()
}

// Ping reports whether the store answers.
func (e *Engine) Ping(ctx context.Context) error {
	if e.PG != nil {
		return e.PG.Ping(ctx)
	}
	return nil
}

func (s *Server) openStore(ctx context.Context) error {
	e, err := OpenEngine(ctx, s.cfg.DataDir, s.cfg.Store, postgres.Options{MaxConns: s.cfg.PGMaxConns, StatementTimeout: s.cfg.PGStatementTimeout})
	if err != nil {
		return err
	}
	s.engine = e
	s.DB, s.PG, s.Tx, s.Stores = e.Bolt, e.PG, e.Tx, e.Stores
	if e.PG != nil {
		// Scheduled runs carry the lead's lease, which every write
		// transaction of theirs checks first (jobs.Fenced).
		s.Tx = jobs.Fenced(e.Tx)
	}
	return nil
}

func boltStores(db *storage.DB) Stores {
	return Stores{
		Revisions:     bolt.NewRevisions(db),
		Auth:          bolt.NewAuth(db),
		Modules:       bolt.NewModules(db),
		Notify:        bolt.NewNotify(db),
		Audit:         bolt.NewAudit(db),
		Deadlines:     bolt.NewDeadlines(db),
		Jobs:          bolt.NewJobs(db),
		Discussion:    bolt.NewDiscussion(db),
		Engagement:    bolt.NewEngagement(db),
		Media:         bolt.NewMedia(db),
		Quiz:          bolt.NewQuiz(db),
		Announcements: bolt.NewAnnouncements(db),
	}
}

// Engine names the engine the server runs on: "bolt" or "postgres".
func (s *Server) Engine() string {
	if s.PG != nil {
		return "postgres"
	}
	return "bolt"
}
