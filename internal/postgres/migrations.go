package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// migration is one step of the schema. Steps run in order, each in its own
// transaction with the row that records it, and are never edited once
// released: a change is a new step at the end.
type migration struct {
	name string
	sql  string
}

var migrations = []migration{
	{"counts and the change feed", `
	CREATE TABLE counts (
		slo    text NOT NULL,
		grp    text NOT NULL,
		kind   text NOT NULL,
		minute bigint NOT NULL,
		good   double precision NOT NULL,
		total  double precision NOT NULL,
		PRIMARY KEY (slo, grp, kind, minute)
	);
	CREATE INDEX counts_minute ON counts (minute);
	-- Every count a replica adds, for the other replicas to pull: rows
	-- committed after a reader's last snapshot are new to it.
	CREATE TABLE count_changes (
		txid   xid8 NOT NULL DEFAULT pg_current_xact_id(),
		at     timestamptz NOT NULL DEFAULT now(),
		origin text NOT NULL,
		slo    text NOT NULL,
		grp    text NOT NULL,
		kind   text NOT NULL,
		minute bigint NOT NULL,
		good   double precision NOT NULL,
		total  double precision NOT NULL
	);
	CREATE INDEX count_changes_txid ON count_changes (txid);
	CREATE INDEX count_changes_at ON count_changes USING brin (at);
	-- The newest transaction whose changes were pruned.
	CREATE TABLE feed_horizon (
		one    boolean PRIMARY KEY DEFAULT true CHECK (one),
		pruned bigint NOT NULL
	);
	INSERT INTO feed_horizon (pruned) VALUES (0);`},
	{"alerts, policy states and notifications", `
	CREATE TABLE alerts (
		slo    text NOT NULL,
		grp    text NOT NULL,
		rule   text NOT NULL,
		body   text NOT NULL,
		origin text NOT NULL,
		txid   xid8 NOT NULL DEFAULT pg_current_xact_id(),
		PRIMARY KEY (slo, grp, rule)
	);
	CREATE INDEX alerts_txid ON alerts (txid);
	CREATE TABLE policy_states (
		slo    text PRIMARY KEY,
		body   text NOT NULL,
		origin text NOT NULL,
		txid   xid8 NOT NULL DEFAULT pg_current_xact_id()
	);
	CREATE INDEX policy_states_txid ON policy_states (txid);
	CREATE TABLE notifications (
		id   bigserial PRIMARY KEY,
		slo  text NOT NULL,
		at   bigint NOT NULL,
		body text NOT NULL
	);
	CREATE INDEX notifications_slo ON notifications (slo, id);
	CREATE TABLE cursors (
		channel text PRIMARY KEY,
		last_id bigint NOT NULL
	);`},
	{"annotations and exceptions", `
	CREATE TABLE annotations (
		id       bigserial PRIMARY KEY,
		service  text NOT NULL,
		start_ms bigint NOT NULL,
		end_ms   bigint NOT NULL,
		body     text NOT NULL,
		origin   text NOT NULL,
		txid     xid8 NOT NULL DEFAULT pg_current_xact_id()
	);
	CREATE INDEX annotations_time ON annotations (service, start_ms);
	CREATE INDEX annotations_txid ON annotations (txid);
	CREATE TABLE exceptions (
		id      bigserial PRIMARY KEY,
		service text NOT NULL,
		body    text NOT NULL
	);`},
	{"the leader lease", `
	CREATE TABLE leases (
		name       text PRIMARY KEY,
		holder     text NOT NULL,
		epoch      bigint NOT NULL,
		expires_at timestamptz NOT NULL
	);`},
	{"source states", `
	CREATE TABLE source_states (
		slo    text PRIMARY KEY,
		body   text NOT NULL,
		origin text NOT NULL,
		txid   xid8 NOT NULL DEFAULT pg_current_xact_id()
	);
	CREATE INDEX source_states_txid ON source_states (txid);`},
	// Tokens keep the SHA-256 of their secret, never the secret. Times are
	// Unix milliseconds; NULL is never.
	{"tokens and the audit trail", `
	CREATE TABLE tokens (
		id         bigserial PRIMARY KEY,
		name       text NOT NULL,
		role       text NOT NULL,
		hash       text NOT NULL UNIQUE,
		created_at bigint NOT NULL,
		created_by text NOT NULL,
		expires_at bigint,
		last_used  bigint,
		revoked_at bigint,
		revoked_by text NOT NULL DEFAULT ''
	);
	CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;
	CREATE TABLE audit (
		id            bigserial PRIMARY KEY,
		at            bigint NOT NULL,
		last_at       bigint NOT NULL,
		who           text NOT NULL,
		via           text NOT NULL,
		role          text NOT NULL,
		method        text NOT NULL,
		route         text NOT NULL,
		object        text NOT NULL,
		service       text NOT NULL,
		summary       text NOT NULL,
		status        integer NOT NULL,
		remote        text NOT NULL,
		forwarded_for text NOT NULL,
		requests      bigint NOT NULL,
		fold_key      text UNIQUE
	);
	CREATE INDEX audit_service ON audit (service, id);
	CREATE INDEX audit_last_at ON audit (last_at);`},
	// A leader claims the notifications it is about to send under its
	// lease epoch, so one whose lease ran out (a paused process) sends
	// none that a later leader delivers.
	{"notification claims", `
	ALTER TABLE cursors
		ADD COLUMN claimed_upto bigint NOT NULL DEFAULT 0,
		ADD COLUMN claim_holder text NOT NULL DEFAULT '',
		ADD COLUMN claim_epoch  bigint NOT NULL DEFAULT 0;`},
	// Receipts of batches pushed with an Idempotency-Key, stored in the
	// transaction of the batch's counts; at is Unix milliseconds.
	{"receipts of pushed batches", `
	CREATE TABLE receipts (
		key      text PRIMARY KEY,
		digest   text NOT NULL,
		accepted bigint NOT NULL,
		at       bigint NOT NULL
	);
	CREATE INDEX receipts_at ON receipts (at);`},
	// Every reload publishes the digest of the specs it loaded; the other
	// replicas reload theirs and must arrive at the same one.
	{"spec revisions", `
	CREATE TABLE spec_revisions (
		id     bigserial PRIMARY KEY,
		digest text NOT NULL,
		origin text NOT NULL,
		at     timestamptz NOT NULL DEFAULT now()
	);`},
	// The replicas that run on the database and the hash of their
	// bootstrap token, which must be the same on all of them.
	{"replicas", `
	CREATE TABLE replicas (
		origin     text PRIMARY KEY,
		token_hash text NOT NULL,
		seen_at    timestamptz NOT NULL DEFAULT now()
	);`},
}

// migrationLock is the advisory lock replicas starting together take, so
// one of them migrates and the others wait and find nothing left to do.
const migrationLock = 0x616363_6f7264 // "accord"

// migrate applies the migrations the database lacks.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return applyMigrations(ctx, pool, migrations)
}

func applyMigrations(ctx context.Context, pool *pgxpool.Pool, steps []migration) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var version int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("migrate: read the schema version: %w", err)
	}
	if version > len(steps) {
		return fmt.Errorf("database has schema version %d, newer than this Accord knows (%d): run the newer Accord", version, len(steps))
	}
	for i := version; i < len(steps); i++ {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", i+1, steps[i].name, err)
		}
		if _, err := tx.Exec(ctx, steps[i].sql); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migrate to version %d (%s): %w", i+1, steps[i].name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, i+1, steps[i].name); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migrate to version %d (%s): %w", i+1, steps[i].name, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", i+1, steps[i].name, err)
		}
	}
	return nil
}
