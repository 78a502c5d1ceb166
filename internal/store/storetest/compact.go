package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// Parts is how a store's test reaches into a compaction or pruning that
// goes series by series, one series a part.
type Parts struct {
	// AfterPart installs fn to run after each part but the last.
	AfterPart func(fn func())
	// Settle, when set, makes counts added so far visible to a compaction
	// (a store that merges them later).
	Settle func(ctx context.Context) error
	// Between, when set, runs between two parts before the late counts
	// are added: it checks what the store holds open there.
	Between func(t *testing.T)
}

// CompactsSeriesBySeries compacts and prunes 20 series one part a series
// (pruning too)
// and, between two parts, commits counts to a series done and to one still
// to do: every hour keeps its sum, the series still to do is folded with
// the new count, the one done keeps it as a minute, and pruning leaves no
// series older counts.
func CompactsSeriesBySeries(t *testing.T, s store.Store, p Parts) {
	ctx := context.Background()
	settle := func() error {
		if p.Settle == nil {
			return nil
		}
		return p.Settle(ctx)
	}
	const series = 20
	var in []engine.Count
	for i := 0; i < series; i++ {
		for m := int64(6000); m < 6150; m++ { // hours 100 (from 6000), 101 and part of 102
			in = append(in, count(fmt.Sprintf("a/s%02d", i), "{}", engine.KindEvents, m, 1, 2))
		}
	}
	if err := s.AddCounts(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := settle(); err != nil { // so that the compaction has nothing to merge
		t.Fatal(err)
	}
	parts := 0
	p.AfterPart(func() {
		if parts++; parts != 5 {
			return
		}
		if p.Between != nil {
			p.Between(t)
		}
		// a/s00 is compacted by now, a/s19 not yet.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		late := []engine.Count{count("a/s00", "{}", engine.KindEvents, 6001, 5, 5), count("a/s19", "{}", engine.KindEvents, 6001, 5, 5)}
		if err := s.AddCounts(wctx, late); err != nil {
			t.Errorf("a commit between two parts of a compaction: %v", err)
		}
		// Visible now, so the compaction finds a/s19's count.
		if err := settle(); err != nil {
			t.Error(err)
		}
	})
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
