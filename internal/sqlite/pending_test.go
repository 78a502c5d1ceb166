package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

func TestPendingCountsEncodeAndDecode(t *testing.T) {
	in := []seriesRow{{1, 29_000_000, 9, 10}, {300, -5, -2.5, -3}, {math.MaxInt32, 0, 0.1, 1e12}}
	body := appendCounts(nil, in)
	var out []seriesRow
	if err := decodeCounts(body, func(r seriesRow) { out = append(out, r) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in, out) {
		t.Errorf("decoded %+v, want %+v", out, in)
	}
	for n := 1; n < len(body); n++ {
		if err := decodeCounts(body[:n], func(seriesRow) {}); err == nil && n != len(appendCounts(nil, in[:1])) && n != len(appendCounts(nil, in[:2])) {
			t.Errorf("a row cut to %d of %d bytes decoded without an error", n, len(body))
		}
	}
}

func mustOpen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func count(slo, grp string, minute int64, good, total float64) engine.Count {
	return engine.Count{SLO: slo, Group: grp, Kind: engine.KindEvents, Minute: minute, Counts: engine.Counts{Good: good, Total: total}}
}

// loaded is every count LoadCounts gives, one line each, checking that
// each series comes oldest first and that no key comes twice.
func loaded(t *testing.T, load func(context.Context, int64, func(engine.Count) error) error, since int64) []string {
	t.Helper()
	var read []engine.Count
	last := map[string]int64{}
	err := load(context.Background(), since, func(c engine.Count) error {
		series := c.SLO + " " + c.Group
		if m, ok := last[series]; ok && c.Minute <= m {
			t.Errorf("%s minute %d came after minute %d", series, c.Minute, m)
		}
		last[series] = c.Minute
		read = append(read, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each series comes oldest first; the order of the series is the
	// store's.
	slices.SortStableFunc(read, store.CompareCounts)
	var out []string
	for _, c := range read {
		out = append(out, fmt.Sprintf("%s %s %d %g/%g", c.SLO, c.Group, c.Minute, c.Good, c.Total))
	}
	return out
}

// TestPendingCountsAreReadBeforeAndAfterTheyAreMerged adds counts over
// merged ones (the same keys, older and newer minutes, new series) and
// reads them before and after a merge: LoadCounts adds the pending ones
// in, the summing reads merge first, and a merge changes no sum.
func TestPendingCountsAreReadBeforeAndAfterTheyAreMerged(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", 100, 9, 10), count("a/b", "{}", 102, 5, 5), count("a/c", "{}", 101, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", 102, 1, 2), count("a/b", "{}", 99, 3, 3), count("a/b", "{}", 103, 0, 1),
		count("a/a", "{}", 100, 2, 2), count("a/c", "{}", 50, 7, 7)}); err != nil {
		t.Fatal(err)
	}
	if s.pending.Load() != 5 {
		t.Fatalf("%d counts pending, want the 5 just added", s.pending.Load())
	}
	want := []string{"a/a {} 100 2/2", "a/b {} 99 3/3", "a/b {} 100 9/10", "a/b {} 102 6/7", "a/b {} 103 0/1", "a/c {} 101 1/1"}
	if got := loaded(t, s.LoadCounts, 60); !slices.Equal(got, want) {
		t.Errorf("with counts pending, LoadCounts gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	hourly, err := s.HourlyCounts(ctx, engine.KindEvents, 60, 120)
	if err != nil {
		t.Fatal(err)
	}
	if got := hourly["a/b"][1]; got != (engine.Counts{Good: 18, Total: 21}) {
		t.Errorf("hourly counts of a/b %+v, want every count, pending ones too", got)
	}
	if n := s.pending.Load(); n != 0 {
		t.Errorf("%d counts still pending after a read that merges", n)
	}
	if got := loaded(t, s.LoadCounts, 60); !slices.Equal(got, want) {
		t.Errorf("after the merge, LoadCounts gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPendingCountsSurviveACrash: counts acknowledged but not merged are
// in the database a new store opens, counted once, and merged by it.
func TestPendingCountsSurviveACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", 100, 9, 10), count("a/b", "{}", 100, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	crash(s)

	s = mustOpen(t, dir)
	if n := s.pending.Load(); n != 2 {
		t.Errorf("a new store finds %d counts pending, want 2", n)
	}
	want := []string{"a/b {} 100 10/11"}
	if got := loaded(t, s.LoadCounts, 0); !slices.Equal(got, want) {
		t.Errorf("LoadCounts gave %q, want %q", got, want)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := loaded(t, s.LoadCounts, 0); !slices.Equal(got, want) {
		t.Errorf("after the merge, LoadCounts gave %q, want %q", got, want)
	}
}

// TestCountsOfAnEarlierVersionAreKept opens a database whose counts are
// keyed by strings, as before series ids, and finds every count.
func TestCountsOfAnEarlierVersionAreKept(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "accord.db"))
	if err != nil {
		t.Fatal(err)
	}
	const before = 5 // the schema version before series ids
	for i, m := range migrations[:before] {
		if _, err := db.Exec(m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO counts (slo, grp, kind, minute, good, total) VALUES
			('a/b', '{"store":"s1"}', 'events', 100, 9, 10), ('a/b', '{"store":"s2"}', 'events', 100, 1, 1),
			('a/b', '{"store":"s1"}', 'events', 160, 3, 4), ('a/b', '*', 'slices', 100, 1, 1)`,
		fmt.Sprintf("PRAGMA user_version = %d", before),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, err := OpenReader(dir); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("a Reader of the earlier version's database: %v, want an error saying it is older", err)
	}
	s := mustOpen(t, dir)
	want := []string{`a/b * 100 1/1`, `a/b {"store":"s1"} 100 9/10`, `a/b {"store":"s1"} 160 3/4`, `a/b {"store":"s2"} 100 1/1`}
	var got []string
	err = s.LoadCounts(context.Background(), 0, func(c engine.Count) error {
		got = append(got, fmt.Sprintf("%s %s %d %g/%g", c.SLO, c.Group, c.Minute, c.Good, c.Total))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("counts after the upgrade\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// New counts of an old series add to it.
	if err := s.AddCounts(context.Background(), []engine.Count{count("a/b", `{"store":"s2"}`, 100, 2, 2)}); err != nil {
		t.Fatal(err)
	}
	groups, err := s.GroupCounts(context.Background(), engine.KindEvents, "a/b", 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	if groups[`{"store":"s2"}`] != (engine.Counts{Good: 3, Total: 3}) || groups[`{"store":"s1"}`] != (engine.Counts{Good: 12, Total: 14}) {
		t.Errorf("group counts %+v", groups)
	}
}

// TestAMergeStoppedHalfwayCountsNothingTwice stops a merge of more counts
// than one merge transaction adds after its first transaction, as a crash
// would, and checks a new store reads every count once, before and after
// it merges the rest, and leaves nothing pending.
func TestAMergeStoppedHalfwayCountsNothingTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var in []engine.Count
	var want float64
	for i := 0; i < 5*mergeTxCounts/2; i++ {
		in = append(in, count(fmt.Sprintf("a/s%d", i%50), "{}", int64(1000+i/50), 1, float64(1+i%3)))
		want += float64(1 + i%3)
	}
	// Twice, in two commits: the merge sums them.
	for range 2 {
		if err := s.AddCounts(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	want *= 2
	rtx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sums, last, _, err := pendingSums(ctx, rtx, math.MinInt64, math.MaxInt64, math.MaxInt64, 0)
	rtx.Rollback()
	if err != nil || len(sums) != len(in) {
		t.Fatalf("pending sums: %d, %v; want %d", len(sums), err, len(in))
	}
	if done, seq, err := s.mergePart(ctx, sums, mergeTxCounts, last, nil); err != nil || seq == 0 || done == 0 || done > mergeTxCounts {
		t.Fatalf("a first merge transaction added %d of %d sums (pending row %d): %v", done, len(sums), seq, err)
	}
	crash(s)

	s = mustOpen(t, dir)
	total := func() (sum float64) {
		err := s.LoadCounts(ctx, 0, func(c engine.Count) error { sum += c.Total; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if got := total(); got != want {
		t.Errorf("after a merge stopped halfway, the store counts %g events, want %g", got, want)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != want {
		t.Errorf("after the next merge, the store counts %g events, want %g", got, want)
	}
	var rows int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM pending`).Scan(&rows); err != nil || rows != 0 || s.pending.Load() != 0 {
		t.Errorf("after the merge, %d pending rows (%v), %d counts pending by the store's count", rows, err, s.pending.Load())
	}
}

// TestAMergeLetsCommitsInBetweenItsParts merges counts one statement per
// transaction and, between two of them, commits more counts and reads
// them all: the writer is free between the parts, every count is read
// once mid-merge, and once merged nothing is left pending.
func TestAMergeLetsCommitsInBetweenItsParts(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	s.partTime = 0 // one statement a transaction
	var in []engine.Count
	var want float64
	for i := 0; i < 10*upsertRows; i++ {
		in = append(in, count(fmt.Sprintf("a/s%d", i%10), "{}", int64(1000+i/10), 1, float64(1+i%3)))
		want += float64(1 + i%3)
	}
	if err := s.AddCounts(ctx, in); err != nil {
		t.Fatal(err)
	}
	total := func() (sum float64) {
		t.Helper()
		if err := s.LoadCounts(ctx, 0, func(c engine.Count) error { sum += c.Total; return nil }); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	parts := 0
	s.afterPart = func() {
		parts++
		if parts != 3 {
			return
		}
		if err := s.AddCounts(ctx, []engine.Count{count("a/s1", "{}", 1001, 4, 5), count("a/new", "{}", 7, 1, 1)}); err != nil {
			t.Errorf("a commit between two parts of a merge: %v", err)
		}
		want += 6
		if got := total(); got != want {
			t.Errorf("between two parts of a merge the store counts %g events, want %g", got, want)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if parts < 9 {
		t.Errorf("a merge of %d counts took %d transactions before its last, want one per statement", len(in), parts)
	}
	if err := s.Flush(ctx); err != nil { // merges the commit made meanwhile
		t.Fatal(err)
	}
	if got := total(); got != want {
		t.Errorf("after the merges the store counts %g events, want %g", got, want)
	}
	var rows int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM pending`).Scan(&rows); err != nil || rows != 0 || s.pending.Load() != 0 {
		t.Errorf("after the merges, %d pending rows (%v), %d counts pending by the store's count", rows, err, s.pending.Load())
	}
}

// crash stops s as a crash would: the process goes without merging or
// closing its store. Its background tasks stop first, so nothing uses the
// connections as they close.
func crash(s *Store) {
	close(s.stopMerge)
	<-s.merged
	<-s.checkpointed
	s.batch.Close()
	s.write.Close()
	s.read.Close()
	s.lock.Close()
}
