package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
)

// fillCounts stores, through SQLite itself, slos SLOs of groups events
// series each (groups named {"g":"0"}…) and one SLO-wide slices series,
// every series with a count in each of minutes minutes from minute 600,000
// on: total 1 + (minute + series) mod 7, good one less at minutes that
// divide by 5.
func fillCounts(t testing.TB, db *sql.DB, slos, groups, minutes int) {
	t.Helper()
	for _, q := range []string{
		`WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?1 * ?2)
			INSERT INTO series (slo, grp, kind) SELECT printf('svc/slo-%04d', n / ?2), printf('{"g":"%d"}', n % ?2), 'events' FROM i`,
		`WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?1)
			INSERT INTO series (slo, grp, kind) SELECT printf('svc/slo-%04d', n), '*', 'slices' FROM i`,
		`WITH RECURSIVE m(n) AS (SELECT 600000 UNION ALL SELECT n + 1 FROM m WHERE n + 1 < 600000 + ?3)
			INSERT INTO counts (series, minute, good, total)
			SELECT s.id, m.n, 1 + (m.n + s.id) % 7 - (m.n % 5 = 0), 1 + (m.n + s.id) % 7 FROM series s CROSS JOIN m ORDER BY s.id, m.n`,
	} {
		if _, err := db.Exec(q, slos, groups, minutes); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// plan is what EXPLAIN QUERY PLAN says of q, one step a line.
func plan(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCountQueriesReadBySeries checks, on a table of 1,000 series with a
// day of minutes each (1.4 million counts), before and after ANALYZE
// gives the planner the table's statistics, that every statement of the
// counts table seeks each series' counts through the primary key and none
// reads the whole table or an index on minutes; that LastMinutes seeks
// each series' newest minute; and that the reads sum what was stored.
func TestCountQueriesReadBySeries(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a table of 360,000 counts")
	}
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	const slos, groups, minutes = 100, 9, 360
	fillCounts(t, s.write, slos, groups, minutes)
	statements := []struct {
		name string
		q    string
		args []any
	}{
		{"compaction's fold", compactFold, []any{1, 601000}},
		{"compaction's delete", compactDelete, []any{1, 601000}},
		{"prune", pruneSeries, []any{1, 601000}},
		{"last minutes", lastMinutes, nil},
		{"hourly counts", hourlyCounts, []any{"events", 600120, 600180}},
		{"hourly slices", hourlySlices, []any{"slices", 600120, 600180}},
		{"group counts", groupCounts, []any{"svc/slo-0007", "events", 600120, 600180}},
		{"load counts", loadCounts, []any{600100}},
	}
	for _, stats := range []string{"without statistics", "after ANALYZE"} {
		if stats == "after ANALYZE" {
			if _, err := s.write.Exec(`ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range statements {
			steps := plan(t, s.read, st.q, st.args...)
			seeks := 0
			for _, step := range steps {
				f := strings.Fields(step)
				if len(f) < 2 || (f[1] != "c" && f[1] != "c2" && f[1] != "counts") {
					continue
				}
				if f[0] != "SEARCH" || !strings.Contains(step, "USING PRIMARY KEY (series=?") {
					t.Errorf("%s, %s: reads counts by %q, want a seek by series on the primary key; plan:\n%s", st.name, stats, step, strings.Join(steps, "\n"))
				}
				seeks++
			}
			if seeks == 0 {
				t.Errorf("%s, %s: the plan reads no counts:\n%s", st.name, stats, strings.Join(steps, "\n"))
			}
			if st.q == lastMinutes && !strings.Contains(strings.Join(steps, "\n"), "CORRELATED SCALAR SUBQUERY") {
				t.Errorf("last minutes, %s: no per-series subquery for the newest minute, so every count is read:\n%s", stats, strings.Join(steps, "\n"))
			}
		}
	}

	last, err := s.LastMinutes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != slos || last["svc/slo-0042"] != 600000+minutes-1 {
		t.Errorf("last minutes of %d SLOs, svc/slo-0042's %d; want %d SLOs, each at minute %d", len(last), last["svc/slo-0042"], slos, 600000+minutes-1)
	}
	// The hour from minute 600,600: per series, 60 minutes of totals
	// 1 + (minute + id) mod 7, good one less at 12 of them.
	want := func(ids ...int64) (c engine.Counts) {
		for _, id := range ids {
			for m := int64(600120); m < 600180; m++ {
				total := float64(1 + (m+id)%7)
				c.Total += total
				c.Good += total
				if m%5 == 0 {
					c.Good--
				}
			}
		}
		return c
	}
	hourly, err := s.HourlyCounts(ctx, engine.KindEvents, 600120, 600180)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64 // svc/slo-0007's series: ids 64 to 72
	for g := int64(0); g < groups; g++ {
		ids = append(ids, 7*groups+1+g)
	}
	if got := hourly["svc/slo-0007"][10002]; len(hourly) != slos || got != want(ids...) {
		t.Errorf("hourly counts of %d SLOs, svc/slo-0007's hour 10002 %+v; want %d SLOs, %+v", len(hourly), got, slos, want(ids...))
	}
	byGroup, err := s.GroupCounts(ctx, engine.KindEvents, "svc/slo-0007", 600120, 600180)
	if err != nil {
		t.Fatal(err)
	}
	if got := byGroup[`{"g":"3"}`]; len(byGroup) != groups || got != want(ids[3]) {
		t.Errorf("%d groups, group 3 %+v; want %d, %+v", len(byGroup), got, groups, want(ids[3]))
	}
}

// TestTheMinuteIndexIsDroppedOnUpgrade opens a database of the schema
// version before the minute index went, with counts merged and pending:
// the index is gone, and every count is read as it was stored.
func TestTheMinuteIndexIsDroppedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "accord.db"))
	if err != nil {
		t.Fatal(err)
	}
	const before = 7 // the schema version with the minute index
	for i, m := range migrations[:before] {
		if _, err := db.Exec(m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	pending := appendCounts(nil, []seriesRow{{1, 100, 1, 1}, {2, 7, 2, 2}})
	for _, q := range []string{
		`INSERT INTO series (id, slo, grp, kind) VALUES (1, 'a/b', '{}', 'events'), (2, 'a/c', '{}', 'events')`,
		`INSERT INTO counts (series, minute, good, total) VALUES (1, 100, 9, 10), (1, 160, 3, 4), (2, 5, 1, 1)`,
		fmt.Sprintf("PRAGMA user_version = %d", before),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO pending (n, body) VALUES (2, ?)`, pending); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReader(dir); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("a Reader of the earlier version's database: %v, want an error saying it is older", err)
	}
	s := mustOpen(t, dir)
	var indexes int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'counts'`).Scan(&indexes); err != nil || indexes != 0 {
		t.Errorf("after the upgrade the counts table has %d indexes (%v), want none beside its primary key", indexes, err)
	}
	want := []string{"a/b {} 100 10/11", "a/b {} 160 3/4", "a/c {} 5 1/1", "a/c {} 7 2/2"}
	if got := loaded(t, s.LoadCounts, 0); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("counts after the upgrade\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	last, err := s.LastMinutes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last["a/b"] != 160 || last["a/c"] != 7 || len(last) != 2 {
		t.Errorf("last minutes after the upgrade %v, want a/b 160 and a/c 7", last)
	}
	r, err := OpenReader(dir)
	if err != nil {
		t.Fatalf("a Reader of the upgraded database: %v", err)
	}
	defer r.Close()
	if got := loaded(t, r.LoadCounts, 0); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("a Reader after the upgrade read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
