package sqlite

import (
	"context"
	"time"
)

// checkpointEvery is how often the checkpointer copies what the WAL holds
// into the database file.
const checkpointEvery = time.Second

// checkpointer checkpoints the WAL every checkpointEvery until the store
// closes. The writer does not: SQLite's automatic checkpoint runs in the
// commit that takes the WAL past 1,000 pages, and copying those pages
// into the database and syncing it held that commit, and every commit
// waiting behind it, for a tenth of a second to half a second under a
// backlog. A passive checkpoint on a connection of its own runs beside
// the writer and waits for no one.
func (s *Store) checkpointer() {
	defer close(s.checkpointed)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.stopMerge:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		// A failure (a full disk) leaves the pages in the WAL, where
		// readers find them; the next tick tries again.
		_, _ = s.read.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		cancel()
	}
}
