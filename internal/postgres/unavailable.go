package postgres

import (
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accord-slo/accord/internal/slo"
)

// unavailable turns a write PostgreSQL could not take for now — the server
// unreachable or shutting down, its disk full, its connections used up, a
// failover under way — into an unavailable error (HTTP 503, retry later);
// other errors pass as they are. Nothing of such a write was committed.
func unavailable(err error) error {
	if err == nil || !transient(err) {
		return err
	}
	return &slo.Error{Code: slo.CodeUnavailable, Err: err,
		Message: "the database cannot take writes now (unreachable, full or failing over); nothing of this request was stored, retry later"}
}

// unreadable is unavailable for a read: nothing was written, the caller
// may ask again later.
func unreadable(err error) error {
	if err == nil || !transient(err) {
		return err
	}
	return &slo.Error{Code: slo.CodeUnavailable, Err: err,
		Message: "the database cannot be read now (unreachable or failing over); retry later"}
}

// transient reports whether err is one PostgreSQL recovers from on its
// own: SQLSTATE classes 08 (connection), 53 (insufficient resources: disk
// full, out of memory, too many connections) and 57P (operator
// intervention: shutdown, recovery), 25006 (a read-only standby), or no
// connection at all.
func transient(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "53") ||
			strings.HasPrefix(pg.Code, "57P") || pg.Code == "25006"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || pgconn.SafeToRetry(err) || errors.Is(err, net.ErrClosed)
}
