// Package sqlite stores Accord's counts, alert states and notifications in
// an embedded SQLite database (pure Go, no cgo).
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is the SQLite store. Writes go through one connection and are
// committed in groups: concurrent AddCounts calls share one transaction
// and one fsync.
type Store struct {
	write *sql.DB
	read  *sql.DB
	path  string
	// tokenByHash is prepared once: every request with a token asks it.
	tokenByHash *sql.Stmt
	lock        *os.File // held while open: one process per database

	batch *store.Batcher
	// series maps the series committed so far to their ids; only the
	// batcher's goroutine, which commits counts, reads and writes it.
	series map[seriesKey]int64
	// unwritable is set when a write failed for want of space (or a
	// failing disk) and cleared by the next write that succeeds;
	// refusedAt is when (Unix nanoseconds), and probeAfter how long
	// readiness believes it before a test write may clear it (full.go).
	unwritable atomic.Bool
	refusedAt  atomic.Int64
	probeAfter time.Duration

	// pending is how many counts wait in the pending table to be merged
	// into the counts table (pending.go); mergeMu lets one merge run at a
	// time, and mergeFailed says the last one failed.
	pending     atomic.Int64
	mergeMu     sync.Mutex
	mergeFailed atomic.Bool
	mergeNow    chan struct{}
	// partTime is how long a merge, compaction or prune transaction holds
	// the writer (mergePartTime); afterPart, when set, runs after each of
	// their transactions but the last.
	partTime  time.Duration
	afterPart func()
	stopMerge chan struct{}
	merged    chan struct{} // closed when the merger has stopped
	// checkpointed is closed when the checkpointer has stopped; ckpt is
	// what it knows of its work (checkpoint.go).
	checkpointed chan struct{}
	ckpt         checkpoints
}

// Options are what a store reports to: both may be nil.
type Options struct {
	// Logger receives what the store's background work cannot return
	// to a caller (a failed WAL checkpoint).
	Logger *slog.Logger
	// Registerer receives the store's metrics.
	Registerer prometheus.Registerer

	// checkpointEvery and autoCheckpoint replace the package's (tests).
	checkpointEvery time.Duration
	autoCheckpoint  int
}

// Open opens (creating if need be) the database in dir. Only one process
// may have it open. The database and its journal files are readable by
// their owner only: they hold annotations, exceptions and the audit trail.
func Open(dir string) (*Store, error) { return OpenWith(dir, Options{}) }

