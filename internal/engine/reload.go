package engine

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// ReloadResult says what a reload changed, by SLO ID.
type ReloadResult struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// Changed SLOs keep their counts and the alert states of the rules
	// they still have.
	Changed   []string `json:"changed"`
	Unchanged int      `json:"unchanged"`
}

// Reload makes the engine evaluate a new catalog without a restart. SLOs
// that are unchanged keep their counts, alert and policy states; added
// ones start with what the store holds for them (nothing, unless they were
// measured before); removed ones stop, and their firing alerts are
// resolved, so receivers are not left with alerts nobody will end. A
// changed SLO keeps its counts in memory when its window, budgeting and
// grouping are the same, and otherwise reads them from the store as a
// restart would; it keeps the alert states of the rules it still has.
//
// Ingest and evaluation wait while the engine reloads. If the resolved
// alerts cannot be saved the engine keeps its catalog. A replica that does
// not lead (leading false) saves nothing: it drops the removed SLOs'
// alerts, which the leader resolves when it reloads.
func (e *Engine) Reload(ctx context.Context, cat slo.Catalog, leading bool) (ReloadResult, error) {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	e.recordMu.Lock()
	defer e.recordMu.Unlock()
	now := e.clock.Now()

	e.mu.RLock()
	old := e.slos
	e.mu.RUnlock()
	var res ReloadResult
	next := make(map[string]*sloState, len(cat.SLOs))
	var order []string
	toLoad := map[string]*sloState{}
	feeds, journeys := journeyFeeds(cat)
	for _, def := range cat.SLOs {
		id := def.ID()
		ns := e.newState(cat, def, journeys)
		order = append(order, id)
		next[id] = ns
		prev, ok := old[id]
		switch {
		case !ok:
			res.Added = append(res.Added, id)
			toLoad[id] = ns
		case sameSLO(prev, ns):
			prev.def = def // its origin may have moved
			next[id] = prev
			res.Unchanged++
		default:
			res.Changed = append(res.Changed, id)
			if !carryOver(prev, ns) {
				toLoad[id] = ns
			}
		}
	}
	// Alerts of removed SLOs and rules end; saved before the catalog
	// changes, and before SLOs read from the store load their alerts.
	var ending []endingAlert
	for _, id := range e.order {
		st := old[id]
		ns, kept := next[id]
		if !kept {
			res.Removed = append(res.Removed, id)
		}
		for _, g := range st.allGroups() {
			for name, a := range g.alerts {
				if !kept || !ns.hasRule(name) {
					ending = append(ending, e.ending(st, g, name, *a, now))
				}
			}
		}
	}
	var ended []Alert
	var notes []Notification
	for _, x := range ending {
		if x.alert.State != "" {
			ended = append(ended, x.alert)
		}
		if x.note != nil {
			notes = append(notes, *x.note)
		}
	}
	if !leading {
		ended, notes = nil, nil
	}
	if len(ended) > 0 {
		if err := e.store.SaveAlerts(ctx, ended, notes); err != nil {
			return ReloadResult{}, fmt.Errorf("reload: save %d alerts of removed SLOs and rules: %w", len(ended), err)
		}
	}
	if len(toLoad) > 0 {
		if err := e.load(ctx, toLoad, feeds); err != nil {
			return ReloadResult{}, fmt.Errorf("reload: %w", err)
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.catalog, e.slos, e.order, e.streams, e.feeds = cat, map[string]*sloState{}, nil, map[string][]*sloState{}, feeds
	for _, id := range order {
		e.add(next[id])
	}
	e.index()
	for _, id := range res.Removed {
		delete(e.touch.ids, id) // counted before the reload; nothing evaluates them now
	}
	for _, x := range ending {
		delete(x.group.alerts, x.rule)
	}
	if len(notes) > 0 {
		close(e.changed)
		e.changed = make(chan struct{})
	}
	return res, nil
}

// sameSLO reports whether a reloaded SLO means the same as the running
// one: the same definition apart from where it was read, owners and
// policy.
func sameSLO(run, reloaded *sloState) bool {
	a, b := run.def, reloaded.def
	a.Origin, a.Origins, b.Origin, b.Origins = slo.Origin{}, nil, slo.Origin{}, nil
	return reflect.DeepEqual(a, b) && reflect.DeepEqual(run.owners, reloaded.owners) &&
		reflect.DeepEqual(run.policy, reloaded.policy) && sameLeaves(run, reloaded)
}

// carryOver moves a changed SLO's counts, source health, policy and alert
// states into its reloaded state when their shape still fits: the same
// window length, budgeting and grouping. It reports whether it did.
func carryOver(run, reloaded *sloState) bool {
	a, b := run.def, reloaded.def
	if run.span != reloaded.span || !reflect.DeepEqual(a.Budgeting, b.Budgeting) || !slices.Equal(a.GroupBy, b.GroupBy) ||
		!sameLeaves(run, reloaded) {
		return false
	}
	reloaded.groups, reloaded.all, reloaded.overCap = run.groups, run.all, run.overCap
	reloaded.exclusions = run.exclusions
	if a.Indicator.Pushed() == b.Indicator.Pushed() {
		reloaded.source = run.source
	}
	if run.policy.Name == reloaded.policy.Name {
		reloaded.prec = run.prec
	}
	for _, g := range reloaded.allGroups() {
		for _, al := range g.alerts {
			al.Labels = nil // rebuilt at the next evaluation, with the new rule's severity and windows
		}
	}
	return true
}

// allGroups returns the SLO's groups and, for a grouped SLO, its total.
func (st *sloState) allGroups() []*group {
	out := make([]*group, 0, len(st.groups)+1)
	for _, g := range st.groups {
		out = append(out, g)
	}
	if st.all.key == allGroups {
		out = append(out, st.all)
	}
	return out
}

// endingAlert is an alert a reload ends, and what that changes.
type endingAlert struct {
	group *group
	rule  string
	// alert is the alert's final state to save; empty when it was
	// inactive or resolved already and nothing needs saving.
	alert Alert
	// note is the resolved notification a firing alert owes.
	note *Notification
}

// ending ends an alert of a removed SLO or rule: a firing one resolves
// with a notification, a pending one goes inactive.
func (e *Engine) ending(st *sloState, g *group, rule string, a Alert, now time.Time) endingAlert {
	x := endingAlert{group: g, rule: rule}
	if a.Labels == nil { // not evaluated since it was restored
		for _, r := range st.rules {
			if r.Name == rule {
				a.Labels = st.alertLabels(g, r)
			}
		}
	}
	switch a.State {
	case AlertFiring:
		a.State, a.Since, a.ResolvedAt = AlertResolved, now, now
		n := e.notification(st, g, a, now)
		x.alert, x.note = a, &n
	case AlertPending:
		a.State, a.Since = AlertInactive, now
		x.alert = a
	}
	return x
}

func (st *sloState) hasRule(name string) bool {
	for _, r := range st.rules {
		if r.Name == name {
			return true
		}
	}
	return false
}
