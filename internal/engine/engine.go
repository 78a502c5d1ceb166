// Package engine measures SLOs: it keeps their counts, computes budgets and
// burn rates, and runs their burn-rate alerts. Time comes from a Clock and
// everything it must not lose goes through a Store.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Options configure an Engine.
type Options struct {
	Catalog slo.Catalog
	Store   Store
	Clock   Clock
	Logger  *slog.Logger
	// ExternalURL is where people reach Accord, for links in alerts.
	ExternalURL string
}

// Engine evaluates a catalog's SLOs. Its methods are safe for concurrent use.
type Engine struct {
	opts    Options
	clock   Clock
	store   Store
	log     *slog.Logger
	catalog slo.Catalog

	mu      sync.RWMutex
	evalMu  sync.Mutex // one Evaluate at a time
	slos    map[string]*sloState
	order   []string // SLO IDs in catalog order
	streams map[string][]*sloState
	// changed is closed and replaced whenever notifications are saved.
	changed chan struct{}
	touch   touched
}

// sloState is one SLO's live state.
type sloState struct {
	def    slo.SLO
	owners slo.Owners
	rules  []slo.BurnRateAlert
	// windows are the windows burn rates are reported over: BurnWindows,
	// every window of the SLO's rules and those its policy reads.
	windows []time.Duration
	span    time.Duration
	groups  map[string]*group
	// all counts every group together; for an SLO without grouping it is
	// the one group.
	all    *group
	source SourceState
	policy slo.Policy
	// required is how many events (or slices) the policy needs in the
	// window before it judges the budget.
	required float64
	prec     PolicyRecord // the policy state, with hysteresis
	// exclusions are maintenance windows taken out of the budget.
	exclusions []minuteSpan
}

// allGroups is the group key of a grouped SLO's SLO-wide counts.
const allGroups = "*"

// group is one label set of an SLO (the only one without grouping).
type group struct {
	key    string
	labels map[string]string
	events *Series
	// slices holds judged slices for timeslice budgeting; nil otherwise.
	slices *Series
	// judge says which slices to judge next; nil without slices.
	judge  *sliceJudge
	status Status
	alerts map[string]*Alert // by rule name
}

// SourceState is the health of an SLO's data source.
type SourceState struct {
	// Stale is true while the source fails: the SLO's numbers are not
	// current and its alerts hold their state.
	Stale      bool      `json:"stale"`
	StaleSince time.Time `json:"staleSince,omitzero"`
	Error      string    `json:"error,omitempty"`
	// LastSuccess is when the source last answered.
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	// Backfill is the share of the window loaded from the source, 0..1.
	Backfill float64 `json:"backfill"`
	// NotMeasured says why Accord does not measure the SLO at all, such as
	// "source kind Datadog" (slo.Indicator.NotMeasured); empty otherwise.
	NotMeasured string `json:"notMeasured,omitempty"`
}

// New returns an engine for the catalog's SLOs. Call Restore before use.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		opts: opts, clock: opts.Clock, store: opts.Store, log: opts.Logger, catalog: opts.Catalog,
		slos: map[string]*sloState{}, streams: map[string][]*sloState{}, changed: make(chan struct{}),
		touch: newTouched(),
	}
	for _, def := range opts.Catalog.SLOs {
		st := &sloState{
			def: def, owners: opts.Catalog.EffectiveOwners(def), rules: Rules(&def),
			span: span(def.Window),
		}
		if def.Indicator.Pushed() {
			st.source.Backfill = 1 // pushed data needs no backfill
		}
		st.source.NotMeasured = def.Indicator.NotMeasured()
		st.policy, _ = opts.Catalog.Policy(def.Policy) // the loader gave it the service's policy
		st.windows = reportedWindows(st.rules, st.policy)
		st.required = st.policy.RequiredEvents(def.Objective)
		st.resetCounts()
		e.slos[def.ID()] = st
		e.order = append(e.order, def.ID())
		if def.Indicator.Pushed() {
			e.streams[def.Indicator.Stream] = append(e.streams[def.Indicator.Stream], st)
		}
	}
	return e
}

// Catalog returns the catalog the engine evaluates.
func (e *Engine) Catalog() slo.Catalog { return e.catalog }

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Changed returns a channel closed the next time notifications are saved.
func (e *Engine) Changed() <-chan struct{} {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.changed
}

func (st *sloState) timeslices() bool {
	m := st.def.Budgeting.Method
	return m == slo.Timeslices || m == slo.RatioTimeslices
}

// group returns the SLO's group for key, creating it.
func (st *sloState) group(key string) *group {
	if key == allGroups {
		return st.all
	}
	g, ok := st.groups[key]
	if !ok {
		g = st.newGroup(key)
		st.groups[key] = g
	}
	return g
}

