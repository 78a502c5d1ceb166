package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

// AddAnnotation stores an annotation and returns it with its id.
func (s *Store) AddAnnotation(ctx context.Context, a slo.Annotation) (slo.Annotation, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return a, fmt.Errorf("encode annotation: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `INSERT INTO annotations (service, start_ms, end_ms, body, origin) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.Service, a.Start.UnixMilli(), store.AnnotationEnd(a).UnixMilli(), string(body), s.origin).Scan(&a.ID); err != nil {
		return a, unavailable(fmt.Errorf("store %s annotation of %s: %w", a.Kind, a.Service, err))
	}
	return a, nil
}

// Annotations returns the annotations overlapping from..to, of one service
// when service is not empty, oldest first.
func (s *Store) Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error) {
	return loadRows(ctx, s, "annotations", store.ScanBodyWithID(func(a *slo.Annotation, id int64) { a.ID = id }),
		`SELECT id, body FROM annotations WHERE end_ms >= $1 AND start_ms <= $2 AND ($3 = '' OR service = $3) ORDER BY start_ms, id`,
		from.UnixMilli(), to.UnixMilli(), service)
}

// AddException stores an exception and returns it with its id.
func (s *Store) AddException(ctx context.Context, e slo.Exception) (slo.Exception, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("encode exception: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `INSERT INTO exceptions (service, body) VALUES ($1, $2) RETURNING id`,
		e.Service, string(body)).Scan(&e.ID); err != nil {
		return e, unavailable(fmt.Errorf("store exception for %s: %w", e.Service, err))
	}
	return e, nil
}

// RevokeException ends exception id at t, by whom; revoking it twice is a
// conflict.
func (s *Store) RevokeException(ctx context.Context, id int64, t time.Time, by string) (slo.Exception, error) {
	var e slo.Exception
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var body string
		err := tx.QueryRow(ctx, `SELECT body FROM exceptions WHERE id = $1 FOR UPDATE`, id).Scan(&body)
		if errors.Is(err, pgx.ErrNoRows) {
			return slo.Errorf(slo.CodeNotFound, "no exception %d", id)
		}
		if err != nil {
			return fmt.Errorf("read exception %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return fmt.Errorf("decode exception %d: %w", id, err)
		}
		if !e.RevokedAt.IsZero() {
			return slo.Errorf(slo.CodeConflict, "exception %d was revoked at %s by %s", id, e.RevokedAt.UTC().Format(time.RFC3339), e.RevokedBy)
		}
		e.ID, e.RevokedAt, e.RevokedBy = id, t, by
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode exception %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE exceptions SET body = $1 WHERE id = $2`, string(b), id); err != nil {
			return fmt.Errorf("revoke exception %d: %w", id, err)
		}
		return nil
	})
	return e, unavailable(err)
}

// Exceptions returns every exception, oldest first.
func (s *Store) Exceptions(ctx context.Context) ([]slo.Exception, error) {
	return loadRows(ctx, s, "exceptions", store.ScanBodyWithID(func(e *slo.Exception, id int64) { e.ID = id }),
		`SELECT id, body FROM exceptions ORDER BY id`)
}
