package postgres

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPassfileOf(t *testing.T) {
	t.Setenv("PGPASSFILE", "/etc/accord/env-pgpass")
	for _, c := range []struct{ dsn, want string }{
		{"postgres://accord@db:5432/accord?passfile=/etc/accord/pgpass", "/etc/accord/pgpass"},
		{"postgres://accord@db:5432/accord", "/etc/accord/env-pgpass"},
		{"postgres://accord:inline@db:5432/accord?passfile=/etc/accord/pgpass", ""},
		{"host=db user=accord passfile=/etc/accord/kv-pgpass dbname=accord", "/etc/accord/kv-pgpass"},
		{"host=db user=accord password=inline", ""},
	} {
		if got := passfileOf(c.dsn); got != c.want {
			t.Errorf("passfileOf(%q) = %q, want %q", c.dsn, got, c.want)
		}
	}
}

// TestPasswordIsReadForEveryConnection: a rotated password file reaches
// the next connection.
func TestPasswordIsReadForEveryConnection(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pgpass")
	before := readPassword(file)
	for _, pw := range []string{"first", "second"} {
		if err := os.WriteFile(file, []byte("db:5432:accord:accord:"+pw+"\n*:*:*:other:nope\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cc := &pgx.ConnConfig{}
		cc.Host, cc.Port, cc.Database, cc.User = "db", 5432, "accord", "accord"
		if err := before(context.Background(), cc); err != nil {
			t.Fatal(err)
		}
		if cc.Password != pw {
			t.Errorf("password %q, want %q", cc.Password, pw)
		}
	}
}
