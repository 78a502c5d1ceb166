// Package postgres stores Accord's state in PostgreSQL (through pgx), so
// several replicas can share one database: every replica writes the counts
// it ingests, reads the others' from a change feed (PullChanges), and one
// replica at a time holds the leader lease (Campaign) that fences the
// leader's writes.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/accord-slo/accord/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is the PostgreSQL store. Concurrent AddCounts calls share one
// transaction (group commit), as on SQLite.
type Store struct {
	pool *pgxpool.Pool
	// origin names this store's writes in the change feed and holds the
	// lease: host, process id and a random suffix.
	origin string
	batch  *store.Batcher

	mu sync.Mutex
	// snapshot is the PostgreSQL snapshot the last LoadCounts or
	// PullChanges read at; the next pull returns what it did not see.
	snapshot string
	// epoch is the lease epoch this store won; 0 when it does not lead.
	epoch int64
	// claims are the epochs under which this store last claimed each
	// channel's notifications (ClaimNotifications).
	claims     map[string]int64
	lastPruned time.Time // of the change feed

	// partSeries, when set, replaces the package's partSeries; afterPart,
	// when set, runs after each part of a compaction or pruning but the
	// last (compact.go). Tests set them.
	partSeries int
	afterPart  func()
	// pulling, when set, runs at the start and at the end of a pull's
	// transaction (changes.go); tests read what the pull read with it.
	pulling func(pgx.Tx) error
}

// connectTimeout bounds each connection attempt unless the URL sets one.
var connectTimeout = 10 * time.Second

// Open connects to the database at url (postgres://…), applies the schema
// migrations it lacks and starts the writer.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err) // the URL may hold a password: not repeated
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	// Without a limit a connection to a host that does not answer waits
	// for the operating system's, minutes at start-up; connect_timeout in
	// the URL sets another.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if file := passfileOf(url); file != "" {
		cfg.BeforeConnect = readPassword(file)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		if transient(err) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("PostgreSQL at %s:%d does not answer: check --database (or ACCORD_DATABASE) and that the server runs and lets this role in: %w",
				cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
		}
		return nil, err
	}
	s := &Store{pool: pool, origin: newOrigin(), claims: map[string]int64{}}
	s.batch = store.NewBatcher(func(ctx context.Context, batches []*store.Batch) error {
		return unavailable(s.commitCounts(ctx, batches))
	})
	return s, nil
}

func newOrigin() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Close waits for the commit under way and closes the connections.
func (s *Store) Close() error {
	s.batch.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	s.leave(ctx)
	cancel()
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping PostgreSQL: %w", err)
	}
	return nil
}
