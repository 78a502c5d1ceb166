package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"

	"github.com/accord-slo/accord/internal/slo"
)

// SQLite's primary result codes for a write the disk refused.
const (
	sqliteIOErr = 10 // SQLITE_IOERR: the write failed (EFBIG, EIO, …)
	sqliteFull  = 13 // SQLITE_FULL: no space left
)

// storageFull reports whether err is a write the disk refused: no space,
// a file size limit, or an I/O error. Such writes succeed again once the
// disk has room, so callers should retry rather than give up.
func storageFull(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqliteFull || code == sqliteIOErr
}

// wrote records the outcome of a write: one the disk refused marks the
// store unwritable and becomes an unavailable error (HTTP 503, retry
// later); any success marks it writable again.
func (s *Store) wrote(err error) error {
	switch {
	case err == nil:
		s.unwritable.Store(false)
		return nil
	case storageFull(err):
		s.unwritable.Store(true)
		s.refusedAt.Store(time.Now().UnixNano())
		return &slo.Error{Code: slo.CodeUnavailable, Err: err,
			Message: "the database cannot be written (disk full or failing); nothing of this request was stored, retry later"}
	}
	return err
}

// probeAfter is how long after a refused write readiness stays failed
// unless a real write succeeds. A one-page test write can fit where the
// refused batch did not, so only then is it tried: without any write,
// readiness would stay failed, keep traffic away and never see the room
// an operator made.
const probeAfter = time.Minute

// writable says whether the last write the disk refused still stands:
// nil once a write succeeded since, or once probeAfter has passed and a
// test write succeeds.
func (s *Store) writable(ctx context.Context) error {
	if !s.unwritable.Load() {
		return nil
	}
	if since := time.Since(time.Unix(0, s.refusedAt.Load())); since < s.probeAfter {
		return &slo.Error{Code: slo.CodeUnavailable, Message: fmt.Sprintf(
			"the database refused a write %s ago (disk full or failing) and none has succeeded since", since.Round(time.Second))}
	}
	// Rewriting the schema version writes a page and commits, as any
	// write would, and changes nothing.
	_, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations)))
	return s.wrote(err)
}
