package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

// AddAnnotation stores an annotation and returns it with its id.
func (s *Store) AddAnnotation(ctx context.Context, a slo.Annotation) (slo.Annotation, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return a, fmt.Errorf("encode annotation: %w", err)
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO annotations (service, start, end, body) VALUES (?, ?, ?, ?)`,
		a.Service, a.Start.UnixMilli(), store.AnnotationEnd(a).UnixMilli(), string(body))
	if err != nil {
		return a, s.wrote(fmt.Errorf("store %s annotation of %s: %w", a.Kind, a.Service, err))
	}
	a.ID, _ = res.LastInsertId()
	return a, nil
}

// Annotations returns the annotations overlapping from..to, of one service
// when service is not empty, oldest first.
func (s *Store) Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error) {
	q := `SELECT id, body FROM annotations WHERE end >= ? AND start <= ?`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if service != "" {
		q += ` AND service = ?` // apart, so the index by service serves it
		args = append(args, service)
	}
	return loadRows(ctx, s, "annotations", store.ScanBodyWithID(func(a *slo.Annotation, id int64) { a.ID = id }), q+` ORDER BY start, id`, args...)
}

// AddException stores an exception and returns it with its id.
func (s *Store) AddException(ctx context.Context, e slo.Exception) (slo.Exception, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("encode exception: %w", err)
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO exceptions (service, body) VALUES (?, ?)`, e.Service, string(body))
	if err != nil {
		return e, s.wrote(fmt.Errorf("store exception for %s: %w", e.Service, err))
	}
	e.ID, _ = res.LastInsertId()
	return e, nil
}

// RevokeException ends exception id at t, by whom; revoking it twice is a
// conflict.
func (s *Store) RevokeException(ctx context.Context, id int64, t time.Time, by string) (slo.Exception, error) {
	var body string
	if err := s.write.QueryRowContext(ctx, `SELECT body FROM exceptions WHERE id = ?`, id).Scan(&body); err != nil {
		return slo.Exception{}, slo.Errorf(slo.CodeNotFound, "no exception %d", id)
	}
	var e slo.Exception
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return e, fmt.Errorf("decode exception %d: %w", id, err)
	}
	if !e.RevokedAt.IsZero() {
		return e, slo.Errorf(slo.CodeConflict, "exception %d was revoked at %s by %s", id, e.RevokedAt.UTC().Format(time.RFC3339), e.RevokedBy)
	}
	e.ID, e.RevokedAt, e.RevokedBy = id, t, by
	b, _ := json.Marshal(e)
	if _, err := s.write.ExecContext(ctx, `UPDATE exceptions SET body = ? WHERE id = ?`, string(b), id); err != nil {
		return e, s.wrote(fmt.Errorf("revoke exception %d: %w", id, err))
	}
	return e, nil
}

// Exceptions returns every exception, oldest first.
func (s *Store) Exceptions(ctx context.Context) ([]slo.Exception, error) {
	return loadRows(ctx, s, "exceptions", store.ScanBodyWithID(func(e *slo.Exception, id int64) { e.ID = id }),
		`SELECT id, body FROM exceptions ORDER BY id`)
}
