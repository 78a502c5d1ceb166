package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

func count(slo string, minute int64, good, total float64) engine.Count {
	return engine.Count{SLO: slo, Group: "{}", Kind: engine.KindEvents, Minute: minute, Counts: engine.Counts{Good: good, Total: total}}
}

// TestCompactionAndPruningGoSeriesBySeries compacts and prunes 20 series
// one statement a series and, between two of them, finds no transaction
// open and commits counts to a series done and to one still to do: every
// hour keeps its sum, the series still to do is folded with the new
// count, the one done keeps it as a minute, and pruning leaves no series
// older counts.
func TestCompactionAndPruningGoSeriesBySeries(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, PG.Database(t))
	s.partSeries = 1
	const series = 20
	var in []engine.Count
	for i := 0; i < series; i++ {
		for m := int64(6000); m < 6150; m++ { // hours 100 (from 6000), 101 and part of 102
			in = append(in, count(fmt.Sprintf("a/s%02d", i), m, 1, 2))
		}
	}
	if err := s.AddCounts(ctx, in); err != nil {
		t.Fatal(err)
	}
	parts := 0
	s.afterPart = func() {
		if parts++; parts != 5 {
			return
		}
		var open int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`).Scan(&open); err != nil {
			t.Error(err)
		}
		if open != 0 {
			t.Errorf("between two parts of a compaction %d transactions are open, want none", open)
		}
		// a/s00 is compacted by now, a/s19 not yet.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := s.AddCounts(wctx, []engine.Count{count("a/s00", 6001, 5, 5), count("a/s19", 6001, 5, 5)}); err != nil {
			t.Errorf("a commit between two parts of a compaction: %v", err)
		}
	}
	if err := s.Compact(ctx, 6130); err != nil {
		t.Fatal(err)
	}
	if parts != series-1 {
		t.Errorf("a compaction of %d series took %d parts before its last, want one a series", series, parts)
	}
	got := map[string]string{}
	rows := map[string]int{}
	if err := s.LoadCounts(ctx, 0, func(c engine.Count) error {
		got[fmt.Sprintf("%s %d", c.SLO, c.Minute)] = fmt.Sprintf("%g/%g", c.Good, c.Total)
		rows[c.SLO]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < series; i++ {
		id := fmt.Sprintf("a/s%02d", i)
		want, wantRows := "60/120", 32 // two hours folded, 30 minutes of hour 102
		switch i {
		case 0:
			wantRows = 33 // and the late minute, folded next time
			if got[id+" 6001"] != "5/5" {
				t.Errorf("%s minute 6001 holds %s, want the late count 5/5", id, got[id+" 6001"])
			}
		case series - 1:
			want = "65/125"
		}
		if got[id+" 6000"] != want || got[id+" 6060"] != "60/120" || rows[id] != wantRows {
			t.Errorf("after compaction %s has %d rows, hours %s and %s; want %d rows, hours %s and 60/120",
				id, rows[id], got[id+" 6000"], got[id+" 6060"], wantRows, want)
		}
	}

	parts = 10 // no more commits
	if err := s.Prune(ctx, 6100); err != nil {
		t.Fatal(err)
	}
	if parts != 10+series-1 {
		t.Errorf("pruning %d series took %d parts before its last, want one a series", series, parts-10)
	}
	left := 0
	if err := s.LoadCounts(ctx, 0, func(c engine.Count) error {
		if c.Minute < 6100 {
			t.Errorf("after pruning before minute 6100, %s keeps minute %d", c.SLO, c.Minute)
		}
		left++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left != series*30 {
		t.Errorf("after pruning, %d counts left, want %d", left, series*30)
	}
}
