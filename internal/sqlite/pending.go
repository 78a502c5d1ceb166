package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Counts reach the counts table in two steps. A commit appends its counts
// to pending as one row, which costs the same whether they fall on one
// minute or on two days of them. A merge then folds many commits into the
// table at once, summed by key and in key order, so each page of the table
// is written once per merge rather than once per count: a backlog replayed
// out of order after an outage adds a row to many pages for every count.

const (
	// mergeAt is how many pending counts start a merge before the next
	// tick: a merge of that many distinct counts takes about a second.
	mergeAt = 200_000
	// mergeEvery is how often pending counts are merged however few.
	mergeEvery = 5 * time.Second
	// mergeCounts is about how many pending counts one merge reads and
	// sums (whole commits, at least one), so its memory stays bounded.
	mergeCounts = 500_000
	// mergeTxCounts is the most summed counts one merge transaction adds
	// to the table. The sums are in key order, so the transactions of one
	// merge write different pages of the table and splitting it costs
	// little more than the commits.
	mergeTxCounts = 20_000
	// mergePartTime is how long one merge transaction adds counts, once it
	// holds the writer, before it commits and waiting commits get the
	// writer. Counts spread over two days cost from 15 µs each on an idle
	// machine to ten times that on a busy one: a fixed number of them held
	// commits for over a second. (Going on while no commit waits was
	// tried: under load it tripled the p99 of a backlog's batches.)
	mergePartTime = 25 * time.Millisecond
)

// goOn reports whether a merge, compaction or prune transaction that
// began at start may do more.
func (s *Store) goOn(start time.Time) bool { return time.Since(start) < s.partTime }

// appendCounts encodes counts for a pending row: per count its series id
// and minute as varints and its good and total as float64 bits.
func appendCounts(b []byte, rows []seriesRow) []byte {
	for _, r := range rows {
		b = binary.AppendUvarint(b, uint64(r.series))
		b = binary.AppendVarint(b, r.minute)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.good))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.total))
	}
	return b
}

// decodeCounts calls fn with each count of a pending row.
func decodeCounts(b []byte, fn func(seriesRow)) error {
	for len(b) > 0 {
		series, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad series id")
		}
		b = b[n:]
		minute, n := binary.Varint(b)
		if n <= 0 {
			return errors.New("bad minute")
		}
		b = b[n:]
		if len(b) < 16 {
			return errors.New("truncated counts")
		}
		fn(seriesRow{int64(series), minute, math.Float64frombits(binary.LittleEndian.Uint64(b)),
			math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))})
		b = b[16:]
	}
	return nil
}

// pendingSums reads the pending counts from minute since on, oldest
// commit first up to commit upTo, until it has read at least limit counts
// (hint: about how many there are). It returns them summed by key, in key
// order, the last commit read, and how many counts it read. Sorting and
// adding neighbours costs a tenth of summing hundreds of thousands of
// counts in a map.
func pendingSums(ctx context.Context, tx *sql.Tx, since, upTo, limit, hint int64) (sums []seriesRow, last, n int64, err error) {
	res, err := tx.QueryContext(ctx, `SELECT seq, n, body FROM pending WHERE seq <= ? ORDER BY seq`, upTo)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read pending counts: %w", err)
	}
	defer res.Close()
	all := make([]seriesRow, 0, min(hint, limit))
	for n < limit && res.Next() {
		var body []byte
		var size int64
		if err := res.Scan(&last, &size, &body); err != nil {
			return nil, 0, 0, fmt.Errorf("read pending counts: %w", err)
		}
		err := decodeCounts(body, func(r seriesRow) {
			if r.minute >= since {
				all = append(all, r)
			}
		})
		if err != nil {
			return nil, 0, 0, fmt.Errorf("decode pending counts %d: %w", last, err)
		}
		n += size
	}
	if err := res.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("read pending counts: %w", err)
	}
	slices.SortFunc(all, compareRows)
	sums = all[:0]
	for _, r := range all {
		if k := len(sums) - 1; k >= 0 && sums[k].series == r.series && sums[k].minute == r.minute {
			sums[k].good, sums[k].total = sums[k].good+r.good, sums[k].total+r.total
			continue
		}
		sums = append(sums, r)
	}
	return sums, last, n, nil
}

// compareRows orders rows by the counts table's key.
func compareRows(a, b seriesRow) int {
	if a.series != b.series {
		return cmp.Compare(a.series, b.series)
	}
	return cmp.Compare(a.minute, b.minute)
}

// Flush merges every pending count into the counts table, as the store
// does every few seconds by itself.
func (s *Store) Flush(ctx context.Context) error { return s.merge(ctx) }