func (st *sloState) newGroup(key string) *group {
	g := &group{key: key, events: NewSeries(st.span), alerts: map[string]*Alert{}}
	if key != allGroups {
		g.labels = GroupLabels(key)
	}
	if st.timeslices() {
		g.slices = NewSeries(st.span)
		g.judge = newSliceJudge()
	}
	return g
}

// Restore loads stored counts and alert states, replacing the counts in
// memory (a replica that fell behind the other replicas restores again).
func (e *Engine) Restore(ctx context.Context) error {
	now := e.clock.Now()
	var longest time.Duration
	for _, st := range e.slos {
		longest = max(longest, st.span)
	}
	since := UnixMinute(now.Add(-longest)) - 60
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range e.slos {
		st.resetCounts()
	}
	err := e.store.LoadCounts(ctx, since, func(c Count) error {
		st, ok := e.slos[c.SLO]
		if !ok {
			return nil // an SLO no longer in the catalog
		}
		e.apply(st, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("restore counts: %w", err)
	}
	alerts, err := e.store.LoadAlerts(ctx)
	if err != nil {
		return fmt.Errorf("restore alerts: %w", err)
	}
	for _, a := range alerts {
		st, ok := e.slos[a.SLO]
		if !ok {
			continue
		}
		a := a
		a.Labels = nil // rebuilt from this run's catalog at the first evaluation
		st.group(a.Group).alerts[a.Rule] = &a
	}
	states, err := e.store.LoadPolicyStates(ctx)
	if err != nil {
		return fmt.Errorf("restore policy states: %w", err)
	}
	for _, r := range states {
		if st, ok := e.slos[r.SLO]; ok && r.Policy == st.policy.Name {
			st.prec = r
		}
	}
	return nil
}

// apply adds a count to memory; the caller holds e.mu.
func (e *Engine) apply(st *sloState, c Count) {
	g := st.group(c.Group)
	if c.Kind == KindSlices {
		if g.slices != nil {
			g.slices.Add(c.Minute, c.Counts)
		}
		return
	}
	g.events.Add(c.Minute, c.Counts)
	if g != st.all {
		st.all.events.Add(c.Minute, c.Counts)
	}
}

// Record stores counts measured by a source and then counts them.
func (e *Engine) Record(ctx context.Context, counts []Count) error {
	e.mu.RLock()
	counts = e.withoutExcluded(counts)
	e.mu.RUnlock()
	if len(counts) == 0 {
		return nil
	}
	if err := e.store.AddCounts(ctx, counts); err != nil {
		return fmt.Errorf("store %d counts: %w", len(counts), err)
	}
	e.mu.Lock()
	late := e.lateSlices(counts, UnixMinute(e.clock.Now()))
	for _, c := range counts {
		if st, ok := e.slos[c.SLO]; ok {
			e.apply(st, c)
			e.touch.add(c.SLO)
		}
	}
	late.judge()
	e.mu.Unlock()
	e.touch.wake()
	return nil
}

// SetSource records the health of an SLO's data source.
func (e *Engine) SetSource(id string, s SourceState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if st, ok := e.slos[id]; ok {
		st.source = s
	}
}

// ReportRetention is how long stored counts are kept at least, so a report
// on last month can compare it with the month before.
const ReportRetention = 62 * 24 * time.Hour

// Prune forgets stored counts no SLO's window or report reaches any more, and has
// the store fold counts older than the minute checkpoints into hours.
func (e *Engine) Prune(ctx context.Context) error {
	var longest time.Duration
	for _, st := range e.slos {
		longest = max(longest, st.span)
	}
	now := e.clock.Now()
	keep := max(longest, ReportRetention)
	if err := e.store.Prune(ctx, UnixMinute(now.Add(-keep))-24*60); err != nil {
		return err
	}
	// An hour of margin keeps slices still to be judged at full resolution.
	return e.store.Compact(ctx, UnixMinute(now.Add(-MinuteResolution-time.Hour)))
}

// sortedGroups returns an SLO's groups in key order.
func (st *sloState) sortedGroups() []*group {
	out := make([]*group, 0, len(st.groups))
	for _, k := range sortedKeys(st.groups) {
		out = append(out, st.groups[k])
	}
	return out
}

// worse orders statuses as the policy looks at groups: those with the
// events it needs first, then the least budget left.
func (st *sloState) worse(a, b Status) bool {
	if ea, eb := Evident(a, st.required), Evident(b, st.required); ea != eb {
		return ea
	}
	return worst(a, b)
}

// worst orders statuses with the least budget left first.
func worst(a, b Status) bool {
	if a.HasData() != b.HasData() {
		return a.HasData()
	}
	return a.Budget.RemainingFraction < b.Budget.RemainingFraction
}
