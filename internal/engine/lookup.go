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

// Parts returns journey id's components in the spec's order, each with
// its definition, owners and health, read at once under the lock and
// without building the views of any SLO's groups; false when id is not
// a journey.
func (e *Engine) Parts(id string) ([]Part, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st, ok := e.slos[id]
	if !ok || st.journey == nil {
		return nil, false
	}
	comps := e.components(st)
	out := make([]Part, len(comps))
	for i, c := range comps {
		out[i] = Part{ComponentImpact: c, Health: HealthNoData}
		if cs := e.slos[c.SLO]; cs != nil {
			out[i].Known, out[i].Def, out[i].Owners, out[i].Health = true, cs.def, cs.owners, e.view(cs, false).Health()
		}
	}
	return out, true
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