// OpenWith is Open with a logger and a metrics registry.
func OpenWith(dir string, opts Options) (*Store, error) {
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := open(dir, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

// busyTimeout is how long a statement waits for a lock another
// connection holds.
const busyTimeout = 10 * time.Second

func open(dir string, opts Options) (*Store, error) {
	path := filepath.Join(dir, "accord.db")
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// The busy timeout comes first, so the other pragmas wait for a lock too.
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	// The writer keeps its temporary files in memory: a statement that
	// adds many counts journals the pages it changes, in case it fails
	// halfway, and writing that journal to a file was half of a merge's
	// time. Readers, whose sorts may be large, keep theirs on disk.
	q.Add("_pragma", "temp_store(MEMORY)")
	// The checkpointer copies the WAL beside the writer (checkpoint.go).
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", cmp.Or(opts.autoCheckpoint, autoCheckpoint)))
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	write, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
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
	s := &Store{write: write, read: read, path: path, series: map[seriesKey]int64{}, probeAfter: probeAfter, partTime: mergePartTime,
		mergeNow: make(chan struct{}, 1), stopMerge: make(chan struct{}), merged: make(chan struct{}), checkpointed: make(chan struct{}),
		ckpt: checkpoints{log: cmp.Or(opts.Logger, slog.New(slog.DiscardHandler)), now: make(chan chan checkpointResult), stuckAfter: walStuckAfter, restartWait: restartWait,
			every: cmp.Or(opts.checkpointEvery, checkpointEvery), autoCheckpoint: cmp.Or(opts.autoCheckpoint, autoCheckpoint)}}
	if err := s.migrate(context.Background()); err != nil {
		s.write.Close()
		s.read.Close()
		return nil, err
	}
	if s.tokenByHash, err = read.Prepare(`SELECT ` + store.TokenColumns + ` FROM tokens WHERE hash = ? AND revoked_at IS NULL`); err != nil {
		s.write.Close()
		s.read.Close()
		return nil, fmt.Errorf("prepare token lookup in %s: %w", path, err)
	}
	var pending int64
	if err := s.write.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM pending`).Scan(&pending); err != nil {
		s.tokenByHash.Close()
		s.write.Close()
		s.read.Close()
		return nil, fmt.Errorf("count pending counts in %s: %w", path, err)
	}
	s.pending.Store(pending)
	if opts.Registerer != nil {
		if err := s.registerCheckpoints(opts.Registerer); err != nil {
			s.tokenByHash.Close()
			s.write.Close()
			s.read.Close()
			return nil, fmt.Errorf("register the metrics of %s: %w", path, err)
		}
	}
	s.batch = store.NewBatcher(func(ctx context.Context, batches []*store.Batch) error { return s.wrote(s.commit(ctx, batches)) })
	go s.merger()
	go s.checkpointer()
	return s, nil
}

// Close stops the writer, merges the pending counts, so a reader of the
// database finds them all in the table, and closes the database.
func (s *Store) Close() error {
	close(s.stopMerge)
	<-s.merged
	<-s.checkpointed
	s.batch.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := errors.Join(s.merge(ctx), s.tokenByHash.Close(), s.write.Close(), s.read.Close())
	if s.lock != nil {
		s.lock.Close() // releases the flock
	}
	return err
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

// Ping checks that the database answers, that WAL checkpoints have not
// failed for walStuckAfter (walBounded) and, after a write failed for
// want of space, that a write has succeeded since (see writable).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	if err := s.walBounded(); err != nil {
		return err
	}
	if s.mergeFailed.Load() {
		return s.merge(ctx)
	}
	return s.writable(ctx)
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
	// Tokens keep the SHA-256 of their secret, never the secret. Times are
	// Unix milliseconds; NULL is never.
	`CREATE TABLE tokens (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT NOT NULL,
		role       TEXT NOT NULL,
		hash       TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL,
		created_by TEXT NOT NULL,
		expires_at INTEGER,
		last_used  INTEGER,
		revoked_at INTEGER,
		revoked_by TEXT NOT NULL DEFAULT ''
	);
	CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;
	CREATE TABLE audit (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		at            INTEGER NOT NULL,
		last_at       INTEGER NOT NULL,
		who           TEXT NOT NULL,
		via           TEXT NOT NULL,
		role          TEXT NOT NULL,
		method        TEXT NOT NULL,
		route         TEXT NOT NULL,
		object        TEXT NOT NULL,
		service       TEXT NOT NULL,
		summary       TEXT NOT NULL,
		status        INTEGER NOT NULL,
		remote        TEXT NOT NULL,
		forwarded_for TEXT NOT NULL,
		requests      INTEGER NOT NULL,
		fold_key      TEXT UNIQUE
	);
	CREATE INDEX audit_service ON audit (service, id);
	CREATE INDEX audit_last_at ON audit (last_at);`,
	`CREATE TABLE source_states (
		slo  TEXT PRIMARY KEY,
		body TEXT NOT NULL
	);`,
	// Counts are keyed by an integer series id, not by three strings: a
	// key of two integers compares in one step and a row takes a third of
	// the space. A commit of counts appends them to pending, one row per
	// commit, and a merge folds many commits into the counts table at once
	// (see pending.go): a backlog spread over many minutes then costs one
	// pass over the table's pages per merge, not one page per count.
	`CREATE TABLE series (
		id   INTEGER PRIMARY KEY,
		slo  TEXT NOT NULL,
		grp  TEXT NOT NULL,
		kind TEXT NOT NULL,
		UNIQUE (slo, grp, kind)
	);
	INSERT INTO series (slo, grp, kind) SELECT DISTINCT slo, grp, kind FROM counts ORDER BY slo, grp, kind;
	CREATE TABLE series_counts (
		series INTEGER NOT NULL,
		minute INTEGER NOT NULL,
		good   REAL NOT NULL,
		total  REAL NOT NULL,
		PRIMARY KEY (series, minute)
	) WITHOUT ROWID;
	INSERT INTO series_counts (series, minute, good, total)
		SELECT s.id, c.minute, c.good, c.total FROM counts c JOIN series s ON s.slo = c.slo AND s.grp = c.grp AND s.kind = c.kind
		ORDER BY s.id, c.minute;
	DROP TABLE counts;
	ALTER TABLE series_counts RENAME TO counts;
	CREATE INDEX counts_minute ON counts (minute);
	CREATE TABLE pending (
		seq  INTEGER PRIMARY KEY,
		n    INTEGER NOT NULL,
		body BLOB NOT NULL
	);`,
	// Receipts of batches pushed with an Idempotency-Key, stored with the
	// batch's counts; at is Unix milliseconds.
	`CREATE TABLE receipts (
		key      TEXT PRIMARY KEY,
		digest   TEXT NOT NULL,
		accepted INTEGER NOT NULL,
		at       INTEGER NOT NULL
	);
	CREATE INDEX receipts_at ON receipts (at);`,
	// Every query of counts reads them by series, through the primary
	// key. The minute index only cost: a merge's counts are in key order,
	// so they land on neighbouring pages of the table, but at random
	// places in the index, and every part of a merge of a backlog wrote
	// most of the index's pages to the WAL again.
	`DROP INDEX counts_minute;`,
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
