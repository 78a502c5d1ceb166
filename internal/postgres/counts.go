package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// sliceTimeout bounds storing judged slices, as store.Batcher bounds a
// group commit: only a database that does not answer reaches it.
const sliceTimeout = time.Minute

// AddSlices adds the slices the leader judged in one transaction that
// first checks the lease (fence): a replica whose lease lapsed while it
// judged stores none, and the replica that took the lease over waits for
// a write under way before it pulls and judges. Once under way the write
// is not cut short by ctx, and a COMMIT whose answer was lost is settled
// (see settle), so an error means nothing was stored: the engine judges
// the slices again, and a write that had committed would count twice.
func (s *Store) AddSlices(ctx context.Context, judged []engine.Count) error {
	counts := merge(judged)
	c := toColumns(counts)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sliceTimeout)
	defer cancel()
	var err error
	for try := 0; try < 3; try++ {
		err = s.storeSlices(ctx, c)
		if !retryable(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("write %d judged slices to PostgreSQL: %w", len(counts), err)
	}
	return nil
}

// storeSlices is one try of AddSlices.
func (s *Store) storeSlices(ctx context.Context, c columns) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // nothing to undo once committed
	if _, err := s.fence(ctx, tx); err != nil {
		return err
	}
	if err := upsert(ctx, tx, c, s.origin); err != nil {
		return err
	}
	var xid string
	if err := tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text`).Scan(&xid); err != nil {
		return fmt.Errorf("read the transaction id: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.settle(ctx, xid, err)
	}
	return nil
}

type countKey struct {
	slo, grp string
	kind     engine.Kind
	minute   int64
}

// merge adds up counts of the same key and sorts them, so one statement
// touches each row once and every replica locks rows in the same order
// (no deadlocks between replicas).
func merge(counts []engine.Count) []engine.Count {
	at := map[countKey]int{}
	out := make([]engine.Count, 0, len(counts))
	for _, c := range counts {
		k := countKey{c.SLO, c.Group, c.Kind, c.Minute}
		if i, ok := at[k]; ok {
			out[i].Good += c.Good
			out[i].Total += c.Total
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	slices.SortFunc(out, store.CompareCounts)
	return out
}

// columns are counts as the arrays unnest takes.
type columns struct {
	slo, grp, kind []string
	minute         []int64
	good, total    []float64
}

func toColumns(counts []engine.Count) columns {
	c := columns{}
	for _, x := range counts {
		c.slo = append(c.slo, x.SLO)
		c.grp = append(c.grp, x.Group)
		c.kind = append(c.kind, string(x.Kind))
		c.minute = append(c.minute, x.Minute)
		c.good = append(c.good, x.Good)
		c.total = append(c.total, x.Total)
	}
	return c
}

const upsertCounts = `INSERT INTO counts (slo, grp, kind, minute, good, total)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[])
	ORDER BY 1, 2, 3, 4
	ON CONFLICT (slo, grp, kind, minute) DO UPDATE SET good = counts.good + excluded.good, total = counts.total + excluded.total`

const logChanges = `INSERT INTO count_changes (origin, slo, grp, kind, minute, good, total)
	SELECT $7, * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[])`

// commitCounts stores the batches' receipts, and the counts of those that
// are not repeats with their change records, in one transaction, retrying
// a deadlock or serialization failure.
func (s *Store) commitCounts(ctx context.Context, batches []*store.Batch) error {
	if !slices.ContainsFunc(batches, func(b *store.Batch) bool { return len(b.Counts) > 0 || b.Receipt != nil }) {
		return nil
	}
	var err error
	for try := 0; try < 3; try++ {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if err := addReceipts(ctx, tx, batches); err != nil {
				return err
			}
			counts := merge(store.Fresh(batches))
			if len(counts) == 0 {
				return nil
			}
			return upsert(ctx, tx, toColumns(counts), s.origin)
		})
		if !retryable(err) {
			break
		}
	}
	return err
}

// upsert adds counts within tx, with the change records other replicas
// pull.
func upsert(ctx context.Context, tx pgx.Tx, c columns, origin string) error {
	if _, err := tx.Exec(ctx, upsertCounts, c.slo, c.grp, c.kind, c.minute, c.good, c.total); err != nil {
		return fmt.Errorf("store %d counts: %w", len(c.slo), err)
	}
	if _, err := tx.Exec(ctx, logChanges, c.slo, c.grp, c.kind, c.minute, c.good, c.total, origin); err != nil {
		return fmt.Errorf("record %d count changes: %w", len(c.slo), err)
	}
	return nil
}

// retryable reports a deadlock or serialization failure: the transaction
// may simply be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// LoadCounts calls fn with every count from minute since on, oldest first.
// It reads in one snapshot and remembers it: PullChanges returns what
// other replicas commit after it.
func (s *Store) LoadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("load counts: %w", err)
	}
	defer tx.Rollback(ctx)
	var snap string
	if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text`).Scan(&snap); err != nil {
		return fmt.Errorf("load counts: take a snapshot: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT slo, grp, kind, minute, good, total FROM counts WHERE minute >= $1 ORDER BY minute`, since)
	if err != nil {
		return fmt.Errorf("load counts since minute %d: %w", since, err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := store.ScanCount(rows)
		if err != nil {
			return fmt.Errorf("read count: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load counts since minute %d: %w", since, err)
	}
	s.mu.Lock()
	s.snapshot = snap
	s.mu.Unlock()
	return nil
}

// LastMinutes returns, per SLO, the newest minute holding measured events.
func (s *Store) LastMinutes(ctx context.Context) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT slo, MAX(minute) FROM counts WHERE kind = 'events' GROUP BY slo`)
	if err != nil {
		return nil, fmt.Errorf("read last minutes: %w", err)
	}
	out := map[string]int64{}
	var id string
	var m int64
	_, err = pgx.ForEachRow(rows, []any{&id, &m}, func() error { out[id] = m; return nil })
	if err != nil {
		return nil, fmt.Errorf("read last minutes: %w", err)
	}
	return out, nil
}

// HourlyCounts returns, per SLO and hour (Unix hours), the counts of one
// kind from minute from (inclusive) to minute to (exclusive). Events add up
// over groups; slices are read from the SLO-wide group when there is one.
func (s *Store) HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error) {
	q := `SELECT slo, minute / 60, SUM(good), SUM(total) FROM counts
		WHERE kind = $1 AND minute >= $2 AND minute < $3 GROUP BY slo, minute / 60`
	if kind == engine.KindSlices {
		q = `SELECT slo, minute / 60, SUM(good), SUM(total) FROM counts
			WHERE kind = $1 AND minute >= $2 AND minute < $3
			AND (grp = '*' OR NOT EXISTS (SELECT 1 FROM counts c2 WHERE c2.slo = counts.slo AND c2.grp = '*' AND c2.kind = counts.kind))
			GROUP BY slo, minute / 60`
	}
	rows, err := s.pool.Query(ctx, q, string(kind), from, to)
	if err != nil {
		return nil, fmt.Errorf("read hourly %s from minute %d to %d: %w", kind, from, to, err)
	}
	out := map[string]map[int64]engine.Counts{}
	var id string
	var hour int64
	var c engine.Counts
	_, err = pgx.ForEachRow(rows, []any{&id, &hour, &c.Good, &c.Total}, func() error {
		if out[id] == nil {
			out[id] = map[int64]engine.Counts{}
		}
		out[id][hour] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read hourly %s from minute %d to %d: %w", kind, from, to, err)
	}
	return out, nil
}

// GroupCounts returns, per group of one SLO, the counts of one kind from
// minute from (inclusive) to minute to (exclusive), leaving out the
// SLO-wide group, so a report can judge a grouped SLO by its worst group
// as the policy does.
func (s *Store) GroupCounts(ctx context.Context, kind engine.Kind, slo string, from, to int64) (map[string]engine.Counts, error) {
	rows, err := s.pool.Query(ctx, `SELECT grp, SUM(good), SUM(total) FROM counts
		WHERE slo = $1 AND kind = $2 AND minute >= $3 AND minute < $4 AND grp <> '*' GROUP BY grp`, slo, string(kind), from, to)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s per group from minute %d to %d: %w", kind, slo, from, to, err)
	}
	out := map[string]engine.Counts{}
	var grp string
	var c engine.Counts
	if _, err := pgx.ForEachRow(rows, []any{&grp, &c.Good, &c.Total}, func() error {
		out[grp] = c
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read %s of %s per group: %w", kind, slo, err)
	}
	return out, nil
}
