package engine

import (
	"cmp"
	"slices"

	"github.com/accord-slo/accord/internal/slo"
)

// A journey (a composite SLO) is evaluated by the same code as any SLO:
// it has a series of its own. With occurrences budgeting every count of
// a component is added to it as it is counted in the component — on
// ingest, from a source, on restore and from other replicas alike —
// weighted; so budgets, burn rates, alerts, history and charts come as
// they do for any SLO. The journey's counts are never stored: they are
// derived from the components' stored counts, the same on every replica
// and after a restart. With time slices the journey's slices are judged
// from its components' judged slices, by the leader, and stored as any
// SLO's judged slices are.

// journeyFeed is a journey a component counts in, and the weight its
// events count with there: the product of the weights down nested
// journeys.
type journeyFeed struct {
	journey string
	weight  float64
}

// journeyState is what the engine keeps of a journey besides what every
// SLO has.
type journeyState struct {
	// leaves are the SLOs (not journeys) whose events count in the
	// journey, with their weights multiplied down nested journeys.
	leaves map[string]float64
	// leafIDs are the keys of leaves in order, for the walks done at
	// every evaluation.
	leafIDs []string
	// depth is 1 for a journey of plain SLOs, one more than its deepest
	// component journey otherwise: journeys are evaluated after their
	// components, deepest last.
	depth int
	// queried is whether any leaf is measured from a source rather than
	// pushed: its windows then end where its queried components' do.
	queried bool

	// What follows is brought up to date before each evaluation
	// (prepareJourney); the slices are by component, in spec order.
	comps []*sloState
	// through is the newest minute each component has data for
	// (noData when none); newest is the newest of them.
	through []int64
	newest  int64
	// delayed says which components lag more than MaxDelay behind newest.
	delayed []bool
	// stand are the counts standing in for delayed components' missing
	// minutes (countAsGood, countAsBad), as the journey's events series
	// adds them to its sums.
	stand []standIn
}

// journeyFeeds maps each SLO that counts in a journey to the journeys it
// counts in (nested ones included), and returns each journey's state.
func journeyFeeds(cat slo.Catalog) (map[string][]journeyFeed, map[string]*journeyState) {
	byID := make(map[string]*slo.SLO, len(cat.SLOs))
	for i := range cat.SLOs {
		byID[cat.SLOs[i].ID()] = &cat.SLOs[i]
	}
	var feeds map[string][]journeyFeed
	states := map[string]*journeyState{}
	f := flattener{byID: byID, done: map[string]flattened{}, path: map[string]bool{}}
	for i := range cat.SLOs {
		def := &cat.SLOs[i]
		if !def.Journey() {
			continue
		}
		flat := f.flatten(def)
		leaves, depth := flat.leaves, flat.depth
		js := &journeyState{leaves: leaves, leafIDs: sortedKeys(leaves), depth: depth}
		for _, id := range js.leafIDs {
			if d := byID[id]; d != nil && !d.Indicator.Pushed() {
				js.queried = true
				break
			}
		}
		states[def.ID()] = js
		if feeds == nil {
			feeds = map[string][]journeyFeed{}
		}
		for _, id := range js.leafIDs {
			feeds[id] = append(feeds[id], journeyFeed{def.ID(), leaves[id]})
		}
		// The component journeys feed it too, for the order of evaluation
		// and the marks of SLOs to evaluate again; their events count
		// through their leaves.
		for _, c := range def.Composite.Components {
			if d := byID[c.SLO]; d != nil && d.Journey() {
				feeds[c.SLO] = append(feeds[c.SLO], journeyFeed{def.ID(), 0})
			}
		}
	}
	return feeds, states
}

// flattened is a journey's leaves (the SLOs that count in it, nested
// journeys' included) at their weights in it, and its depth: 1 for a
// journey of plain SLOs.
type flattened struct {
	leaves map[string]float64
	depth  int
}

// flattener works out each journey's leaves once: journeys that share
// nested journeys would otherwise be walked once per path, and paths
// double with every shared layer.
type flattener struct {
	byID map[string]*slo.SLO
	done map[string]flattened
	path map[string]bool // journeys being worked out: a cycle, which the spec refuses, is skipped
}

// flatten returns def's leaves and depth. Unknown components are skipped.
// The maps it returns are shared with the journeys that nest def: no one
// writes to them once they are returned.
func (f *flattener) flatten(def *slo.SLO) flattened {
	id := def.ID()
	if r, ok := f.done[id]; ok {
		return r
	}
	f.path[id] = true
	r := flattened{leaves: map[string]float64{}, depth: 1}
	for _, c := range def.Composite.Components {
		d := f.byID[c.SLO]
		if d == nil || f.path[c.SLO] {
			continue
		}
		if !d.Journey() {
			r.leaves[c.SLO] += c.Weight
			continue
		}
		sub := f.flatten(d)
		r.depth = max(r.depth, sub.depth+1)
		for leaf, w := range sub.leaves {
			r.leaves[leaf] += c.Weight * w
		}
	}
	delete(f.path, id)
	f.done[id] = r
	return r
}

// feedsIn reports whether a count of SLO id counts in one of the states:
// its own, or a journey it counts in.
func feedsIn(id string, slos map[string]*sloState, feeds map[string][]journeyFeed) bool {
	if _, ok := slos[id]; ok {
		return true
	}
	for _, f := range feeds[id] {
		if _, ok := slos[f.journey]; ok {
			return true
		}
	}
	return false
}

// journeyOrder returns ids with every journey after its components
// (deepest journeys last), keeping the order otherwise; ids itself when
// none is a journey. The caller holds the lock.
func (e *Engine) journeyOrder(ids []string) []string {
	if e.feeds == nil {
		return ids
	}
	depth := func(id string) int {
		if st := e.slos[id]; st != nil && st.journey != nil {
			return st.journey.depth
		}
		return 0
	}
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(depth(a), depth(b)) })
	return out
}

// sameLeaves reports whether two states of an SLO count the same
// components with the same weights (both are plain SLOs, or journeys
// whose flattened components agree).
func sameLeaves(a, b *sloState) bool {
	switch {
	case a.journey == nil || b.journey == nil:
		return a.journey == b.journey
	case len(a.journey.leaves) != len(b.journey.leaves):
		return false
	}
	for id, w := range a.journey.leaves {
		if b.journey.leaves[id] != w {
			return false
		}
	}
	return true
}

// JourneyLeaves returns, for each occurrences journey of the catalog, the
// SLOs whose events count in it with their weights (multiplied down
// nested journeys): its events over any span are theirs, weighted. Time
// slice journeys are left out: their judged slices are stored. Each call
// works the maps out afresh from cat, so they are the caller's: no
// engine reads them.
func JourneyLeaves(cat slo.Catalog) map[string]map[string]float64 {
	_, states := journeyFeeds(cat)
	out := map[string]map[string]float64{}
	for _, def := range cat.SLOs {
		m := def.Budgeting.Method
		if js := states[def.ID()]; js != nil && (m == "" || m == slo.Occurrences) {
			out[def.ID()] = js.leaves
		}
	}
	return out
}
