package replay

import (
	"context"
	"sync"

	"github.com/accord-slo/accord/internal/engine"
)

var _ engine.Store = (*recorder)(nil)

// recorder is the engine's store during a replay: it keeps nothing the
// engine does not need back (it holds its counts itself) and records every
// alert and policy change the engine saves, which is what a replay reports.
type recorder struct {
	mu       sync.Mutex
	notes    []engine.Notification // alert changes, in order
	policies []engine.PolicyRecord // policy states, in order
}

// AddCounts keeps nothing: the engine holds the counts it evaluates.
func (r *recorder) AddCounts(context.Context, []engine.Count) error { return nil }

// AddSlices keeps nothing either: a replay has no other replica.
func (r *recorder) AddSlices(context.Context, []engine.Count) error { return nil }

// LoadCounts has nothing to load: a replay starts empty.
func (r *recorder) LoadCounts(context.Context, int64, func(engine.Count) error) error { return nil }

// SaveAlerts records the notifications alert changes owe.
func (r *recorder) SaveAlerts(_ context.Context, _ []engine.Alert, notes []engine.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, notes...)
	return nil
}

// LoadAlerts has nothing to load.
func (r *recorder) LoadAlerts(context.Context) ([]engine.Alert, error) { return nil, nil }

// SavePolicyStates records every policy state, the first one included.
func (r *recorder) SavePolicyStates(_ context.Context, states []engine.PolicyRecord, _ []engine.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.policies = append(r.policies, states...)
	return nil
}

// LoadPolicyStates has nothing to load.
func (r *recorder) LoadPolicyStates(context.Context) ([]engine.PolicyRecord, error) { return nil, nil }

// Prune has nothing to forget.
func (r *recorder) Prune(context.Context, int64) error { return nil }

// Compact has nothing to fold.
func (r *recorder) Compact(context.Context, int64) error { return nil }
