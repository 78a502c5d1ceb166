package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMigrationsRunInOrderOnceAndAllOrNothing(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, PG.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	steps := []migration{
		{"a", `CREATE TABLE a (x int); INSERT INTO a VALUES (1)`},
		{"b", `CREATE TABLE b (x int)`},
	}
	if err := applyMigrations(ctx, pool, steps); err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, pool, steps); err != nil { // already applied: nothing runs again
		t.Fatalf("second run: %v", err)
	}
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM a`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("table a has %d rows (%v); want 1: a migration ran twice", rows, err)
	}
	bad := append(steps, migration{"c", `CREATE TABLE c (x int); SELECT no_such_function()`})
	err = applyMigrations(ctx, pool, bad)
	if err == nil || !strings.Contains(err.Error(), "version 3 (c)") {
		t.Fatalf("a failing migration: %v; want an error naming version 3", err)
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('c') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("table c exists after its migration failed (%v); want the step rolled back whole", err)
	}
	var version int
	if err := pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != 2 {
		t.Errorf("schema version %d (%v); want 2", version, err)
	}
	err = applyMigrations(ctx, pool, steps[:1])
	if err == nil || !strings.Contains(err.Error(), "newer than this Accord knows") {
		t.Errorf("an older Accord on a newer schema: %v; want a refusal", err)
	}
}
