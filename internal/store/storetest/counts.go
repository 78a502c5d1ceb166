package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

func count(slo, grp string, kind engine.Kind, minute int64, good, total float64) engine.Count {
	return engine.Count{SLO: slo, Group: grp, Kind: kind, Minute: minute, Counts: engine.Counts{Good: good, Total: total}}
}

// loadAll returns every stored count by key, and the number of rows.
func loadAll(t *testing.T, s store.Store, since int64) (map[string]engine.Counts, int) {
	t.Helper()
	out := map[string]engine.Counts{}
	rows := 0
	last := map[string]int64{} // by SLO, group and kind
	err := s.LoadCounts(context.Background(), since, func(c engine.Count) error {
		series := fmt.Sprintf("%s|%s|%s", c.SLO, c.Group, c.Kind)
		if prev, ok := last[series]; ok && c.Minute < prev {
			t.Errorf("LoadCounts gave %s minute %d after %d: want each series oldest first", series, c.Minute, prev)
		}
		last[series] = c.Minute
		rows++
		k := fmt.Sprintf("%s|%s|%s|%d", c.SLO, c.Group, c.Kind, c.Minute)
		v := out[k]
		out[k] = engine.Counts{Good: v.Good + c.Good, Total: v.Total + c.Total}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, rows
}

func testCountsAddUp(t *testing.T, open func(t *testing.T) store.Store) {
	s := mustOpen(t, open)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				// Two counts of one key in one call add up too.
				c := count("a/b", fmt.Sprintf(`{"store":"s%d"}`, w%2), engine.KindEvents, int64(1000+i%5), 0.5, 1)
				if err := s.AddCounts(ctx, []engine.Count{c, c}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	got, rows := loadAll(t, s, 0)
	// 2 groups × 5 minutes; each row 4 workers × 5 calls × 2 counts of 0.5/1.
	if rows != 10 || got[`a/b|{"store":"s0"}|events|1000`] != (engine.Counts{Good: 20, Total: 40}) {
		t.Errorf("%d rows, %v; want 10 rows of 20/40", rows, got)
	}
	if _, rows := loadAll(t, s, 1003); rows != 4 {
		t.Errorf("loading from minute 1003 gave %d rows, want 4", rows)
	}
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", engine.KindSlices, 1010, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	last, err := s.LastMinutes(ctx)
	if err != nil || len(last) != 1 || last["a/b"] != 1004 {
		t.Errorf("last minutes %v %v; want a/b at 1004 (slices are not measured events)", last, err)
	}
	if err := s.Prune(ctx, 1003); err != nil {
		t.Fatal(err)
	}
	if _, rows := loadAll(t, s, 0); rows != 5 {
		t.Errorf("after pruning minutes before 1003, %d rows remain, want 5", rows)
	}
}

func testCompact(t *testing.T, open func(t *testing.T) store.Store) {
	s := mustOpen(t, open)
	ctx := context.Background()
	var counts []engine.Count
	for m := int64(6000); m < 6150; m++ { // hours 100 (from 6000), 101 and part of 102
		counts = append(counts, count("a/b", "{}", engine.KindEvents, m, 1, 2))
	}
	if err := s.AddCounts(ctx, counts); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx, 6130); err != nil { // rounds down to 6120
		t.Fatal(err)
	}
	got, rows := loadAll(t, s, 0)
	// Hours 100 and 101 fold into one row each; 6120..6149 stay minutes.
	if rows != 32 || got["a/b|{}|events|6000"] != (engine.Counts{Good: 60, Total: 120}) ||
		got["a/b|{}|events|6060"] != (engine.Counts{Good: 60, Total: 120}) || got["a/b|{}|events|6121"] != (engine.Counts{Good: 1, Total: 2}) {
		t.Errorf("after compaction %d rows: %v; want two hour rows of 60/120 and 30 minute rows", rows, got)
	}
	if err := s.Compact(ctx, 6130); err != nil {
		t.Fatal(err)
	}
	if again, _ := loadAll(t, s, 0); again["a/b|{}|events|6000"] != (engine.Counts{Good: 60, Total: 120}) {
		t.Errorf("compacting twice changed hour 100 to %v", again["a/b|{}|events|6000"])
	}
}

func testHourlyCounts(t *testing.T, open func(t *testing.T) store.Store) {
	s := mustOpen(t, open)
	ctx := context.Background()
	err := s.AddCounts(ctx, []engine.Count{
		count("a/grouped", `{"store":"1"}`, engine.KindEvents, 600, 1, 2),
		count("a/grouped", `{"store":"2"}`, engine.KindEvents, 610, 3, 4),
		count("a/grouped", `{"store":"2"}`, engine.KindEvents, 660, 5, 5),
		count("a/grouped", `{"store":"1"}`, engine.KindSlices, 600, 1, 1),
		count("a/grouped", "*", engine.KindSlices, 600, 0, 1),
		count("a/plain", "{}", engine.KindSlices, 605, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.HourlyCounts(ctx, engine.KindEvents, 600, 720)
	if err != nil {
		t.Fatal(err)
	}
	if ev["a/grouped"][10] != (engine.Counts{Good: 4, Total: 6}) || ev["a/grouped"][11] != (engine.Counts{Good: 5, Total: 5}) {
		t.Errorf("hourly events %v; want groups added up: hour 10 4/6, hour 11 5/5", ev)
	}
	sl, err := s.HourlyCounts(ctx, engine.KindSlices, 600, 660)
	if err != nil {
		t.Fatal(err)
	}
	if sl["a/grouped"][10] != (engine.Counts{Good: 0, Total: 1}) || sl["a/plain"][10] != (engine.Counts{Good: 1, Total: 1}) {
		t.Errorf("hourly slices %v; want the SLO-wide group's 0/1 for a grouped SLO, 1/1 for the plain one", sl)
	}
	groups, err := s.GroupCounts(ctx, engine.KindEvents, "a/grouped", 600, 660)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[`{"store":"1"}`] != (engine.Counts{Good: 1, Total: 2}) || groups[`{"store":"2"}`] != (engine.Counts{Good: 3, Total: 4}) {
		t.Errorf("events per group in hour 10: %v; want store 1 1/2 and store 2 3/4", groups)
	}
	groupSlices, err := s.GroupCounts(ctx, engine.KindSlices, "a/grouped", 600, 660)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := groupSlices["*"]; ok || groupSlices[`{"store":"1"}`] != (engine.Counts{Good: 1, Total: 1}) {
		t.Errorf("slices per group: %v; want store 1's 1/1 and not the SLO-wide group", groupSlices)
	}
}

// testGivenUpAdds: a caller whose context ends during AddCounts either
// has its counts stored (and is told nil) or not stored (and is told
// why), never stored behind an error: the engine counts in memory exactly
// what AddCounts reports stored, so anything else makes a running server
// count less than a restart.
func testGivenUpAdds(t *testing.T, open func(t *testing.T) store.Store) {
	s := mustOpen(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	want := map[string]engine.Counts{}
	for m := int64(0); m < 60; m++ {
		c := count("a/b", "{}", engine.KindEvents, 100+m, 1, 1)
		if err := s.AddCounts(ctx, []engine.Count{c}); err == nil {
			want[fmt.Sprintf("a/b|{}|events|%d", 100+m)] = c.Counts
		}
	}
	// Calls are committed in order: once this one is, every one before
	// that was going to be is too.
	if err := s.AddCounts(context.Background(), []engine.Count{count("a/b", "{}", engine.KindEvents, 99, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	got, _ := loadAll(t, s, 100)
	if len(got) != len(want) {
		t.Fatalf("%d of 60 given-up calls stored, %d reported stored: each stored count must be reported", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("count %s reported stored, loaded %v", k, got[k])
		}
	}
}
