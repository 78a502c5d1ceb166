package postgres

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5"
)

// passfileOf returns the password file a database URL takes its password
// from: its passfile parameter, else PGPASSFILE; "" when the URL carries
// the password itself or names no file.
func passfileOf(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		if _, ok := u.User.Password(); ok {
			return ""
		}
		if p := u.Query().Get("passfile"); p != "" {
			return p
		}
	} else if strings.Contains(dsn, "password=") {
		return ""
	} else if i := strings.Index(dsn, "passfile="); i >= 0 {
		return strings.Fields(dsn[i+len("passfile="):] + " ")[0]
	}
	return os.Getenv("PGPASSFILE")
}

// readPassword reads the password for a connection from the password file
// anew, so that a rotated password reaches every new connection without a
// restart.
func readPassword(file string) func(context.Context, *pgx.ConnConfig) error {
	return func(_ context.Context, cc *pgx.ConnConfig) error {
		pf, err := pgpassfile.ReadPassfile(file)
		if err != nil {
			return fmt.Errorf("read the PostgreSQL password file: %w", err)
		}
		if pw := pf.FindPassword(cc.Host, strconv.Itoa(int(cc.Port)), cc.Database, cc.User); pw != "" {
			cc.Password = pw
		}
		return nil
	}
}
