package postgres

import (
	"context"
	"fmt"

	"github.com/accord-slo/accord/internal/store"
)

// loadRows reads every row q returns with scan; what names them in errors.
func loadRows[T any](ctx context.Context, s *Store, what string, scan func(store.Scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, unreadable(fmt.Errorf("load %s: %w", what, err))
	}
	defer rows.Close()
	out, err := store.Collect(rows, scan)
	if err != nil {
		return nil, unreadable(fmt.Errorf("read %s: %w", what, err))
	}
	return out, nil
}
