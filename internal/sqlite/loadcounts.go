package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/accord-slo/accord/internal/engine"
)

// A restart reads every count of the longest window: 50 million rows at
// 10,000 SLOs with 30 days. Each row is read as its series' id and three
// numbers, the names coming from one read of the series table, and
// through the driver itself: database/sql's Scan, and three strings a
// row, cost more than SQLite's own step.

// loadCounts reads every series' counts from a minute on in the counts
// table's own order (series, minute): CROSS JOIN keeps SQLite to one seek
// a series and no sort.
const loadCounts = `SELECT s.id, c.minute, c.good, c.total FROM series s CROSS JOIN counts c
	ON c.series = s.id AND c.minute >= ? ORDER BY s.id, c.minute`

// LoadCounts calls fn with every count from minute since on, each
// series' oldest first, pending ones included. It reads the table and the
// pending counts in one transaction, so a merge running meanwhile counts
// nothing twice.
func (s *Store) LoadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error {
	if err := s.loadCounts(ctx, since, fn); err != nil {
		return fmt.Errorf("load counts since minute %d: %w", since, err)
	}
	return nil
}

func (s *Store) loadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take a connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin reading counts: %w", err)
	}
	defer tx.Rollback()
	pend, _, _, err := pendingSums(ctx, tx, since, math.MaxInt64, math.MaxInt64, 0)
	if err != nil {
		return err
	}
	names, err := seriesNames(ctx, tx)
	if err != nil {
		return err
	}
	// emit names r's series and hands it on: a row of a series the table
	// does not name would be a broken database, not a count to drop.
	emit := func(r seriesRow) error {
		c, ok := names[r.series]
		if !ok {
			return fmt.Errorf("counts of series %d, which the database does not name", r.series)
		}
		c.Minute, c.Counts = r.minute, engine.Counts{Good: r.good, Total: r.total}
		return fn(c)
	}
	next := 0
	// The table's rows, in the transaction tx began on this connection.
	err = conn.Raw(func(dc any) error {
		return eachRow(ctx, dc, since, func(r seriesRow) error {
			// Both are in key order: pending sums before this row go
			// first, one at this row's key adds into it.
			for ; next < len(pend) && compareRows(pend[next], r) <= 0; next++ {
				if compareRows(pend[next], r) == 0 {
					r.good, r.total = r.good+pend[next].good, r.total+pend[next].total
					continue
				}
				if err := emit(pend[next]); err != nil {
					return err
				}
			}
			return emit(r)
		})
	})
	if err != nil {
		return err
	}
	for _, r := range pend[next:] {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// eachRow calls fn with each row of loadCounts, read through the driver
// connection dc.
func eachRow(ctx context.Context, dc any, since int64, fn func(seriesRow) error) error {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return fmt.Errorf("the SQLite driver's connection (%T) cannot query", dc)
	}
	rows, err := q.QueryContext(ctx, loadCounts, []driver.NamedValue{{Ordinal: 1, Value: since}})
	if err != nil {
		return fmt.Errorf("read counts: %w", err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 4)
	for {
		if err := rows.Next(dest); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read counts: %w", err)
		}
		var r seriesRow
		var ok [4]bool
		r.series, ok[0] = dest[0].(int64)
		r.minute, ok[1] = dest[1].(int64)
		r.good, ok[2] = number(dest[2])
		r.total, ok[3] = number(dest[3])
		if ok != [4]bool{true, true, true, true} {
			return fmt.Errorf("read counts: a row of %T %T %T %T, want series, minute, good and total", dest[0], dest[1], dest[2], dest[3])
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// number is a REAL column's value, which SQLite may hand back as an
// integer.
func number(v driver.Value) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// seriesNames reads the series table: each series' SLO, group and kind by
// its id, as counts of it are named.
func seriesNames(ctx context.Context, tx *sql.Tx) (map[int64]engine.Count, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, slo, grp, kind FROM series`)
	if err != nil {
		return nil, fmt.Errorf("read the series: %w", err)
	}
	defer rows.Close()
	names := map[int64]engine.Count{}
	for rows.Next() {
		var id int64
		var name engine.Count
		var kind string
		if err := rows.Scan(&id, &name.SLO, &name.Group, &kind); err != nil {
			return nil, fmt.Errorf("read the series: %w", err)
		}
		name.Kind = engine.Kind(kind)
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the series: %w", err)
	}
	return names, nil
}
