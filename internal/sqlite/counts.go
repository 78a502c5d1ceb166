package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// AddCounts adds counts durably, in one transaction with whatever other
// calls are waiting.
func (s *Store) AddCounts(ctx context.Context, counts []engine.Count) error {
	if err := s.batch.Add(ctx, &store.Batch{Counts: counts}); err != nil {
		return fmt.Errorf("add %d counts: %w", len(counts), err)
	}
	return nil
}

// upsertRows is how many counts one statement adds: binding and stepping a
// statement per count cost a third of a commit of counts spread over many
// minutes. 100 rows are 400 parameters, far below SQLite's limit.
const upsertRows = 100

// upsertCounts is the statement that adds n counts. Two counts of the same
// key in one statement are added one after the other.
func upsertCounts(n int) string {
	return `INSERT INTO counts (series, minute, good, total) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ") +
		` ON CONFLICT (series, minute) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`
}

// seriesKey names a series of counts: an SLO's group's counts of a kind.
type seriesKey struct {
	slo, group string
	kind       engine.Kind
}

// seriesRow is a count keyed by its series id, as the table keeps it.
type seriesRow struct {
	series, minute int64
	good, total    float64
}

// commit stores the batches' receipts and appends the counts of those
// that are not repeats to pending in one row, adding the series that are
// new (see pending.go).
func (s *Store) commit(ctx context.Context, batches []*store.Batch) error {
	if !slices.ContainsFunc(batches, func(b *store.Batch) bool { return len(b.Counts) > 0 || b.Receipt != nil }) {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin count transaction: %w", err)
	}
	defer tx.Rollback()
	if err := addReceipts(ctx, tx, batches); err != nil {
		return err
	}
	counts := store.Fresh(batches)
	if len(counts) == 0 { // receipts only
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit receipts: %w", err)
		}
		return nil
	}
	rows := make([]seriesRow, len(counts))
	// Series this transaction creates are known to the store once it
	// commits: rolled back, their ids are gone.
	var fresh map[seriesKey]int64
	for i, c := range counts {
		k := seriesKey{c.SLO, c.Group, c.Kind}
		id, ok := s.series[k]
		if !ok {
			if id, ok = fresh[k]; !ok {
				if id, err = seriesID(ctx, tx, k); err != nil {
					return err
				}
				if fresh == nil {
					fresh = map[seriesKey]int64{}
				}
				fresh[k] = id
			}
		}
		rows[i] = seriesRow{id, c.Minute, c.Good, c.Total}
	}
	body := appendCounts(make([]byte, 0, 24*len(rows)), rows)
	if _, err := tx.ExecContext(ctx, `INSERT INTO pending (n, body) VALUES (?, ?)`, len(rows), body); err != nil {
		c := counts[0]
		return fmt.Errorf("store %d counts from %s %s at minute %d: %w", len(counts), c.SLO, c.Group, c.Minute, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit counts: %w", err)
	}
	for k, id := range fresh {
		s.series[k] = id
	}
	if s.pending.Add(int64(len(rows))) >= mergeAt {
		select {
		case s.mergeNow <- struct{}{}:
		default: // a merge is asked for already
		}
	}
	return nil
}

// seriesID returns the id of a series, adding it if it is new.
func seriesID(ctx context.Context, tx *sql.Tx, k seriesKey) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO series (slo, grp, kind) VALUES (?, ?, ?)
		ON CONFLICT (slo, grp, kind) DO UPDATE SET slo = excluded.slo RETURNING id`, k.slo, k.group, string(k.kind)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add series %s %s %s: %w", k.slo, k.group, k.kind, err)
	}
	return id, nil
}

