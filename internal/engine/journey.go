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
	// minutes (countAsGood, countAsBad), as added to the journey's events.
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
	for i := range cat.SLOs {
		def := &cat.SLOs[i]
		if !def.Journey() {
			continue
		}
		leaves, depth := map[string]float64{}, 0
		flatten(byID, def, 1, map[string]bool{def.ID(): true}, leaves, &depth, 1)
		js := &journeyState{leaves: leaves, leafIDs: sortedKeys(leaves), depth: depth}
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

// flatten adds the leaves of journey def, at weight w, to leaves, and
// raises depth to def's depth below level. Components on the path
// (a cycle, which the spec refuses) and unknown ones are skipped.
func flatten(byID map[string]*slo.SLO, def *slo.SLO, w float64, path map[string]bool, leaves map[string]float64, depth *int, level int) {
	*depth = max(*depth, level)
	for _, c := range def.Composite.Components {
		d := byID[c.SLO]
		if d == nil || path[c.SLO] {
			continue
		}
		if !d.Journey() {
			leaves[c.SLO] += w * c.Weight
			continue
		}
		path[c.SLO] = true
		flatten(byID, d, w*c.Weight, path, leaves, depth, level+1)
		delete(path, c.SLO)
	}
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

// allPushed reports whether every one of the SLOs ids is measured from
// pushed events.
func allPushed(cat slo.Catalog, ids map[string]float64) bool {
	for _, s := range cat.SLOs {
		if _, ok := ids[s.ID()]; ok && !s.Indicator.Pushed() {
			return false
		}
	}
	return true
}

// JourneyLeaves returns, for each occurrences journey of the catalog, the
// SLOs whose events count in it with their weights (multiplied down
// nested journeys): its events over any span are theirs, weighted. Time
// slice journeys are left out: their judged slices are stored.
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
