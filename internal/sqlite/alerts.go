package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// SaveAlerts records alert states and the notifications they owe in one
// transaction.
func (s *Store) SaveAlerts(ctx context.Context, alerts []engine.Alert, notes []engine.Notification) error {
	return s.wrote(s.saveAlerts(ctx, alerts, notes))
}

func (s *Store) saveAlerts(ctx context.Context, alerts []engine.Alert, notes []engine.Notification) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin alert transaction: %w", err)
	}
	defer tx.Rollback()
	for _, a := range alerts {
		body, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode alert %s %s: %w", a.SLO, a.Rule, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (slo, grp, rule, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (slo, grp, rule) DO UPDATE SET body = excluded.body`, a.SLO, a.Group, a.Rule, string(body)); err != nil {
			return fmt.Errorf("save alert %s %s: %w", a.SLO, a.Rule, err)
		}
	}
	if err := insertNotes(ctx, tx, notes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %d alert changes: %w", len(alerts), err)
	}
	return nil
}

// SavePolicyStates records policy states and the notifications their
// changes owe in one transaction.
func (s *Store) SavePolicyStates(ctx context.Context, states []engine.PolicyRecord, notes []engine.Notification) error {
	return s.wrote(s.savePolicyStates(ctx, states, notes))
}

func (s *Store) savePolicyStates(ctx context.Context, states []engine.PolicyRecord, notes []engine.Notification) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin policy transaction: %w", err)
	}
	defer tx.Rollback()
	for _, r := range states {
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode policy state of %s: %w", r.SLO, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_states (slo, body) VALUES (?, ?)
			ON CONFLICT (slo) DO UPDATE SET body = excluded.body`, r.SLO, string(body)); err != nil {
			return fmt.Errorf("save policy state of %s: %w", r.SLO, err)
		}
	}
	if err := insertNotes(ctx, tx, notes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %d policy changes: %w", len(states), err)
	}
	return nil
}

// SaveSourceStates records the health of SLOs' sources.
func (s *Store) SaveSourceStates(ctx context.Context, states map[string]engine.SourceState) error {
	return s.wrote(s.saveSourceStates(ctx, states))
}

func (s *Store) saveSourceStates(ctx context.Context, states map[string]engine.SourceState) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin source state transaction: %w", err)
	}
	defer tx.Rollback()
	for id, st := range states {
		body, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode source state of %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO source_states (slo, body) VALUES (?, ?)
			ON CONFLICT (slo) DO UPDATE SET body = excluded.body`, id, string(body)); err != nil {
			return fmt.Errorf("save source state of %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %d source states: %w", len(states), err)
	}
	return nil
}

// LoadSourceStates returns every saved source state, by SLO.
func (s *Store) LoadSourceStates(ctx context.Context) (map[string]engine.SourceState, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT slo, body FROM source_states`)
	if err != nil {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	defer rows.Close()
	out := map[string]engine.SourceState{}
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("read source state: %w", err)
		}
		var st engine.SourceState
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return nil, fmt.Errorf("decode source state of %s: %w", id, err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// LoadPolicyStates returns every saved policy state.
func (s *Store) LoadPolicyStates(ctx context.Context) ([]engine.PolicyRecord, error) {
	return loadRows(ctx, s, "policy states", store.ScanBody[engine.PolicyRecord], `SELECT body FROM policy_states`)
}

// insertNotes adds notifications to the outbox within tx.
func insertNotes(ctx context.Context, tx *sql.Tx, notes []engine.Notification) error {
	for _, n := range notes {
		body, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encode notification: %w", err)
		}
		slo := store.NotificationSLO(n)
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (slo, at, body) VALUES (?, ?, ?)`,
			slo, n.At.UnixMilli(), string(body)); err != nil {
			return fmt.Errorf("save notification for %s: %w", slo, err)
		}
	}
	return nil
}

// LoadAlerts returns every saved alert state.
func (s *Store) LoadAlerts(ctx context.Context) ([]engine.Alert, error) {
	return loadRows(ctx, s, "alerts", store.ScanBody[engine.Alert], `SELECT body FROM alerts`)
}

// Notifications returns up to limit notifications after id afterID,
// oldest first; for one SLO when slo is not empty.
func (s *Store) Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error) {
	q := `SELECT id, body FROM notifications WHERE id > ? ORDER BY id LIMIT ?`
	args := []any{afterID, limit}
	if slo != "" { // apart, so the index by SLO serves it
		q = `SELECT id, body FROM notifications WHERE id > ? AND slo = ? ORDER BY id LIMIT ?`
		args = []any{afterID, slo, limit}
	}
	return loadRows(ctx, s, fmt.Sprintf("notifications after %d", afterID),
		store.ScanBodyWithID(func(n *engine.Notification, id int64) { n.ID = id }), q, args...)
}

// Cursor returns the last notification id a channel delivered; a channel
// seen for the first time starts after the newest notification, so it is
// not flooded with history.
func (s *Store) Cursor(ctx context.Context, channel string) (int64, error) {
	var id int64
	err := s.write.QueryRowContext(ctx, `SELECT last_id FROM cursors WHERE channel = ?`, channel).Scan(&id)
	if err == nil {
		return id, nil
	}
	if _, err := s.write.ExecContext(ctx, `INSERT OR IGNORE INTO cursors (channel, last_id)
		SELECT ?, COALESCE(MAX(id), 0) FROM notifications`, channel); err != nil {
		return 0, fmt.Errorf("start cursor for %s: %w", channel, err)
	}
	if err := s.write.QueryRowContext(ctx, `SELECT last_id FROM cursors WHERE channel = ?`, channel).Scan(&id); err != nil {
		return 0, fmt.Errorf("read cursor for %s: %w", channel, err)
	}
	return id, nil
}

// ClaimNotifications checks that the channel's cursor is at after: the
// one process on a SQLite database always leads, so there is nothing more
// to claim.
func (s *Store) ClaimNotifications(ctx context.Context, channel string, after, upto int64) error {
	var id int64
	if err := s.write.QueryRowContext(ctx, `SELECT last_id FROM cursors WHERE channel = ?`, channel).Scan(&id); err != nil {
		return fmt.Errorf("claim notifications %d to %d for %s: %w", after+1, upto, channel, err)
	}
	if id != after {
		return fmt.Errorf("claim notifications %d to %d for %s: %w", after+1, upto, channel, store.ErrCursorMoved)
	}
	return nil
}

// SetCursor records that a channel delivered every notification up to id.
func (s *Store) SetCursor(ctx context.Context, channel string, id int64) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE cursors SET last_id = ? WHERE channel = ?`, id, channel); err != nil {
		return fmt.Errorf("advance cursor for %s to %d: %w", channel, id, err)
	}
	return nil
}