// Compact folds the minute counts before minute before into one count per
// hour (at the hour's first minute), keeping every hour's sum: the engine
// keeps hourly checkpoints beyond three days anyway, and sixty times fewer
// rows make restarts faster. It folds series by series, each through its
// own keys, in transactions that hold the writer for about a merge part's
// time (eachSeries): one statement over the whole table held every commit
// for as long as it ran, and took over 100 MiB of SQLite's memory when
// a server restarted an hour after its last counts.
func (s *Store) Compact(ctx context.Context, before int64) error {
	before -= ((before % 60) + 60) % 60 // whole hours only
	if err := s.merge(ctx); err != nil {
		return err
	}
	err := s.eachSeries(ctx, func(tx *sql.Tx, series int64) error {
		if _, err := tx.ExecContext(ctx, compactFold, series, before); err != nil {
			return fmt.Errorf("fold minutes of series %d before %d into hours: %w", series, before, err)
		}
		if _, err := tx.ExecContext(ctx, compactDelete, series, before); err != nil {
			return fmt.Errorf("delete folded minutes of series %d before %d: %w", series, before, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compact counts before minute %d: %w", before, err)
	}
	return nil
}

// eachSeries calls fn with each series id, in transactions of the writer
// that end when goOn says, so commits waiting for the writer go between
// them. Each call's changes are committed whole.
func (s *Store) eachSeries(ctx context.Context, fn func(tx *sql.Tx, series int64) error) error {
	var ids []int64
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM series ORDER BY id`)
	if err != nil {
		return fmt.Errorf("list series: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("list series: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list series: %w", err)
	}
	for len(ids) > 0 {
		err := func() error {
			tx, err := s.write.BeginTx(ctx, nil)
			if err != nil {
				return fmt.Errorf("begin: %w", err)
			}
			defer tx.Rollback()
			start := time.Now()
			for done := 0; len(ids) > 0 && (done == 0 || s.goOn(start)); done++ {
				if err := fn(tx, ids[0]); err != nil {
					return err
				}
				ids = ids[1:]
			}
			return tx.Commit()
		}()
		if err = s.wrote(err); err != nil {
			return err
		}
		if len(ids) > 0 && s.afterPart != nil {
			s.afterPart()
		}
	}
	return nil
}

// Prune deletes counts older than minute before, series by series as
// Compact folds them, and notifications as old that every channel has
// delivered (the alert history reaches as far back as the counts).
func (s *Store) Prune(ctx context.Context, before int64) error {
	if err := s.merge(ctx); err != nil {
		return err
	}
	err := s.eachSeries(ctx, func(tx *sql.Tx, series int64) error {
		_, err := tx.ExecContext(ctx, pruneSeries, series, before)
		return err
	})
	if err != nil {
		return fmt.Errorf("prune counts before minute %d: %w", before, err)
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM notifications WHERE at < ?
		AND id <= COALESCE((SELECT MIN(last_id) FROM cursors), (SELECT MAX(id) FROM notifications))`, before*60_000); err != nil {
		return fmt.Errorf("prune notifications before minute %d: %w", before, err)
	}
	return nil
}

// LastMinutes returns, per SLO, the newest minute holding measured events.
func (s *Store) LastMinutes(ctx context.Context) (map[string]int64, error) {
	if err := s.merge(ctx); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, lastMinutes)
	if err != nil {
		return nil, fmt.Errorf("read last minutes: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var m int64
		if err := rows.Scan(&id, &m); err != nil {
			return nil, fmt.Errorf("read last minute: %w", err)
		}
		out[id] = m
	}
	return out, rows.Err()
}

// HourlyCounts returns, per SLO and hour (Unix hours), the counts of one
// kind from minute from (inclusive) to minute to (exclusive). Events add up
// over groups; slices are read from the SLO-wide group when there is one.
func (s *Store) HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error) {
	if err := s.merge(ctx); err != nil {
		return nil, err
	}
	q := hourlyCounts
	if kind == engine.KindSlices {
		q = hourlySlices
	}
	rows, err := s.read.QueryContext(ctx, q, string(kind), from, to)
	if err != nil {
		return nil, fmt.Errorf("read hourly %s from minute %d to %d: %w", kind, from, to, err)
	}
	defer rows.Close()
	out := map[string]map[int64]engine.Counts{}
	for rows.Next() {
		var id string
		var hour int64
		var c engine.Counts
		if err := rows.Scan(&id, &hour, &c.Good, &c.Total); err != nil {
			return nil, fmt.Errorf("read hourly count: %w", err)
		}
		if out[id] == nil {
			out[id] = map[int64]engine.Counts{}
		}
		out[id][hour] = c
	}
	return out, rows.Err()
}

// GroupCounts returns, per group of one SLO, the counts of one kind from
// minute from (inclusive) to minute to (exclusive), leaving out the
// SLO-wide group, so a report can judge a grouped SLO by its worst group
// as the policy does.
func (s *Store) GroupCounts(ctx context.Context, kind engine.Kind, slo string, from, to int64) (map[string]engine.Counts, error) {
	if err := s.merge(ctx); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, groupCounts, slo, string(kind), from, to)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s per group from minute %d to %d: %w", kind, slo, from, to, err)
	}
	defer rows.Close()
	out := map[string]engine.Counts{}
	for rows.Next() {
		var grp string
		var c engine.Counts
		if err := rows.Scan(&grp, &c.Good, &c.Total); err != nil {
			return nil, fmt.Errorf("read a group's counts of %s: %w", slo, err)
		}
		out[grp] = c
	}
	return out, rows.Err()
}

// The statements that read, fold and delete counts. Each reads the counts
// table by series, through its primary key (series, minute): the table
// has no other index, since a merge would have to write it at random
// (see migrations). TestCountQueriesReadBySeries checks their plans.
const (
	compactFold = `INSERT INTO counts (series, minute, good, total)
		SELECT series, minute - (minute % 60), SUM(good), SUM(total) FROM counts
		WHERE series = ? AND minute < ? AND minute % 60 != 0 GROUP BY minute - (minute % 60)
		ON CONFLICT (series, minute) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`
	compactDelete = `DELETE FROM counts WHERE series = ? AND minute < ? AND minute % 60 != 0`
	pruneSeries   = `DELETE FROM counts WHERE series = ? AND minute < ?`
	// lastMinutes asks each series for its newest minute, which SQLite
	// finds with one seek to the end of the series' keys; MAX over a join
	// read every count of every series.
	lastMinutes = `SELECT s.slo, MAX((SELECT MAX(c.minute) FROM counts c WHERE c.series = s.id)) AS last
		FROM series s WHERE s.kind = 'events' GROUP BY s.slo HAVING last IS NOT NULL`
	hourlyCounts = `SELECT s.slo, c.minute / 60, SUM(c.good), SUM(c.total) FROM series s JOIN counts c ON c.series = s.id
		WHERE s.kind = ? AND c.minute >= ? AND c.minute < ? GROUP BY s.slo, c.minute / 60`
	hourlySlices = `SELECT s.slo, c.minute / 60, SUM(c.good), SUM(c.total) FROM series s JOIN counts c ON c.series = s.id
		WHERE s.kind = ? AND c.minute >= ? AND c.minute < ?
		AND (s.grp = '*' OR NOT EXISTS (SELECT 1 FROM series s2 JOIN counts c2 ON c2.series = s2.id
			WHERE s2.slo = s.slo AND s2.grp = '*' AND s2.kind = s.kind))
		GROUP BY s.slo, c.minute / 60`
	groupCounts = `SELECT s.grp, SUM(c.good), SUM(c.total) FROM series s JOIN counts c ON c.series = s.id
		WHERE s.slo = ? AND s.kind = ? AND c.minute >= ? AND c.minute < ? AND s.grp != '*' GROUP BY s.grp`
)
