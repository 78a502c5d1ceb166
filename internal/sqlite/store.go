// Package sqlite stores Accord's counts, alert states and notifications in
// an embedded SQLite database (pure Go, no cgo).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/accord-slo/accord/internal/engine"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ engine.Store = (*Store)(nil)

// Store is the SQLite store. Writes go through one connection and are
// committed in groups: concurrent AddCounts calls share one transaction
// and one fsync.
type Store struct {
	write *sql.DB
	read  *sql.DB
	path  string

	queue   chan *writeReq
	stop    chan struct{}
	stopped sync.WaitGroup
	// unwritable is set when a write failed for want of space (or a
	// failing disk) and cleared by the next write that succeeds.
	unwritable atomic.Bool
}

type writeReq struct {
	counts []engine.Count
	done   chan error
}

// maxGroup bounds how many requests one transaction commits.
const maxGroup = 256

// Open opens (creating if need be) the database in dir. The database and
// its journal files are readable by their owner only: they hold
// annotations and exceptions.
func Open(dir string) (*Store, error) {
	path := filepath.Join(dir, "accord.db")
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// The busy timeout comes first, so the other pragmas wait for a lock too.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	s := &Store{write: write, read: read, path: path, queue: make(chan *writeReq, 1024), stop: make(chan struct{})}
	if err := s.migrate(context.Background()); err != nil {
		s.write.Close()
		s.read.Close()
		return nil, err
	}
	s.stopped.Add(1)
	go s.writer()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	close(s.stop)
	s.stopped.Wait()
	return errors.Join(s.write.Close(), s.read.Close())
}

// ownerOnly creates the database file with mode 0600, so SQLite creates
// its WAL and shared-memory files alike, and narrows files an older
// version created to 0600.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("make %s readable by its owner only: %w", p, err)
		}
	}
	return nil
}

// Ping checks that the database answers and, after a write failed for
// want of space, that it can be written again.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	if !s.unwritable.Load() {
		return nil
	}
	// Rewriting the schema version writes a page and commits, as any
	// write would, and changes nothing.
	_, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations)))
	return s.wrote(err)
}

var migrations = []string{
	`CREATE TABLE counts (
		slo    TEXT NOT NULL,
		grp    TEXT NOT NULL,
		kind   TEXT NOT NULL,
		minute INTEGER NOT NULL,
		good   REAL NOT NULL,
		total  REAL NOT NULL,
		PRIMARY KEY (slo, grp, kind, minute)
	) WITHOUT ROWID;
	CREATE INDEX counts_minute ON counts (minute);
	CREATE TABLE alerts (
		slo   TEXT NOT NULL,
		grp   TEXT NOT NULL,
		rule  TEXT NOT NULL,
		body  TEXT NOT NULL,
		PRIMARY KEY (slo, grp, rule)
	);
	CREATE TABLE notifications (
		id   INTEGER PRIMARY KEY AUTOINCREMENT,
		slo  TEXT NOT NULL,
		at   INTEGER NOT NULL,
		body TEXT NOT NULL
	);
	CREATE INDEX notifications_slo ON notifications (slo, id);
	CREATE TABLE cursors (
		channel TEXT PRIMARY KEY,
		last_id INTEGER NOT NULL
	);`,
	`CREATE TABLE policy_states (
		slo  TEXT PRIMARY KEY,
		body TEXT NOT NULL
	);`,
	`CREATE TABLE annotations (
		id      INTEGER PRIMARY KEY AUTOINCREMENT,
		service TEXT NOT NULL,
		start   INTEGER NOT NULL,
		end     INTEGER NOT NULL,
		body    TEXT NOT NULL
	);
	CREATE INDEX annotations_time ON annotations (service, start);
	CREATE TABLE exceptions (
		id      INTEGER PRIMARY KEY AUTOINCREMENT,
		service TEXT NOT NULL,
		body    TEXT NOT NULL
	);`,
}

// migrate applies the migrations not yet applied, each in a transaction.
func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version of %s: %w", s.path, err)
	}
	if version > len(migrations) {
		return fmt.Errorf("database %s has schema version %d, newer than this Accord knows (%d)", s.path, version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", s.path, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to version %d: %w", s.path, i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to version %d: %w", s.path, i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w", s.path, i+1, err)
		}
	}
	return nil
}
