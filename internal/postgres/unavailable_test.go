package postgres

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accord-slo/accord/internal/slo"
)

// TestWritesPostgreSQLCannotTakeNowAreUnavailable: a full disk, a server
// shutting down or unreachable answer 503 (retry), a broken constraint
// does not.
func TestWritesPostgreSQLCannotTakeNowAreUnavailable(t *testing.T) {
	cases := []struct {
		err  error
		want slo.Code
	}{
		{&pgconn.PgError{Code: "53100"}, slo.CodeUnavailable}, // disk_full
		{&pgconn.PgError{Code: "53300"}, slo.CodeUnavailable}, // too_many_connections
		{&pgconn.PgError{Code: "57P01"}, slo.CodeUnavailable}, // admin_shutdown
		{&pgconn.PgError{Code: "08006"}, slo.CodeUnavailable}, // connection_failure
		{&pgconn.PgError{Code: "25006"}, slo.CodeUnavailable}, // read_only_sql_transaction: a standby
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, slo.CodeUnavailable},
		{&pgconn.PgError{Code: "23505"}, slo.CodeInternal}, // unique_violation: a defect, not a pause
		{errors.New("encode annotation"), slo.CodeInternal},
	}
	for _, c := range cases {
		err := unavailable(fmt.Errorf("store annotation: %w", c.err))
		if got := slo.ErrorCode(err); got != c.want {
			t.Errorf("%v: code %s, want %s", c.err, got, c.want)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%v: the cause is lost", c.err)
		}
	}
	if unavailable(nil) != nil {
		t.Error("unavailable(nil) is an error")
	}
}
