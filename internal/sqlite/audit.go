package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/store"
)

// AddAudit appends an audit entry, or adds a folded one to the entry with
// its fold key.
func (s *Store) AddAudit(ctx context.Context, e auth.Entry, foldKey string) error {
	var key any
	if foldKey != "" {
		key = foldKey
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO audit
		(at, last_at, who, via, role, method, route, object, service, summary, status, remote, forwarded_for, requests, fold_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fold_key) DO UPDATE SET requests = requests + excluded.requests, last_at = max(last_at, excluded.last_at)`,
		e.At.UnixMilli(), e.LastAt.UnixMilli(), e.Who, string(e.Via), string(e.Role), e.Method, e.Route, e.Object, e.Service,
		e.Summary, e.Status, e.Remote, e.ForwardedFor, e.Count, key)
	if err != nil {
		return s.wrote(fmt.Errorf("store audit entry %s by %s: %w", e.Route, e.Who, err))
	}
	return nil
}

// Audit returns the entries q selects, newest first.
func (s *Store) Audit(ctx context.Context, q auth.Query) ([]auth.Entry, error) {
	query, args := store.AuditQuery(q)
	return loadRows(ctx, s, "audit trail", store.ScanAuditEntry, query, args...)
}

// PruneAudit deletes entries last touched before before, then all but the
// newest keep.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, keep int) (int64, error) {
	old, err := s.write.ExecContext(ctx, `DELETE FROM audit WHERE last_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune audit entries before %s: %w", before.Format(time.RFC3339), err)
	}
	over, err := s.write.ExecContext(ctx, `DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)`, keep)
	if err != nil {
		return 0, fmt.Errorf("prune audit entries beyond %d: %w", keep, err)
	}
	n1, _ := old.RowsAffected()
	n2, _ := over.RowsAffected()
	return n1 + n2, nil
}
