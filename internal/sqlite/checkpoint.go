package sqlite

import (
	"context"
	"fmt"
	"time"
)

// checkpointEvery is how often the checkpointer copies what the WAL holds
// into the database file.
const checkpointEvery = time.Second

// autoCheckpoint is how many pages the WAL holds before the writer's
// commit checkpoints it (16 MiB; SQLite's default is 1,000 pages).
const autoCheckpoint = 4096

// checkpointer checkpoints the WAL every checkpointEvery until the store
// closes. SQLite's automatic checkpoint runs in the commit that finds the
// WAL past its limit, and copying the pages into the database and syncing
// it held that commit, and every commit waiting behind it, for a tenth of
// a second to half a second under a backlog. A passive checkpoint on a
// connection of its own copies them beside the writer and waits for no
// one. The writer keeps an automatic checkpoint, at a higher limit
// (autoCheckpoint), which then copies only the last pages: SQLite starts
// the WAL again from its beginning only when a write begins with every
// page of it copied, which a checkpoint beside a busy writer never sees,
// and without one the WAL grew by gigabytes under a backlog.
func (s *Store) checkpointer() {
	defer close(s.checkpointed)
	// A failure (a full disk) leaves the pages in the WAL, where readers
	// find them; the next tick tries again.
	s.every(checkpointEvery, nil, func(ctx context.Context) { _ = s.checkpoint(ctx) })
}

// checkpoint copies the WAL into the database beside the writer.
func (s *Store) checkpoint(ctx context.Context) error {
	if _, err := s.read.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		return fmt.Errorf("checkpoint the WAL of %s: %w", s.path, err)
	}
	return nil
}
