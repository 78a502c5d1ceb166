package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/slo"
)

// checkpointEvery is how often the checkpointer copies what the WAL holds
// into the database file.
const checkpointEvery = time.Second

// autoCheckpoint is how many pages the WAL holds before the writer's
// commit checkpoints it (16 MiB; SQLite's default is 1,000 pages).
const autoCheckpoint = 4096

// walSizeLimit is the size, in bytes, the writer cuts the WAL file back
// to when it starts the WAL again from its beginning: a WAL that grew
// while checkpoints failed gives its space back once they succeed.
const walSizeLimit = 4 * autoCheckpoint * 4096

// restartFrames is how many pages the WAL may hold before the
// checkpointer empties it (see checkpoint): twice what the writer's own
// checkpoint lets it hold (autoCheckpoint), which it holds only when
// readers keep SQLite from starting it again. Below that the checkpointer
// leaves it to the writer: emptying it holds the writer, and doing so at
// every tick past a quarter of autoCheckpoint tripled the p99 of a dense
// backlog's batches (2.5 s against 0.86 s at load 18), where no reader
// was in the way.
func (c *checkpoints) restartFrames() int64 { return 2 * int64(c.autoCheckpoint) }

// restartWait bounds how long emptying the WAL waits for readers and for
// the writer's transaction under way: it holds the writer meanwhile, so
// commits wait too. Each time in a row the readers outlast it, the next
// attempt waits twice as long, restartDoublings times at most (800 ms):
// a WAL that cannot be emptied grows until the disk is full, which is
// worse than commits that wait most of a second now and then. Readers
// that outlast even that (a long read, as accord replay's) are not waited
// for every second: the attempts after the third in a row skip 1, 3, 7,
// 15, then 31 ticks.
const (
	restartWait      = 200 * time.Millisecond
	restartDoublings = 2
)

// walStuckAfter is how long checkpoints may fail, one after another,
// before Ping reports the store unavailable: by then nothing bounds the
// WAL (the writer's own checkpoint meets the same failure), and it grows
// with every write until the disk is full.
const walStuckAfter = time.Minute

// checkpointLogEvery is how often a checkpoint that keeps failing is
// logged again.
const checkpointLogEvery = time.Minute

// checkpoints is what the checkpointer knows of its work, for metrics,
// logs and Ping.
type checkpoints struct {
	log *slog.Logger
	// now asks the checkpointer for a checkpoint at once and receives its
	// result on the channel sent: tests use it instead of waiting for a
	// tick.
	now chan chan checkpointResult
	// every, stuckAfter, restartWait and autoCheckpoint are
	// checkpointEvery, walStuckAfter, restartWait and autoCheckpoint,
	// changed by tests.
	every, stuckAfter, restartWait time.Duration
	autoCheckpoint                 int

	failures    atomic.Int64
	lastSuccess atomic.Int64 // Unix nanoseconds; 0 before the first
	mu          sync.Mutex
	failingAt   time.Time // when the current run of failures began; zero when the last one succeeded
	lastErr     error
	// loggedAt is when a failure was last logged, busyRuns how many times
	// in a row emptying the WAL met readers that outlasted its wait, skip
	// how many ticks to leave it alone now; the checkpointer's goroutine
	// alone uses them.
	loggedAt time.Time
	busyRuns int
	skip     int
}

// checkpointResult is what one checkpoint did: frames are the pages the
// WAL holds since it last started from its beginning, copied those of
// them now in the database file.
type checkpointResult struct {
	frames, copied int64
	busy           bool // it could not finish for readers or the writer
	emptying       bool // it tried to empty the WAL
	err            error
}

