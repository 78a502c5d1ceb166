package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// AddCounts adds counts durably, in one transaction with whatever other
// calls are waiting.
func (s *Store) AddCounts(ctx context.Context, counts []engine.Count) error {
	if err := s.batch.Add(ctx, counts); err != nil {
		return fmt.Errorf("add %d counts: %w", len(counts), err)
	}
	return nil
}

// upsertRows is how many counts one statement adds: binding and stepping a
// statement per count cost a third of a commit of counts spread over many
// minutes. 100 rows are 600 parameters, far below SQLite's limit.
const upsertRows = 100

// upsertCounts is the statement that adds n counts. Two counts of the same
// key in one statement are added one after the other.
func upsertCounts(n int) string {
	return `INSERT INTO counts (slo, grp, kind, minute, good, total) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ") +
		` ON CONFLICT (slo, grp, kind, minute) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`
}

func (s *Store) commit(ctx context.Context, counts []engine.Count) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin count transaction: %w", err)
	}
	defer tx.Rollback()
	// In key order, each statement's rows land next to each other in the
	// table and its pages are found in the cache. The batcher's slice is
	// this commit's own to sort.
	slices.SortFunc(counts, store.CompareCounts)
	var full *sql.Stmt
	args := make([]any, 0, 6*upsertRows)
	for len(counts) > 0 {
		n := min(len(counts), upsertRows)
		args = args[:0]
		for _, c := range counts[:n] {
			args = append(args, c.SLO, c.Group, string(c.Kind), c.Minute, c.Good, c.Total)
		}
		if n < upsertRows {
			_, err = tx.ExecContext(ctx, upsertCounts(n), args...)
		} else {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, upsertCounts(upsertRows)); err != nil {
					return fmt.Errorf("prepare count upsert: %w", err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			c := counts[0]
			return fmt.Errorf("store %d counts from %s %s at minute %d: %w", n, c.SLO, c.Group, c.Minute, err)
		}
		counts = counts[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit counts: %w", err)
	}
	return nil
}

// LoadCounts calls fn with every count from minute since on, each SLO
// group's oldest first. It reads the table in key order, from start to
// end: through the minute index it would look up every row at random,
// ten times slower.
func (s *Store) LoadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error {
	rows, err := s.read.QueryContext(ctx,
		`SELECT slo, grp, kind, minute, good, total FROM counts NOT INDEXED WHERE minute >= ? ORDER BY slo, grp, kind, minute`, since)
	if err != nil {
		return fmt.Errorf("load counts since minute %d: %w", since, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c engine.Count
		var kind string
		if err := rows.Scan(&c.SLO, &c.Group, &kind, &c.Minute, &c.Good, &c.Total); err != nil {
			return fmt.Errorf("read count: %w", err)
		}
		c.Kind = engine.Kind(kind)
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Compact folds the minute counts before minute before into one count per
// hour (at the hour's first minute), keeping every hour's sum: the engine
// keeps hourly checkpoints beyond three days anyway, and sixty times fewer
// rows make restarts faster.
func (s *Store) Compact(ctx context.Context, before int64) error {
	before -= ((before % 60) + 60) % 60 // whole hours only
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin compaction: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO counts (slo, grp, kind, minute, good, total)
		SELECT slo, grp, kind, minute - (minute % 60), SUM(good), SUM(total) FROM counts
		WHERE minute < ? AND minute % 60 != 0 GROUP BY slo, grp, kind, minute - (minute % 60)
		ON CONFLICT (slo, grp, kind, minute) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`, before); err != nil {
		return fmt.Errorf("fold minutes before %d into hours: %w", before, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM counts WHERE minute < ? AND minute % 60 != 0`, before); err != nil {
		return fmt.Errorf("delete folded minutes before %d: %w", before, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit compaction before %d: %w", before, err)
	}
	return nil
}

// Prune deletes counts older than minute before, and notifications as old
// that every channel has delivered (the alert history reaches as far back
// as the counts).
func (s *Store) Prune(ctx context.Context, before int64) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM counts WHERE minute < ?`, before); err != nil {
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
	rows, err := s.read.QueryContext(ctx, `SELECT slo, MAX(minute) FROM counts WHERE kind = 'events' GROUP BY slo`)
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
	q := `SELECT slo, minute / 60, SUM(good), SUM(total) FROM counts
		WHERE kind = ? AND minute >= ? AND minute < ? GROUP BY slo, minute / 60`
	if kind == engine.KindSlices {
		q = `SELECT slo, minute / 60, SUM(good), SUM(total) FROM counts
			WHERE kind = ? AND minute >= ? AND minute < ?
			AND (grp = '*' OR NOT EXISTS (SELECT 1 FROM counts c2 WHERE c2.slo = counts.slo AND c2.grp = '*' AND c2.kind = counts.kind))
			GROUP BY slo, minute / 60`
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
	rows, err := s.read.QueryContext(ctx, `SELECT grp, SUM(good), SUM(total) FROM counts
		WHERE slo = ? AND kind = ? AND minute >= ? AND minute < ? AND grp != '*' GROUP BY grp`, slo, string(kind), from, to)
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
