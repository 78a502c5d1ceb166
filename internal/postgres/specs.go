package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/store"
)

// PublishSpecs records a new spec revision of this digest.
func (s *Store) PublishSpecs(ctx context.Context, digest string) (store.SpecRevision, error) {
	r := store.SpecRevision{Digest: digest, Origin: s.origin}
	if err := s.pool.QueryRow(ctx, `INSERT INTO spec_revisions (digest, origin) VALUES ($1, $2) RETURNING id, at`,
		digest, s.origin).Scan(&r.ID, &r.At); err != nil {
		return r, unavailable(fmt.Errorf("publish spec revision %s: %w", digest, err))
	}
	return r, nil
}

// LatestSpecs returns the spec revision published last.
func (s *Store) LatestSpecs(ctx context.Context) (store.SpecRevision, error) {
	var r store.SpecRevision
	err := s.pool.QueryRow(ctx, `SELECT id, digest, origin, at FROM spec_revisions ORDER BY id DESC LIMIT 1`).
		Scan(&r.ID, &r.Digest, &r.Origin, &r.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.SpecRevision{}, nil
	}
	if err != nil {
		return r, unreadable(fmt.Errorf("read the latest spec revision: %w", err))
	}
	return r, nil
}
