package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Record adds a write to the audit trail. A folded entry (event pushes) is
// collected in memory and written with others like it at most once a
// minute, and whenever the trail is read; any other entry is written now.
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.clock.Now()
	}
	e.LastAt, e.Count = e.At, 1
	e.Summary = clip(e.Summary, maxSummary)
	if !e.Folded {
		if err := s.store.AddAudit(ctx, e, ""); err != nil {
			return fmt.Errorf("record %s by %s in the audit trail: %w", e.Route, e.Who, err)
		}
		return nil
	}
	key := e.foldKey()
	s.mu.Lock()
	f, ok := s.folds[key]
	if !ok {
		f = &fold{entry: e, since: e.At}
		f.entry.Count = 0
		s.folds[key] = f
	}
	f.entry.Count++
	f.entry.LastAt = e.At
	due := (e.At.Sub(f.since) >= foldEvery || len(s.folds) >= maxFolds) && !e.At.Before(s.retryAt)
	s.mu.Unlock()
	if due {
		return s.Flush(ctx)
	}
	return nil
}

// Flush writes the folded entries collected in memory.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	pending := s.folds
	s.folds = map[string]*fold{}
	s.mu.Unlock()
	var errs []error
	for key, f := range pending {
		if err := s.store.AddAudit(ctx, f.entry, key); err != nil {
			errs = append(errs, err)
			s.keep(key, f)
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.mu.Lock()
		s.retryAt = s.clock.Now().Add(foldEvery)
		s.mu.Unlock()
		return fmt.Errorf("write folded audit entries: %w", err)
	}
	return nil
}

// keep puts a fold that could not be written back, merged with what came
// in since.
func (s *Service) keep(key string, f *fold) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.folds[key]; ok {
		cur.entry.Count += f.entry.Count
		cur.entry.At, cur.since = f.entry.At, f.since
		return
	}
	s.folds[key] = f
}

// Audit returns the entries q selects, newest first, after writing what
// is folded in memory so that the answer is current. A query that leaves
// folded entries out (a team page's recent changes) writes nothing: it
// would not see them, and a page view should not cost a write.
func (s *Service) Audit(ctx context.Context, q Query) ([]Entry, error) {
	if !q.Unfolded {
		if err := s.Flush(ctx); err != nil {
			s.log.Warn("audit trail read without the last event pushes", "err", err)
		}
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	return s.store.Audit(ctx, q)
}

// Prune writes what is folded and deletes the entries older than the
// retention, and the oldest beyond the bound.
func (s *Service) Prune(ctx context.Context) error {
	flushErr := s.Flush(ctx)
	n, err := s.store.PruneAudit(ctx, s.clock.Now().Add(-s.opts.Retention), s.opts.MaxEntries)
	if err != nil {
		return errors.Join(flushErr, fmt.Errorf("prune the audit trail: %w", err))
	}
	if n > 0 {
		s.log.Info("audit trail pruned", "deleted", n, "retention", s.opts.Retention.String(), "max", s.opts.MaxEntries)
	}
	return flushErr
}

// Retention is how long audit entries are kept.
func (s *Service) Retention() time.Duration { return s.opts.Retention }
