package engine

import (
	"context"
	"fmt"
	"time"
)

// Apply counts what other replicas stored (the store has them already).
// Late events among them mark their time slices to be judged again, as
// Record does, so a leader judges what any replica acknowledged.
func (e *Engine) Apply(counts []Count) {
	if len(counts) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applyAll(counts)
}

// Follow brings every SLO's status up to the clock, as Evaluate does, on a
// replica that does not lead: it judges no slices and steps no alert or
// policy state, and so saves nothing. With reload it takes the alert and
// policy states from the store, as the leader saved them; burn rates are
// computed from its own counts.
//
// Like Evaluate it holds evalMu while it picks its SLOs, so a reload
// cannot remove one before it is followed.
func (e *Engine) Follow(ctx context.Context, reload bool) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	upTo := e.untouchAll() // all of them are brought up to date now
	defer e.touchedDone(upTo)
	return e.follow(ctx, reload, e.order)
}

// FollowTouched brings the SLOs counted since their last evaluation up to
// the clock, as Follow does for all of them, and returns how many: a
// follower's prompt evaluation of pushed events.
func (e *Engine) FollowTouched(ctx context.Context) (int, error) {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	ids, upTo := e.takeTouched()
	defer e.touchedDone(upTo)
	if len(ids) == 0 {
		return 0, nil
	}
	return len(ids), e.follow(ctx, false, ids)
}

// TakeStates takes the alert and policy states the leader saved since
// this follower last pulled, and brings just their SLOs up to date as
// Follow does: a follower shows the leader's decisions as soon as it
// pulls them, without loading every state again.
func (e *Engine) TakeStates(ctx context.Context, alerts []Alert, policies []PolicyRecord) error {
	if len(alerts)+len(policies) == 0 {
		return nil
	}
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	touched := map[string]bool{}
	e.mu.Lock()
	for _, a := range alerts {
		if st, ok := e.slos[a.SLO]; ok {
			st.restoreAlert(a)
			touched[a.SLO] = true
		}
	}
	for _, r := range policies {
		if st, ok := e.slos[r.SLO]; ok {
			if r.Policy == st.policy.Name {
				st.prec = r
			} else {
				st.prec = PolicyRecord{}
			}
			touched[r.SLO] = true
		}
	}
	e.mu.Unlock()
	var ids []string
	for _, id := range e.order {
		if touched[id] {
			ids = append(ids, id)
		}
	}
	return e.follow(ctx, false, ids)
}

// follow is Follow for the SLOs ids; the caller holds evalMu.
func (e *Engine) follow(ctx context.Context, reload bool, ids []string) error {
	var saved map[string][]Alert
	var states map[string]PolicyRecord
	if reload {
		alerts, err := e.store.LoadAlerts(ctx)
		if err != nil {
			return fmt.Errorf("follow the leader's alerts: %w", err)
		}
		saved = map[string][]Alert{}
		for _, a := range alerts {
			saved[a.SLO] = append(saved[a.SLO], a)
		}
		recs, err := e.store.LoadPolicyStates(ctx)
		if err != nil {
			return fmt.Errorf("follow the leader's policy states: %w", err)
		}
		states = map[string]PolicyRecord{}
		for _, r := range recs {
			states[r.SLO] = r
		}
	}
	now := e.clock.Now()
	e.mu.RLock()
	ids = e.journeyOrder(ids)
	e.mu.RUnlock()
	for _, id := range ids {
		e.mu.Lock()
		st := e.slos[id]
		if reload {
			st.takeStates(saved[id], states[id])
		}
		if st.journey != nil {
			e.prepareJourney(st, now)
		}
		if st.all.key == allGroups {
			st.refresh(st.all, now)
		}
		for _, g := range st.sortedGroups() {
			st.refresh(g, now)
			for _, r := range st.rules {
				if a, ok := g.alerts[r.Name]; ok {
					st.describe(a, g, r)
					a.LongBurn, a.ShortBurn, _ = burning(r, g.budgetSeries(), st.share, st.def.Window, st.measuredAt(now))
				}
			}
		}
		st.forecast(now)
		e.mu.Unlock()
	}
	return nil
}

// Sources returns the health of every SLO's data source that is queried
// (pushed SLOs have none to report), by SLO.
func (e *Engine) Sources() map[string]SourceState {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := map[string]SourceState{}
	for id, st := range e.slos {
		if !st.def.Indicator.Pushed() && st.journey == nil {
			out[id] = st.source
		}
	}
	return out
}

// takeStates replaces the SLO's alert and policy states with the saved
// ones; the caller holds the lock.
func (st *sloState) takeStates(alerts []Alert, rec PolicyRecord) {
	for _, g := range st.allGroups() {
		clear(g.alerts)
	}
	for _, a := range alerts {
		st.restoreAlert(a)
	}
	if rec.Policy == st.policy.Name {
		st.prec = rec
	} else {
		st.prec = PolicyRecord{}
	}
}

// refresh brings a group's series and status up to now without judging
// slices; the caller holds the lock.
func (st *sloState) refresh(g *group, now time.Time) {
	nowMin := UnixMinute(now)
	g.events.Advance(nowMin)
	if g.slices != nil {
		g.slices.Advance(nowMin)
	}
	if g.judge != nil {
		g.judge.forget()
	}
	g.status = computeShare(&st.def, st.share, g.budgetSeries(), st.measuredAt(now), st.windows)
}

// resetCounts forgets the SLO's counts and groups, before they are loaded
// again.
func (st *sloState) resetCounts() {
	st.groups, st.overCap, st.newest = map[string]*group{}, 0, 0
	if len(st.def.GroupBy) == 0 {
		st.all = st.newGroup(GroupKey(nil))
		st.groups[st.all.key] = st.all
	} else {
		st.all = st.newGroup(allGroups)
	}
}
