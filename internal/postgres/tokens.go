package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/slo"
)

var _ auth.Store = (*Store)(nil)

const tokenColumns = `id, name, role, hash, created_at, created_by, expires_at, last_used, revoked_at, revoked_by`

// CreateToken stores a token; an unrevoked token of the same name is a
// conflict.
func (s *Store) CreateToken(ctx context.Context, t auth.Token) (auth.Token, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO tokens (name, role, hash, created_at, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.Name, string(t.Role), t.Hash, t.CreatedAt.UnixMilli(), t.CreatedBy, millisOrNull(t.ExpiresAt)).Scan(&t.ID)
	if isUniqueViolation(err) {
		return t, slo.Errorf(slo.CodeConflict, "a token named %s exists; revoke it first or choose another name", t.Name)
	}
	if err != nil {
		return t, fmt.Errorf("store token %s: %w", t.Name, err)
	}
	return t, nil
}

// TokenByHash returns the unrevoked token with the hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 AND revoked_at IS NULL`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, slo.Errorf(slo.CodeNotFound, "no such token")
	}
	if err != nil {
		return t, fmt.Errorf("look up token: %w", err)
	}
	return t, nil
}

// Tokens returns every token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]auth.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load tokens: %w", err)
	}
	defer rows.Close()
	out := []auth.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("read token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes the unrevoked token named name.
func (s *Store) RevokeToken(ctx context.Context, name string, at time.Time, by string) (auth.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `UPDATE tokens SET revoked_at = $1, revoked_by = $2
		WHERE name = $3 AND revoked_at IS NULL RETURNING `+tokenColumns, at.UnixMilli(), by, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, slo.Errorf(slo.CodeNotFound, "no token named %s (accord token list shows them)", name)
	}
	if err != nil {
		return t, fmt.Errorf("revoke token %s: %w", name, err)
	}
	return t, nil
}

// TouchToken records a token's last use.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE tokens SET last_used = $1 WHERE id = $2`, at.UnixMilli(), id); err != nil {
		return fmt.Errorf("record last use of token %d: %w", id, err)
	}
	return nil
}

func scanToken(row pgx.Row) (auth.Token, error) {
	var t auth.Token
	var role string
	var created int64
	var expires, used, revoked *int64
	if err := row.Scan(&t.ID, &t.Name, &role, &t.Hash, &created, &t.CreatedBy, &expires, &used, &revoked, &t.RevokedBy); err != nil {
		return t, err
	}
	t.Role, t.CreatedAt = auth.Role(role), time.UnixMilli(created).UTC()
	t.ExpiresAt, t.LastUsed, t.RevokedAt = timeOrZero(expires), timeOrZero(used), timeOrZero(revoked)
	return t, nil
}

// millisOrNull stores a zero time as NULL.
func millisOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

func timeOrZero(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation
// (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
