package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

var _ auth.Store = (*Store)(nil)

// CreateToken stores a token; an unrevoked token of the same name is a
// conflict.
func (s *Store) CreateToken(ctx context.Context, t auth.Token) (auth.Token, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO tokens (name, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Name, string(t.Role), t.Hash, t.CreatedAt.UnixMilli(), t.CreatedBy, store.MillisOrNull(t.ExpiresAt))
	if isUniqueViolation(err) {
		return t, slo.Errorf(slo.CodeConflict, "a token named %s exists; revoke it first or choose another name", t.Name)
	}
	if err != nil {
		return t, s.wrote(fmt.Errorf("store token %s: %w", t.Name, err))
	}
	t.ID, _ = res.LastInsertId()
	return t, nil
}

// TokenByHash returns the unrevoked token with the hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	t, err := store.ScanToken(s.tokenByHash.QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, slo.Errorf(slo.CodeNotFound, "no such token")
	}
	if err != nil {
		return t, fmt.Errorf("look up token: %w", err)
	}
	return t, nil
}

// Tokens returns every token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]auth.Token, error) {
	return loadRows(ctx, s, "tokens", store.ScanToken, `SELECT `+store.TokenColumns+` FROM tokens ORDER BY id`)
}

// RevokeToken revokes the unrevoked token named name.
func (s *Store) RevokeToken(ctx context.Context, name string, at time.Time, by string) (auth.Token, error) {
	t, err := store.ScanToken(s.write.QueryRowContext(ctx, `UPDATE tokens SET revoked_at = ?, revoked_by = ? WHERE name = ? AND revoked_at IS NULL RETURNING `+store.TokenColumns,
		at.UnixMilli(), by, name))
	if errors.Is(err, sql.ErrNoRows) {
		return t, slo.Errorf(slo.CodeNotFound, "no token named %s (accord token list shows them)", name)
	}
	if err != nil {
		return t, s.wrote(fmt.Errorf("revoke token %s: %w", name, err))
	}
	return t, nil
}

// TouchToken records a token's last use.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE tokens SET last_used = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
		return s.wrote(fmt.Errorf("record last use of token %d: %w", id, err))
	}
	return nil
}

// isUniqueViolation reports whether err is SQLite's UNIQUE constraint
// failure (SQLITE_CONSTRAINT_UNIQUE, 2067).
func isUniqueViolation(err error) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code() == 2067
}
