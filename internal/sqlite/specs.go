package sqlite

import (
	"context"
	"time"

	"github.com/accord-slo/accord/internal/store"
)

// PublishSpecs keeps nothing: the one process on a SQLite database has no
// other replica to agree with.
func (s *Store) PublishSpecs(ctx context.Context, digest string) (store.SpecRevision, error) {
	return store.SpecRevision{}, nil
}

// LatestSpecs returns the zero revision: none is kept.
func (s *Store) LatestSpecs(ctx context.Context) (store.SpecRevision, error) {
	return store.SpecRevision{}, nil
}

// Join accepts: the one process on a SQLite database has no other replica.
func (s *Store) Join(ctx context.Context, tokenHash string, within time.Duration) error { return nil }
