package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/slo"
)

// Join records this replica and its token's hash, unless a replica seen
// within the last `within` (each renews its row as it campaigns) runs
// with another token.
func (s *Store) Join(ctx context.Context, tokenHash string, within time.Duration) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM replicas WHERE seen_at < now() - interval '1 day'`); err != nil {
			return err
		}
		var other string
		var ago float64
		err := tx.QueryRow(ctx, `SELECT origin, EXTRACT(EPOCH FROM now() - seen_at)::float8 FROM replicas
			WHERE token_hash <> $1 AND origin <> $2 AND seen_at > now() - make_interval(secs => $3)
			ORDER BY seen_at DESC LIMIT 1`, tokenHash, s.origin, within.Seconds()).Scan(&other, &ago)
		if err == nil {
			return slo.Errorf(slo.CodeConflict, "replica %s (seen %s ago) runs on this database with a different bootstrap token: "+
				"every replica needs the same --token, --token-file or ACCORD_TOKEN; give this one the same token, or stop the other first",
				other, time.Duration(ago*float64(time.Second)).Round(100*time.Millisecond))
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO replicas (origin, token_hash) VALUES ($1, $2)
			ON CONFLICT (origin) DO UPDATE SET token_hash = excluded.token_hash, seen_at = now()`, s.origin, tokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("join the replicas on the database: %w", unavailable(err))
	}
	return nil
}

// leave removes this replica's row as it stops.
func (s *Store) leave(ctx context.Context) {
	_, _ = s.pool.Exec(ctx, `DELETE FROM replicas WHERE origin = $1`, s.origin) // it ages out otherwise
}
