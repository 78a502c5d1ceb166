package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// ChangeRetention is how long the change feed keeps a count for the other
// replicas to pull. A replica that has not pulled for longer loads its
// counts again (store.ErrChangesLost).
const ChangeRetention = 10 * time.Minute

// newSince is the SQL condition "committed after snapshot $1": the
// transaction id is not visible in the snapshot, so it is the snapshot's
// xmax or later, or among the transactions in progress when it was taken
// (its xip). Both halves are found through the txid index, so a pull
// reads the rows committed since the last one and no other. (The earlier
// "txid at least the snapshot's xmin, and not visible" read every row
// written since the oldest transaction then open: while one stayed open,
// a long statement or a replica restoring, every pull read again every
// alert, policy state and count written since it began.)
const newSince = `(txid >= pg_snapshot_xmax($1::pg_snapshot) OR txid = ANY (ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot))))`

// PullChanges returns what other replicas committed since the last
// LoadCounts or PullChanges, read in one snapshot that the next pull
// starts from. Its first call without a LoadCounts before starts the feed
// and returns nothing.
func (s *Store) PullChanges(ctx context.Context) (store.Changes, error) {
	s.mu.Lock()
	since := s.snapshot
	s.mu.Unlock()
	var ch store.Changes
	var snap string
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if s.pulling != nil {
			if err := s.pulling(tx); err != nil {
				return err
			}
		}
		// The planner cannot tell how few rows a range of xid8 holds (it
		// took all 1,000 of a table for new), and would scan whole tables
		// for newSince: this transaction uses the txid indexes instead.
		if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text, set_config('enable_seqscan', 'off', true)`).Scan(&snap, nil); err != nil {
			return fmt.Errorf("take a snapshot: %w", err)
		}
		if since == "" {
			return nil
		}
		var lost bool
		if err := tx.QueryRow(ctx, `SELECT pruned >= pg_snapshot_xmin($1::pg_snapshot)::text::bigint FROM feed_horizon`, since).Scan(&lost); err != nil {
			return fmt.Errorf("read the feed's horizon: %w", err)
		}
		if lost {
			return store.ErrChangesLost
		}
		rows, err := tx.Query(ctx, `SELECT slo, grp, kind, minute, good, total FROM count_changes WHERE `+newSince+` AND origin <> $2`, since, s.origin)
		if err != nil {
			return fmt.Errorf("read count changes: %w", err)
		}
		var c engine.Count
		var kind string
		if _, err := pgx.ForEachRow(rows, []any{&c.SLO, &c.Group, &kind, &c.Minute, &c.Good, &c.Total}, func() error {
			c.Kind = engine.Kind(kind)
			ch.Counts = append(ch.Counts, c)
			return nil
		}); err != nil {
			return fmt.Errorf("read count changes: %w", err)
		}
		alerts, err := tx.Query(ctx, `SELECT body FROM alerts WHERE `+newSince+` AND origin <> $2`, since, s.origin)
		if err != nil {
			return fmt.Errorf("read alert changes: %w", err)
		}
		if ch.Alerts, err = store.Collect(alerts, store.ScanBody[engine.Alert]); err != nil {
			return fmt.Errorf("read alert changes: %w", err)
		}
		policies, err := tx.Query(ctx, `SELECT body FROM policy_states WHERE `+newSince+` AND origin <> $2`, since, s.origin)
		if err != nil {
			return fmt.Errorf("read policy state changes: %w", err)
		}
		if ch.Policies, err = store.Collect(policies, store.ScanBody[engine.PolicyRecord]); err != nil {
			return fmt.Errorf("read policy state changes: %w", err)
		}
		ch.States = len(ch.Alerts)+len(ch.Policies) > 0
		if err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM annotations WHERE `+newSince+` AND origin <> $2),
			EXISTS (SELECT 1 FROM source_states WHERE `+newSince+` AND origin <> $2)`,
			since, s.origin).Scan(&ch.Annotations, &ch.Sources); err != nil {
			return err
		}
		if s.pulling != nil {
			return s.pulling(tx)
		}
		return nil
	})
	if err != nil {
		return store.Changes{}, fmt.Errorf("pull changes: %w", err)
	}
	s.mu.Lock()
	s.snapshot = snap
	prune := s.epoch != 0 && time.Since(s.lastPruned) > time.Minute
	if prune {
		s.lastPruned = time.Now()
	}
	s.mu.Unlock()
	if prune {
		if err := s.pruneFeed(ctx); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

// pruneFeed deletes changes older than ChangeRetention and records the
// newest transaction it deleted, so a replica that had not read them
// learns that it must reload.
func (s *Store) pruneFeed(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `WITH gone AS (
			DELETE FROM count_changes WHERE at < now() - make_interval(secs => $1) RETURNING txid)
		UPDATE feed_horizon SET pruned = GREATEST(pruned, (SELECT COALESCE(MAX(txid::text::bigint), 0) FROM gone))`,
		ChangeRetention.Seconds()); err != nil {
		return fmt.Errorf("prune the change feed: %w", err)
	}
	return nil
}
