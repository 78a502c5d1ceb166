package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/store"
)

// AddAudit appends an audit entry, or adds a folded one to the entry with
// its fold key.
func (s *Store) AddAudit(ctx context.Context, e auth.Entry, foldKey string) error {
	var key *string
	if foldKey != "" {
		key = &foldKey
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit
		(at, last_at, who, via, role, method, route, object, service, summary, status, remote, forwarded_for, requests, fold_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (fold_key) DO UPDATE SET requests = audit.requests + excluded.requests,
			last_at = GREATEST(audit.last_at, excluded.last_at)`,
		e.At.UnixMilli(), e.LastAt.UnixMilli(), e.Who, string(e.Via), string(e.Role), e.Method, e.Route, e.Object, e.Service,
		e.Summary, e.Status, e.Remote, e.ForwardedFor, e.Count, key)
	if err != nil {
		return fmt.Errorf("store audit entry %s by %s: %w", e.Route, e.Who, err)
	}
	return nil
}

// Audit returns the entries q selects, newest first.
func (s *Store) Audit(ctx context.Context, q auth.Query) ([]auth.Entry, error) {
	query, args := store.AuditQuery(q)
	return loadRows(ctx, s, "audit trail", store.ScanAuditEntry, numbered(query), args...)
}

// numbered turns a query's ? placeholders into PostgreSQL's $1, $2, …;
// the queries it takes have no ? in a literal.
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PruneAudit deletes entries last touched before before, then all but the
// newest keep.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, keep int) (int64, error) {
	old, err := s.pool.Exec(ctx, `DELETE FROM audit WHERE last_at < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune audit entries before %s: %w", before.Format(time.RFC3339), err)
	}
	over, err := s.pool.Exec(ctx, `DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET $1)`, keep)
	if err != nil {
		return 0, fmt.Errorf("prune audit entries beyond %d: %w", keep, err)
	}
	return old.RowsAffected() + over.RowsAffected(), nil
}
