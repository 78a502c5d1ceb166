package sqlite

import (
	"errors"

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
		return &slo.Error{Code: slo.CodeUnavailable, Err: err,
			Message: "the database cannot be written (disk full or failing); nothing of this request was stored, retry later"}
	}
	return err
}
