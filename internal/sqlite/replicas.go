package sqlite

import (
	"context"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

var _ store.Store = (*Store)(nil)

// PullChanges has nothing to return: an SQLite database has one process
// (Open locks the data directory), and it counts its own writes as it
// makes them. Several replicas need PostgreSQL.
func (s *Store) PullChanges(context.Context) (store.Changes, error) { return store.Changes{}, nil }

// Campaign always wins: the one process on an SQLite database leads.
func (s *Store) Campaign(context.Context, time.Duration) (bool, error) { return true, nil }

// AddSlices adds judged slices as AddCounts does: the one process on an
// SQLite database always leads.
func (s *Store) AddSlices(ctx context.Context, slices []engine.Count) error {
	return s.AddCounts(ctx, slices)
}

// Resign has no one to hand the leadership to.
func (s *Store) Resign(context.Context) error { return nil }
