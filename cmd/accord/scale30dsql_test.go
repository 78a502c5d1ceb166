package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/sqlite"
)

// fill30DaysSQL stores what fill30Days stores, count for count, but has
// SQLite generate the rows itself: one INSERT … SELECT per service over a
// table of the 4,968 minutes, in key order, with no commit and merge per
// batch. It wrote 10,000 SLOs' 30 days (50 million counts) in 37 minutes
// at a load of 15–28, most of it building the minute index the table then
// had; the table it leaves is the one the store keeps, only packed tighter
// (see benchmarks.md).
func fill30DaysSQL(t *testing.T, dataDir string, services, perService int, now time.Time) {
	t.Helper()
	st, err := sqlite.Open(dataDir) // creates the schema
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "accord.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	nowMin := engine.UnixMinute(now)
	exec(`CREATE TEMP TABLE mn (m INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
	exec(`WITH RECURSIVE h(m) AS (SELECT ?1 UNION ALL SELECT m + 60 FROM h WHERE m + 60 < ?2)
		INSERT INTO mn SELECT m, 60 FROM h`, nowMin-30*1440, nowMin-3*1440)
	exec(`WITH RECURSIVE k(m) AS (SELECT ?1 UNION ALL SELECT m + 1 FROM k WHERE m + 1 < ?2)
		INSERT INTO mn SELECT m, 1 FROM k`, nowMin-3*1440, nowMin)
	exec(`CREATE TEMP TABLE sl (id INTEGER PRIMARY KEY, idx INTEGER NOT NULL)`)
	for s := 0; s < services; s++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < perService; i++ {
			res, err := tx.ExecContext(ctx, `INSERT INTO series (slo, grp, kind) VALUES (?, '{}', ?)`,
				fmt.Sprintf("svc-%03d/slo-%03d", s, i), string(engine.KindEvents))
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			if _, err := tx.ExecContext(ctx, `INSERT INTO sl VALUES (?, ?)`, id, s*perService+i); err != nil {
				t.Fatal(err)
			}
		}
		// total = n × (1 + (m·7919 + idx·104729) mod 1000), good = total − m mod 3,
		// as fill30Days writes them.
		if _, err := tx.ExecContext(ctx, `INSERT INTO counts (series, minute, good, total)
			SELECT sl.id, mn.m, mn.n * (1 + (mn.m * 7919 + sl.idx * 104729) % 1000) - mn.m % 3,
				mn.n * (1 + (mn.m * 7919 + sl.idx * 104729) % 1000)
			FROM sl CROSS JOIN mn ORDER BY sl.id, mn.m`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sl`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
}

// TestTheSQLFillStoresWhatTheStoreFillStores checks the fast way of
// writing the 30-day benchmark's data against the store's own: the same
// counts for every SLO, group, kind and minute.
func TestTheSQLFillStoresWhatTheStoreFillStores(t *testing.T) {
	now := time.Date(2026, 12, 7, 6, 17, 0, 0, time.UTC)
	read := func(dir string) []string {
		st, err := sqlite.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var out []string
		err = st.LoadCounts(context.Background(), 0, func(c engine.Count) error {
			out = append(out, fmt.Sprintf("%s %s %s %d %g %g", c.SLO, c.Group, c.Kind, c.Minute, c.Counts.Good, c.Counts.Total))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	viaStore, viaSQL := t.TempDir(), t.TempDir()
	fill30Days(t, viaStore, 2, 2, now)
	fill30DaysSQL(t, viaSQL, 2, 2, now)
	a, b := read(viaStore), read(viaSQL)
	if want := 4 * (27*24 + 3*1440); len(a) != want {
		t.Fatalf("the store's fill wrote %d counts, want %d", len(a), want)
	}
	if !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("count %d differs: store %q, SQL %q", i, a[i], b[i])
			}
		}
		t.Fatalf("store wrote %d counts, SQL %d", len(a), len(b))
	}
}
