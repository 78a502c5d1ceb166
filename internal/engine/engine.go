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
	// MaxGroups bounds the groups (label sets) of one grouped SLO; 0 means
	// DefaultMaxGroups.
	MaxGroups int
	// SourceLag is how long after a minute ends a source measured by
	// queries (Prometheus) has recorded it; 0 means DefaultSourceLag.
	// Such an SLO's windows end at the last minute recorded by then, never
	// at the minute in progress, which it cannot have counted yet.
	SourceLag time.Duration
}

// DefaultSourceLag is the default Options.SourceLag: the 30 seconds
// after a minute's end at which serve asks Prometheus for it.
const DefaultSourceLag = 30 * time.Second

// Engine evaluates a catalog's SLOs. Its methods are safe for concurrent use.
type Engine struct {
	opts    Options
	clock   Clock
	store   Store
	log     *slog.Logger
	catalog slo.Catalog

	mu     sync.RWMutex
	evalMu sync.Mutex // one Evaluate at a time
	// lockWait is how long evaluations waited for mu; under evalMu.
	lockWait time.Duration
	slos     map[string]*sloState
	order    []string // SLO IDs in catalog order
	streams  map[string][]*sloState
	// changed is closed and replaced whenever notifications are saved.
	changed chan struct{}
	touch   touched

	// recordMu is held shared from storing counts to counting them in
	// memory, and exclusively by Reload, which must see the store and the
	// memory agree.
	recordMu sync.RWMutex
	// byID holds the SLOs in ID order, for List.
	byID []*sloState
	// feeds are the journeys each SLO counts in; nil without journeys.
	feeds map[string][]journeyFeed
}

// sloState is one SLO's live state.
type sloState struct {
	def    slo.SLO
	owners slo.Owners
	rules  []slo.BurnRateAlert
	// share is the error budget's share of events, exactly.
	share budgetShare
	// lag is Options.SourceLag for an SLO measured by queries; 0 for
	// pushed events, which count in the minute in progress.
	lag time.Duration
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
	// maxGroups bounds len(groups); reserved holds the new groups of
	// batches being stored, which count against it.
	maxGroups int
	reserved  map[string]int
	// inflight is the events of batches being stored, reserved against
	// MaxExactCount.
	inflight float64
	// overCap counts counts of groups over the cap, kept in all only.
	overCap int
	// rank is the SLO's place in ID order.
	rank int
	// journey is set for a journey (a composite SLO).
	journey *journeyState
	// newest is the newest minute holding events of an SLO that counts
	// in a journey, which tells whether it is late.
	newest int64
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
	// Through is the start of the last minute the source recorded.
	Through time.Time `json:"through,omitzero"`
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
	if opts.MaxGroups <= 0 {
		opts.MaxGroups = DefaultMaxGroups
	}
	if opts.SourceLag <= 0 {
		opts.SourceLag = DefaultSourceLag
	}
	e := &Engine{
		opts: opts, clock: opts.Clock, store: opts.Store, log: opts.Logger, catalog: opts.Catalog,
		slos: map[string]*sloState{}, streams: map[string][]*sloState{}, changed: make(chan struct{}),
		touch: newTouched(),
	}
	feeds, journeys := journeyFeeds(opts.Catalog)
	for _, def := range opts.Catalog.SLOs {
		e.add(e.newState(opts.Catalog, def, journeys))
	}
	e.feeds = feeds
	e.index()
	return e
}

// newState returns the empty state of one of the catalog's SLOs;
// journeys are the states of the catalog's journeys.
func (e *Engine) newState(cat slo.Catalog, def slo.SLO, journeys map[string]*journeyState) *sloState {
	st := &sloState{
		def: def, owners: cat.EffectiveOwners(def), rules: Rules(&def), share: newBudgetShare(&def),
		span: span(def.Window), groups: map[string]*group{},
		maxGroups: e.opts.MaxGroups, reserved: map[string]int{},
	}
	switch {
	case def.Journey():
		st.journey = journeys[def.ID()]
		st.source.Backfill = 1 // until its components say otherwise
		if st.journey != nil && st.journey.queried {
			st.lag = e.opts.SourceLag // its windows end where its queried components' do
		}
	case def.Indicator.Pushed():
		st.source.Backfill = 1 // pushed data needs no backfill
	default:
		st.lag = e.opts.SourceLag
	}
	st.source.NotMeasured = def.Indicator.NotMeasured()
	st.policy, _ = cat.Policy(def.Policy) // the loader gave it the service's policy
	st.windows = reportedWindows(st.rules, st.policy)
	st.required = st.policy.RequiredEvents(def.Objective)
	st.resetCounts()
	return st
}

// add puts a state into the engine's maps; the caller holds the lock or
// owns the engine alone.
func (e *Engine) add(st *sloState) {
	id := st.def.ID()
	e.slos[id] = st
	e.order = append(e.order, id)
	if st.def.Indicator.Pushed() {
		e.streams[st.def.Indicator.Stream] = append(e.streams[st.def.Indicator.Stream], st)
	}
}

// Catalog returns the catalog the engine evaluates.
func (e *Engine) Catalog() slo.Catalog {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.catalog
}

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