// merge folds every count pending when it starts into the counts table.
// Reads that sum the table (reports, compaction) merge first, so they see
// every count stored before they began.
func (s *Store) merge(ctx context.Context) error {
	s.mergeMu.Lock()
	defer s.mergeMu.Unlock()
	var upTo int64
	if err := s.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM pending`).Scan(&upTo); err != nil {
		s.mergeFailed.Store(true)
		return fmt.Errorf("merge pending counts: %w", err)
	}
	for {
		more, err := s.mergeSome(ctx, upTo)
		if err = s.wrote(err); err != nil {
			s.mergeFailed.Store(true)
			return fmt.Errorf("merge pending counts: %w", err)
		}
		if !more {
			s.mergeFailed.Store(false)
			return nil
		}
	}
}

// mergeSome folds the oldest pending commits up to commit upTo, about
// mergeCounts counts, into the counts table, and reports whether more are
// left. It reads and sums them beside the writer, then adds the sums in
// transactions that hold the writer for about mergePartTime, so commits
// wait for one of those at most, not for the whole merge. Until the last
// transaction deletes the merged commits, each earlier one also appends
// its sums negated to pending: the table plus what is pending stays what
// was stored whenever the merge stops, and a later merge that folds both
// adds nothing twice.
func (s *Store) mergeSome(ctx context.Context, upTo int64) (bool, error) {
	rtx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, fmt.Errorf("begin reading pending counts: %w", err)
	}
	sums, last, n, err := pendingSums(ctx, rtx, math.MinInt64, upTo, mergeCounts, s.pending.Load())
	_ = rtx.Rollback()
	if err != nil || last == 0 {
		return false, err
	}
	var undo []any
	var negated int64
	for {
		done, seq, err := s.mergePart(ctx, sums, mergeTxCounts, last, undo)
		if err != nil {
			return false, err
		}
		if seq == 0 { // the last part
			break
		}
		undo = append(undo, seq)
		negated += int64(done)
		s.pending.Add(int64(done))
		sums = sums[done:]
		if s.afterPart != nil {
			s.afterPart()
		}
	}
	s.pending.Add(-n - negated)
	return last < upTo, nil
}

// mergePart adds the first of a merge's sums to the table in one
// transaction, at most limit of them and while goOn allows, and returns
// how many it added. When that is all of
// them it deletes the merged commits up to last and the negated parts
// undo names and returns seq 0; otherwise it appends what it added
// negated to pending and returns that row's seq.
func (s *Store) mergePart(ctx context.Context, sums []seriesRow, limit int, last int64, undo []any) (done int, seq int64, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("begin merge: %w", err)
	}
	defer tx.Rollback()
	part := sums[:min(len(sums), limit)]
	if done, err = s.upsertWhile(ctx, tx, part, time.Now()); err != nil {
		return 0, 0, err
	}
	if done == len(sums) {
		del := `DELETE FROM pending WHERE seq <= ?`
		if len(undo) > 0 {
			del += ` OR seq IN (?` + strings.Repeat(`, ?`, len(undo)-1) + `)`
		}
		if _, err := tx.ExecContext(ctx, del, append([]any{last}, undo...)...); err != nil {
			return 0, 0, fmt.Errorf("delete merged counts up to %d: %w", last, err)
		}
	} else {
		neg := make([]seriesRow, done)
		for i, r := range sums[:done] {
			neg[i] = seriesRow{r.series, r.minute, -r.good, -r.total}
		}
		body := appendCounts(make([]byte, 0, 24*len(neg)), neg)
		if err := tx.QueryRowContext(ctx, `INSERT INTO pending (n, body) VALUES (?, ?) RETURNING seq`, len(neg), body).Scan(&seq); err != nil {
			return 0, 0, fmt.Errorf("keep a merged part of %d counts pending until the merge ends: %w", len(neg), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("commit merge: %w", err)
	}
	return done, seq, nil
}

// upsertWhile adds rows, in key order, to the counts table in a
// transaction begun at start until it has added them all or goOn says
// stop, and returns how many it added (at least one statement's). Each
// statement's rows land next to each other and its pages are found in the
// cache.
func (s *Store) upsertWhile(ctx context.Context, tx *sql.Tx, rows []seriesRow, start time.Time) (int, error) {
	var full *sql.Stmt
	args := make([]any, 0, 4*upsertRows)
	done := 0
	for done < len(rows) && (done == 0 || s.goOn(start)) {
		n := min(len(rows)-done, upsertRows)
		args = args[:0]
		for _, r := range rows[done : done+n] {
			args = append(args, r.series, r.minute, r.good, r.total)
		}
		var err error
		if n < upsertRows {
			_, err = tx.ExecContext(ctx, upsertCounts(n), args...)
		} else {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, upsertCounts(upsertRows)); err != nil {
					return 0, fmt.Errorf("prepare count upsert: %w", err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return 0, fmt.Errorf("store %d counts from series %d at minute %d: %w", n, rows[done].series, rows[done].minute, err)
		}
		done += n
	}
	return done, nil
}

// merger merges pending counts every mergeEvery, and as soon as mergeAt
// of them wait, until the store closes.
func (s *Store) merger() {
	defer close(s.merged)
	s.every(mergeEvery, s.mergeNow, func(ctx context.Context) {
		if s.pending.Load() == 0 && !s.mergeFailed.Load() {
			return
		}
		// A failure is kept for Ping to report, and retried at the next
		// tick; the counts stay pending and are read from there.
		_ = s.merge(ctx)
	})
}

// every calls fn, with a minute to finish, every interval and whenever
// now receives (a nil channel never does), until the store closes.
func (s *Store) every(interval time.Duration, now <-chan struct{}, fn func(ctx context.Context)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stopMerge:
			return
		case <-tick.C:
		case <-now:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		fn(ctx)
		cancel()
	}
}
