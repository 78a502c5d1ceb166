package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// partSeries is how many series one statement of a compaction or pruning
// folds or deletes. Each statement commits on its own, so a count written
// meanwhile to a row it folds waits for one statement, not for the whole
// compaction, and no long transaction holds back vacuum or the change
// feed's snapshots. An hour's compaction folds 59 rows a series.
const partSeries = 100

// Compact folds the minute counts before minute before into one count per
// hour (at the hour's first minute), keeping every hour's sum. It goes
// through the series partSeries at a time, each part its own statement,
// and folds exactly the rows it deletes, so a late count written
// meanwhile is kept: in a series still to do it is folded, in one done it
// stays a minute until the next compaction.
func (s *Store) Compact(ctx context.Context, before int64) error {
	before -= ((before % 60) + 60) % 60 // whole hours only
	err := s.eachSeries(ctx, func(p seriesPart) error {
		_, err := s.pool.Exec(ctx, `WITH part AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS p(slo, grp, kind)),
			gone AS (DELETE FROM counts c USING part p
				WHERE c.slo = p.slo AND c.grp = p.grp AND c.kind = p.kind AND c.minute < $1 AND c.minute % 60 <> 0
				RETURNING c.slo, c.grp, c.kind, c.minute, c.good, c.total)
			INSERT INTO counts (slo, grp, kind, minute, good, total)
			SELECT slo, grp, kind, minute - minute % 60, SUM(good), SUM(total) FROM gone
			GROUP BY slo, grp, kind, minute - minute % 60 ORDER BY 1, 2, 3, 4
			ON CONFLICT (slo, grp, kind, minute) DO UPDATE SET good = counts.good + excluded.good, total = counts.total + excluded.total`,
			before, p.slos, p.grps, p.kinds)
		return err
	})
	if err != nil {
		return fmt.Errorf("fold minutes before %d into hours: %w", before, err)
	}
	return nil
}

// Prune deletes counts older than minute before, partSeries series a
// statement as Compact goes, and notifications as old that every channel
// has delivered.
func (s *Store) Prune(ctx context.Context, before int64) error {
	err := s.eachSeries(ctx, func(p seriesPart) error {
		_, err := s.pool.Exec(ctx, `DELETE FROM counts c USING unnest($2::text[], $3::text[], $4::text[]) AS p(slo, grp, kind)
			WHERE c.slo = p.slo AND c.grp = p.grp AND c.kind = p.kind AND c.minute < $1`, before, p.slos, p.grps, p.kinds)
		return err
	})
	if err != nil {
		return fmt.Errorf("prune counts before minute %d: %w", before, err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE at < $1
		AND id <= COALESCE((SELECT MIN(last_id) FROM cursors), (SELECT MAX(id) FROM notifications))`, before*60_000); err != nil {
		return fmt.Errorf("prune notifications before minute %d: %w", before, err)
	}
	return nil
}

// seriesPart is a run of series (SLO, group, kind), in key order.
type seriesPart struct {
	slos, grps, kinds []string
}

// eachSeries calls fn with the series of the counts table, in key order,
// s.partSeries (default partSeries) at a time, and s.afterPart, when set,
// after each part but the last. It finds them through the table's key,
// one index step a series, without reading their rows.
func (s *Store) eachSeries(ctx context.Context, fn func(seriesPart) error) error {
	size := s.partSeries
	if size <= 0 {
		size = partSeries
	}
	// The series after the one given, or from the first: each part asks for
	// one more than it takes, to know whether another part follows.
	const next = `WITH RECURSIVE s AS (
			(SELECT slo, grp, kind FROM counts %s ORDER BY slo, grp, kind LIMIT 1)
			UNION ALL
			SELECT n.slo, n.grp, n.kind FROM s CROSS JOIN LATERAL (
				SELECT c.slo, c.grp, c.kind FROM counts c WHERE (c.slo, c.grp, c.kind) > (s.slo, s.grp, s.kind)
				ORDER BY c.slo, c.grp, c.kind LIMIT 1) n)
		SELECT slo, grp, kind FROM s LIMIT $1`
	q, args := fmt.Sprintf(next, ""), []any{size + 1}
	for {
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("list the series: %w", err)
		}
		var p seriesPart
		var slo, grp, kind string
		if _, err := pgx.ForEachRow(rows, []any{&slo, &grp, &kind}, func() error {
			p.slos, p.grps, p.kinds = append(p.slos, slo), append(p.grps, grp), append(p.kinds, kind)
			return nil
		}); err != nil {
			return fmt.Errorf("list the series: %w", err)
		}
		more := len(p.slos) > size
		if more {
			p = seriesPart{p.slos[:size], p.grps[:size], p.kinds[:size]}
		}
		if len(p.slos) == 0 {
			return nil
		}
		last := len(p.slos) - 1
		if err := fn(p); err != nil {
			return fmt.Errorf("series %s %s %s to %s %s %s: %w", p.slos[0], p.grps[0], p.kinds[0], p.slos[last], p.grps[last], p.kinds[last], err)
		}
		if !more {
			return nil
		}
		if s.afterPart != nil {
			s.afterPart()
		}
		q = fmt.Sprintf(next, "WHERE (slo, grp, kind) > ($2, $3, $4)")
		args = []any{size + 1, p.slos[last], p.grps[last], p.kinds[last]}
	}
}