// group returns the SLO's group for key, creating it; nil when it would
// be a new group over the cap (reserved groups may be created).
func (st *sloState) group(key string) *group {
	if key == allGroups {
		return st.all
	}
	g, ok := st.groups[key]
	if !ok {
		if st.reserved[key] == 0 && len(st.groups)+len(st.reserved) >= st.maxGroups {
			return nil
		}
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
//
// It holds recordMu as Reload does: a count stored but not yet counted in
// memory would otherwise be read from the store and then counted again.
func (e *Engine) Restore(ctx context.Context) error {
	e.recordMu.Lock()
	defer e.recordMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range e.slos {
		st.resetCounts()
	}
	if err := e.load(ctx, e.slos, e.feeds); err != nil {
		return err
	}
	for _, id := range e.order {
		if st := e.slos[id]; st.overCap > 0 {
			e.log.Warn("SLO has stored groups over its cap; their counts are kept in the SLO's total only",
				"slo", id, "max_groups", st.maxGroups, "counts", st.overCap)
		}
	}
	return nil
}

// restoreChunk is how many stored counts are counted at once on restore.
const restoreChunk = 10_000

// load reads the stored counts, alert states and policy states of the
// given SLOs into them; feeds are the journeys of the catalog they are
// of.
func (e *Engine) load(ctx context.Context, slos map[string]*sloState, feeds map[string][]journeyFeed) error {
	now := e.clock.Now()
	var longest time.Duration
	for _, st := range slos {
		longest = max(longest, st.span)
	}
	since := UnixMinute(now.Add(-longest)) - 60
	// Counted in chunks: each series takes a chunk's share in one pass.
	var chunk []Count
	// A series' counts come one after another: its SLO is looked up once.
	var lastSLO string
	var lastIn bool
	err := e.store.LoadCounts(ctx, since, func(c Count) error {
		if c.SLO != lastSLO || lastSLO == "" {
			lastSLO, lastIn = c.SLO, feedsIn(c.SLO, slos, feeds)
		}
		if !lastIn {
			return nil // an SLO no longer in the catalog, or not asked for
		}
		if !c.Counts.finite() {
			return nil // written before counts were bounded; it would poison every sum
		}
		if chunk = append(chunk, c); len(chunk) == restoreChunk {
			e.applyTo(slos, feeds, chunk)
			chunk = chunk[:0]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("restore counts: %w", err)
	}
	e.applyTo(slos, feeds, chunk)
	alerts, err := e.store.LoadAlerts(ctx)
	if err != nil {
		return fmt.Errorf("restore alerts: %w", err)
	}
	for _, a := range alerts {
		if st, ok := slos[a.SLO]; ok {
			st.restoreAlert(a)
		}
	}
	states, err := e.store.LoadPolicyStates(ctx)
	if err != nil {
		return fmt.Errorf("restore policy states: %w", err)
	}
	for _, r := range states {
		if st, ok := slos[r.SLO]; ok && r.Policy == st.policy.Name {
			st.prec = r
		}
	}
	return nil
}

// restoreAlert puts a stored alert state into its group, unless the group
// is over the cap or of a grouping the SLO no longer has. Its labels are
// rebuilt from this run's catalog at the next evaluation. The caller
// holds the lock.
func (st *sloState) restoreAlert(a Alert) {
	g := st.countedIn(a.Group)
	if g == nil || g.key != a.Group {
		return
	}
	a.Labels = nil
	g.alerts[a.Rule] = &a
}

// Record stores counts measured by a source and then counts them. Counts
// that are not finite numbers are dropped: one would poison every sum.
func (e *Engine) Record(ctx context.Context, counts []Count) error {
	e.recordMu.RLock()
	defer e.recordMu.RUnlock()
	return e.record(ctx, counts, nil)
}

// record stores counts and counts them in memory, then releases the
// groups reserved for them; the caller holds recordMu shared.
func (e *Engine) record(ctx context.Context, counts []Count, reserved *reservation) error {
	_, _, err := e.recordOnce(ctx, counts, reserved, nil, nil)
	return err
}

// recordOnce is record with a receipt stored in rs in the same
// transaction, when r is not nil; if a receipt under its key is stored
// already, nothing is stored or counted, and recordOnce returns that
// receipt and true.
func (e *Engine) recordOnce(ctx context.Context, counts []Count, reserved *reservation, rs ReceiptStore, r *Receipt) (Receipt, bool, error) {
	counts = e.finiteOnly(counts)
	e.mu.RLock()
	counts = e.withoutExcluded(counts)
	e.mu.RUnlock()
	switch {
	case r != nil:
		first, repeat, err := rs.AddBatch(ctx, counts, *r)
		if err != nil {
			e.release(reserved)
			return Receipt{}, false, fmt.Errorf("store %d counts with Idempotency-Key %q: %w", len(counts), r.Key, err)
		}
		if repeat {
			e.release(reserved)
			return first, true, nil
		}
	case len(counts) > 0:
		if err := e.store.AddCounts(ctx, counts); err != nil {
			e.release(reserved)
			return Receipt{}, false, fmt.Errorf("store %d counts: %w", len(counts), err)
		}
	}
	e.mu.Lock()
	e.applyAll(counts)
	for _, c := range counts {
		if _, ok := e.slos[c.SLO]; ok {
			e.touch.add(c.SLO)
		}
		for _, f := range e.feeds[c.SLO] {
			e.touch.add(f.journey)
		}
	}
	e.unreserve(reserved)
	e.mu.Unlock()
	e.touch.wake()
	return Receipt{}, false, nil
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

// Prune forgets stored counts no SLO's window or report reaches any more,
// and receipts older than ReceiptRetention, and has
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
	if err := e.PruneReceipts(ctx); err != nil {
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
