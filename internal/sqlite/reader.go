package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Reader reads the counts and annotations of a database that another
// process may be serving at the same time: accord replay reads a running
// server's history. It takes no lock, migrates nothing and writes nothing.
type Reader struct {
	s *Store
}

// OpenReader opens the database in dir for reading only.
func OpenReader(dir string) (*Reader, error) {
	path := filepath.Join(dir, "accord.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no Accord database in %s: %w", dir, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("read schema version of %s: %w", path, err)
	}
	switch {
	case version > len(migrations):
		db.Close()
		return nil, fmt.Errorf("database %s has schema version %d, newer than this Accord knows (%d)", path, version, len(migrations))
	case version < len(migrations):
		db.Close()
		return nil, fmt.Errorf("database %s has schema version %d, older than this Accord reads (%d): run this version's accord serve on it once to upgrade it",
			path, version, len(migrations))
	}
	return &Reader{s: &Store{read: db, path: path}}, nil
}

// LoadCounts calls fn with every stored count from minute since on, each
// series' oldest first.
func (r *Reader) LoadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error {
	return r.s.LoadCounts(ctx, since, fn)
}

// Annotations returns the annotations overlapping from..to, of one service
// when service is not empty, oldest first.
func (r *Reader) Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error) {
	return r.s.Annotations(ctx, service, from, to)
}

// Close closes the database.
func (r *Reader) Close() error { return r.s.read.Close() }