// checkpointer checkpoints the WAL every checkpointEvery until the store
// closes. SQLite's automatic checkpoint runs in the commit that finds the
// WAL past its limit, and copying the pages into the database and syncing
// it held that commit, and every commit waiting behind it, for a tenth of
// a second to half a second under a backlog. A passive checkpoint on a
// connection of its own copies them beside the writer and waits for no
// one. The writer keeps an automatic checkpoint, at a higher limit
// (autoCheckpoint), which then copies only the last pages: SQLite starts
// the WAL again from its beginning only when a write begins with every
// page of it copied, which a checkpoint beside a busy writer never sees,
// and without one the WAL grew by gigabytes under a backlog. Past
// restartFrames the checkpointer empties the WAL itself (checkpoint).
//
// Failures are counted, logged and kept for Ping (noteCheckpoint): the
// pages stay in the WAL, where readers find them, and the next tick tries
// again.
func (s *Store) checkpointer() {
	defer close(s.checkpointed)
	tick := time.NewTicker(s.ckpt.every)
	defer tick.Stop()
	for {
		var reply chan checkpointResult
		select {
		case <-s.stopMerge:
			return
		case <-tick.C:
		case reply = <-s.ckpt.now:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res := s.checkpoint(ctx)
		cancel()
		s.noteCheckpoint(res.err)
		if reply != nil {
			reply <- res
		}
	}
}

// checkpoint copies the WAL into the database beside the writer and,
// once the WAL holds restartFrames, starts it again from its beginning.
//
// The writer starts the WAL again itself only when a write begins with
// every page copied and no reader still reading pages of the WAL, and a
// reader that began before the last copy ended still reads them. Readers
// that follow one another without a pause (a steady reader) nearly always
// leave one such: with passive checkpoints alone the WAL grew past the
// writer's autoCheckpoint, to twice it in a test, and would have gone on.
// A TRUNCATE checkpoint waits for those readers to end (readers that
// begin meanwhile read the database file only), then empties the WAL. It
// holds the writer while it waits, so it waits only for a WAL this large
// and at most restartWait, or longer after readers outlasted it (see
// restartDoublings); when they do, it reports busy and a later tick tries
// again.
func (s *Store) checkpoint(ctx context.Context) checkpointResult {
	res := s.checkpointAs(ctx, s.read, "PASSIVE")
	if res.err != nil || res.frames < s.ckpt.restartFrames() {
		return res
	}
	if s.ckpt.skip > 0 {
		s.ckpt.skip--
		return res
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		res.err = fmt.Errorf("checkpoint the WAL of %s: %w", s.path, err)
		return res
	}
	defer conn.Close()
	wait := s.ckpt.restartWait << min(s.ckpt.busyRuns, restartDoublings)
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", wait.Milliseconds())); err != nil {
		res.err = fmt.Errorf("checkpoint the WAL of %s: %w", s.path, err)
		return res
	}
	res = s.checkpointAs(ctx, conn, "TRUNCATE")
	res.emptying = true
	if res.busy {
		if s.ckpt.busyRuns++; s.ckpt.busyRuns > 3 {
			s.ckpt.skip = 1<<min(s.ckpt.busyRuns-3, 5) - 1
		}
	} else {
		s.ckpt.busyRuns = 0
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds())); err != nil {
		// A connection left with the short timeout would let other
		// reads fail early: drop it from the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return res
}

// checkpointAs runs a checkpoint of mode (PASSIVE, TRUNCATE) on q.
func (s *Store) checkpointAs(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, mode string) checkpointResult {
	var res checkpointResult
	if err := q.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&res.busy, &res.frames, &res.copied); err != nil {
		res.err = fmt.Errorf("checkpoint (%s) the WAL of %s: %w", mode, s.path, err)
	}
	return res
}

// noteCheckpoint counts and logs a failed checkpoint, once a minute while
// they go on failing, and logs the first success after failures.
func (s *Store) noteCheckpoint(err error) {
	c := &s.ckpt
	now := time.Now()
	c.mu.Lock()
	failingAt := c.failingAt
	if err == nil {
		c.failingAt, c.lastErr = time.Time{}, nil
	} else {
		if failingAt.IsZero() {
			c.failingAt = now
		}
		c.lastErr = err
	}
	c.mu.Unlock()
	if err == nil {
		c.lastSuccess.Store(now.UnixNano())
		if !failingAt.IsZero() {
			c.log.Info("the SQLite WAL is checkpointed again", "db", s.path, "failed_for", now.Sub(failingAt).Round(time.Second))
			c.loggedAt = time.Time{}
		}
		return
	}
	n := c.failures.Add(1)
	if now.Sub(c.loggedAt) < checkpointLogEvery {
		return
	}
	c.loggedAt = now
	attrs := []any{"db", s.path, "wal_bytes", s.walBytes(), "failures", n, "err", err}
	if !failingAt.IsZero() {
		attrs = append(attrs, "failing_for", now.Sub(failingAt).Round(time.Second))
	}
	c.log.Warn("SQLite WAL checkpoint failed: the WAL keeps every write until one succeeds, and grows", attrs...)
}

// walBytes is the size of the WAL file; 0 when there is none.
func (s *Store) walBytes() int64 {
	fi, err := os.Stat(s.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// walBounded fails with an unavailable error once checkpoints have failed
// for ckpt.stuckAfter without a success between them.
func (s *Store) walBounded() error {
	c := &s.ckpt
	c.mu.Lock()
	failingAt, lastErr := c.failingAt, c.lastErr
	c.mu.Unlock()
	if failingAt.IsZero() {
		return nil
	}
	if since := time.Since(failingAt); since >= c.stuckAfter {
		return &slo.Error{Code: slo.CodeUnavailable, Err: lastErr, Message: fmt.Sprintf(
			"the database's WAL has not been checkpointed for %s (it holds %d bytes and grows with every write until the disk is full): %v",
			since.Round(time.Second), s.walBytes(), lastErr)}
	}
	return nil
}

// registerCheckpoints exports the checkpointer's work as metrics.
func (s *Store) registerCheckpoints(reg prometheus.Registerer) error {
	c := &s.ckpt
	return errors.Join(
		reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accord_sqlite_checkpoint_failures_total",
			Help: "WAL checkpoints of the SQLite database that failed; while they fail the WAL grows with every write."},
			func() float64 { return float64(c.failures.Load()) })),
		reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_sqlite_checkpoint_last_success_timestamp_seconds",
			Help: "When a WAL checkpoint of the SQLite database last succeeded (Unix seconds; 0 before the first)."},
			func() float64 { return float64(c.lastSuccess.Load()) / 1e9 })),
		reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_sqlite_wal_bytes",
			Help: "Size of the SQLite database's WAL file, in bytes."},
			func() float64 { return float64(s.walBytes()) })))
}
