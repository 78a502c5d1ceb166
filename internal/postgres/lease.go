package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/store"
)

// Campaign takes the leader lease for ttl when it is free or expired, or
// renews it when this store holds it; times are the database's, so the
// replicas' clocks need not agree. Taking the lease from another holder
// raises its epoch, and the leader's writes check the epoch in their own
// transaction: a replica that lost the lease cannot write as leader. The
// same statement renews this replica's row among the replicas (Join), so
// a campaign is one round trip. When PostgreSQL cannot take it now, the
// error is unavailable (retry later).
func (s *Store) Campaign(ctx context.Context, ttl time.Duration) (bool, error) {
	var epoch int64
	err := s.pool.QueryRow(ctx, `WITH seen AS (UPDATE replicas SET seen_at = now() WHERE origin = $1)
		INSERT INTO leases (name, holder, epoch, expires_at)
		VALUES ('leader', $1, 1, now() + make_interval(secs => $2))
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
			epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END
		WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
		RETURNING epoch`, s.origin, ttl.Seconds()).Scan(&epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		epoch, err = 0, nil // another replica holds the lease
	}
	if err != nil {
		return false, fmt.Errorf("campaign for the leader lease: %w", unavailable(err))
	}
	s.mu.Lock()
	s.epoch = epoch
	s.mu.Unlock()
	return epoch != 0, nil
}

// Resign lets the lease expire now if this store holds it.
func (s *Store) Resign(ctx context.Context) error {
	s.mu.Lock()
	s.epoch = 0
	s.mu.Unlock()
	if _, err := s.pool.Exec(ctx, `UPDATE leases SET expires_at = now() WHERE name = 'leader' AND holder = $1`, s.origin); err != nil {
		return fmt.Errorf("resign the leader lease: %w", err)
	}
	return nil
}

// fence fails with store.ErrNotLeader unless this store holds an unexpired
// lease of the epoch it won. It locks the lease row until tx ends, so a
// replica taking the lease over waits for this write and writes after it.
// It returns the epoch.
func (s *Store) fence(ctx context.Context, tx pgx.Tx) (int64, error) {
	s.mu.Lock()
	epoch := s.epoch
	s.mu.Unlock()
	if epoch == 0 {
		return 0, store.ErrNotLeader
	}
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM leases WHERE name = 'leader' AND holder = $1 AND epoch = $2 AND expires_at > now() FOR SHARE`,
		s.origin, epoch).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		s.mu.Lock()
		if s.epoch == epoch {
			s.epoch = 0
		}
		s.mu.Unlock()
		return 0, store.ErrNotLeader
	}
	if err != nil {
		return 0, fmt.Errorf("check the leader lease: %w", err)
	}
	return epoch, nil
}
