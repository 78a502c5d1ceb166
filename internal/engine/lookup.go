package engine

import "github.com/accord-slo/accord/internal/slo"

// Lookups by ID for pages that show one SLO or one journey: each is a
// map read under the lock, where walking the catalog would cost as much
// as the catalog is large.

// Definition returns SLO id's definition and the owners in effect for it
// (its own, else its service's); false for an unknown ID.
func (e *Engine) Definition(id string) (slo.SLO, slo.Owners, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st, ok := e.slos[id]
	if !ok {
		return slo.SLO{}, slo.Owners{}, false
	}
	return st.def, st.owners, true
}

// Part is one component of a journey: the share of the journey's spent
// budget it caused, and what it is.
type Part struct {
	ComponentImpact
	// Known is false for a component the engine does not have (the spec
	// refuses those; a page still shows the name).
	Known  bool
	Def    slo.SLO
	Owners slo.Owners
	// Health is the component's own health, as its row on the overview
	// shows it.
	Health Health
}

// Components returns journey id's components and what each cost it, as
// the journey's view has them, without building the view; false when id
// is not a journey.
func (e *Engine) Components(id string) ([]ComponentImpact, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st, ok := e.slos[id]
	if !ok || st.journey == nil {
		return nil, false
	}
	return e.components(st), true
}

// Parts describes a journey's components: each one's definition, owners
// and health, read at once under the lock.
func (e *Engine) Parts(comps []ComponentImpact) []Part {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Part, len(comps))
	for i, c := range comps {
		out[i] = Part{ComponentImpact: c, Health: HealthNoData}
		if cs := e.slos[c.SLO]; cs != nil {
			out[i].Known, out[i].Def, out[i].Owners, out[i].Health = true, cs.def, cs.owners, cs.health()
		}
	}
	return out
}

// health is SLOView.Health without building the view: its worst group's
// status, its source, and whether a page fires; the caller holds the
// lock.
func (st *sloState) health() Health {
	v := SLOView{Source: st.source}
	v.Worst, _ = st.worstStatus()
	for _, g := range st.groups {
		for _, a := range g.alerts {
			if a.paging() {
				v.Alerts = []Alert{*a}
				return v.Health()
			}
		}
	}
	return v.Health()
}

// PartOf returns the IDs of the journeys that list SLO id among their
// own components (not through a nested journey), in catalog order.
func (e *Engine) PartOf(id string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []string
	seen := map[string]bool{}
	for _, f := range e.feeds[id] { // every journey id counts in, nested or not
		js := e.slos[f.journey]
		if js == nil || js.def.Composite == nil || seen[f.journey] {
			continue
		}
		seen[f.journey] = true
		for _, c := range js.def.Composite.Components {
			if c.SLO == id {
				out = append(out, f.journey)
				break
			}
		}
	}
	return out
}
