package postgres

import (
	"context"
	"fmt"
	"time"
)

// settleWait is how long settle waits between asking.
const settleWait = 100 * time.Millisecond

// settle tells whether transaction xid, whose COMMIT failed with err,
// committed after all: a connection lost while the server committed
// reports a failure for a write that is stored. The server's own record
// of the transaction answers, asked on another connection until it knows
// or ctx ends: nil if it committed, err if it did not. Without an answer
// the error says the outcome is unknown.
func (s *Store) settle(ctx context.Context, xid string, err error) error {
	for {
		var status *string
		qerr := s.pool.QueryRow(ctx, `SELECT pg_xact_status($1::xid8)`, xid).Scan(&status)
		switch {
		case qerr != nil: // the database does not answer yet: ask again
		case status == nil: // older than the server keeps: cannot happen within ctx's minute
			return fmt.Errorf("commit transaction %s (whether it committed is unknown): %w", xid, err)
		case *status == "committed":
			return nil
		case *status == "aborted":
			return fmt.Errorf("commit transaction %s: %w", xid, err)
		}
		// "in progress": the server has not finished the COMMIT yet.
		select {
		case <-ctx.Done():
			return fmt.Errorf("commit transaction %s (whether it committed is unknown: %v): %w", xid, qerr, err)
		case <-time.After(settleWait):
		}
	}
}
