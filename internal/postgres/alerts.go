package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// SaveAlerts records alert states and the notifications they owe in one
// transaction, as the leader.
func (s *Store) SaveAlerts(ctx context.Context, alerts []engine.Alert, notes []engine.Notification) error {
	var slos, grps, rules, bodies []string
	for _, a := range alerts {
		body, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode alert %s %s: %w", a.SLO, a.Rule, err)
		}
		slos, grps, rules, bodies = append(slos, a.SLO), append(grps, a.Group), append(rules, a.Rule), append(bodies, string(body))
	}
	return s.leaderTx(ctx, fmt.Sprintf("save %d alert changes", len(alerts)), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO alerts (slo, grp, rule, body, origin)
			SELECT *, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ORDER BY 1, 2, 3
			ON CONFLICT (slo, grp, rule) DO UPDATE SET body = excluded.body, origin = excluded.origin, txid = pg_current_xact_id()`,
			slos, grps, rules, bodies, s.origin); err != nil {
			return fmt.Errorf("save alerts: %w", err)
		}
		return insertNotes(ctx, tx, notes)
	})
}

// SavePolicyStates records policy states and the notifications their
// changes owe in one transaction, as the leader.
func (s *Store) SavePolicyStates(ctx context.Context, states []engine.PolicyRecord, notes []engine.Notification) error {
	var slos, bodies []string
	for _, r := range states {
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode policy state of %s: %w", r.SLO, err)
		}
		slos, bodies = append(slos, r.SLO), append(bodies, string(body))
	}
	return s.leaderTx(ctx, fmt.Sprintf("save %d policy state changes", len(states)), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO policy_states (slo, body, origin)
			SELECT *, $3 FROM unnest($1::text[], $2::text[]) ORDER BY 1
			ON CONFLICT (slo) DO UPDATE SET body = excluded.body, origin = excluded.origin, txid = pg_current_xact_id()`,
			slos, bodies, s.origin); err != nil {
			return fmt.Errorf("save policy states: %w", err)
		}
		return insertNotes(ctx, tx, notes)
	})
}

// SaveSourceStates records the health of SLOs' sources, as the leader.
func (s *Store) SaveSourceStates(ctx context.Context, states map[string]engine.SourceState) error {
	var slos, bodies []string
	for id, st := range states {
		body, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode source state of %s: %w", id, err)
		}
		slos, bodies = append(slos, id), append(bodies, string(body))
	}
	return s.leaderTx(ctx, fmt.Sprintf("save %d source states", len(states)), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO source_states (slo, body, origin)
			SELECT *, $3 FROM unnest($1::text[], $2::text[]) ORDER BY 1
			ON CONFLICT (slo) DO UPDATE SET body = excluded.body, origin = excluded.origin, txid = pg_current_xact_id()`,
			slos, bodies, s.origin)
		return err
	})
}

// LoadSourceStates returns every saved source state, by SLO.
func (s *Store) LoadSourceStates(ctx context.Context) (map[string]engine.SourceState, error) {
	rows, err := s.pool.Query(ctx, `SELECT slo, body FROM source_states`)
	if err != nil {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	out := map[string]engine.SourceState{}
	var id, body string
	_, err = pgx.ForEachRow(rows, []any{&id, &body}, func() error {
		var st engine.SourceState
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return fmt.Errorf("decode source state of %s: %w", id, err)
		}
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	return out, nil
}

// leaderTx runs fn in a transaction that first checks this store still
// leads.
func (s *Store) leaderTx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.fence(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// insertNotes adds notifications to the outbox within tx, their ids in
// the order given.
func insertNotes(ctx context.Context, tx pgx.Tx, notes []engine.Notification) error {
	if len(notes) == 0 {
		return nil
	}
	var slos, bodies []string
	var ats []int64
	for _, n := range notes {
		body, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encode notification: %w", err)
		}
		slos, ats, bodies = append(slos, store.NotificationSLO(n)), append(ats, n.At.UnixMilli()), append(bodies, string(body))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notifications (slo, at, body)
		SELECT slo, at, body FROM unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS n(slo, at, body, i) ORDER BY i`,
		slos, ats, bodies); err != nil {
		return fmt.Errorf("save %d notifications: %w", len(notes), err)
	}
	return nil
}

// LoadAlerts returns every saved alert state.
func (s *Store) LoadAlerts(ctx context.Context) ([]engine.Alert, error) {
	return loadRows(ctx, s, "alerts", store.ScanBody[engine.Alert], `SELECT body FROM alerts`)
}

// LoadPolicyStates returns every saved policy state.
func (s *Store) LoadPolicyStates(ctx context.Context) ([]engine.PolicyRecord, error) {
	return loadRows(ctx, s, "policy states", store.ScanBody[engine.PolicyRecord], `SELECT body FROM policy_states`)
}

// Notifications returns up to limit notifications after id afterID,
// oldest first; for one SLO when slo is not empty.
func (s *Store) Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error) {
	return loadRows(ctx, s, fmt.Sprintf("notifications after %d", afterID),
		store.ScanBodyWithID(func(n *engine.Notification, id int64) { n.ID = id }),
		`SELECT id, body FROM notifications WHERE id > $1 AND ($2 = '' OR slo = $2) ORDER BY id LIMIT $3`, afterID, slo, limit)
}

// Cursor returns the last notification id a channel delivered; a channel
// seen for the first time starts after the newest notification, so it is
// not flooded with history.
func (s *Store) Cursor(ctx context.Context, channel string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT last_id FROM cursors WHERE channel = $1`, channel).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("read cursor for %s: %w", channel, err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO cursors (channel, last_id)
		SELECT $1, COALESCE(MAX(id), 0) FROM notifications ON CONFLICT (channel) DO NOTHING`, channel); err != nil {
		return 0, fmt.Errorf("start cursor for %s: %w", channel, err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT last_id FROM cursors WHERE channel = $1`, channel).Scan(&id); err != nil {
		return 0, fmt.Errorf("read cursor for %s: %w", channel, err)
	}
	return id, nil
}

// ClaimNotifications records, as the leader and under its lease epoch,
// that it is about to send a channel the notifications after id after up
// to id upto.
func (s *Store) ClaimNotifications(ctx context.Context, channel string, after, upto int64) error {
	what := fmt.Sprintf("claim notifications %d to %d for %s", after+1, upto, channel)
	var epoch int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if epoch, err = s.fence(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE cursors SET claimed_upto = $1, claim_holder = $2, claim_epoch = $3
			WHERE channel = $4 AND last_id = $5`, upto, s.origin, epoch, channel, after)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrCursorMoved
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, unavailable(err))
	}
	s.mu.Lock()
	s.claims[channel] = epoch
	s.mu.Unlock()
	return nil
}

// SetCursor records that a channel delivered every notification up to id
// within this store's last claim. It takes no lease: what was sent under
// the claim was sent, and recording it spares a repeat; but a later
// leader's claim wins, and then nothing changes.
func (s *Store) SetCursor(ctx context.Context, channel string, id int64) error {
	s.mu.Lock()
	epoch := s.claims[channel]
	s.mu.Unlock()
	tag, err := s.pool.Exec(ctx, `UPDATE cursors SET last_id = $1
		WHERE channel = $2 AND claim_holder = $3 AND claim_epoch = $4 AND claimed_upto >= $1 AND last_id < $1`,
		id, channel, s.origin, epoch)
	if err != nil {
		return unavailable(fmt.Errorf("advance cursor for %s to %d: %w", channel, id, err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("advance cursor for %s to %d: not claimed by this replica's leadership: %w", channel, id, store.ErrNotLeader)
	}
	return nil
}
