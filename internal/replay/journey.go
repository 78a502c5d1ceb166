package replay

import "github.com/accord-slo/accord/internal/slo"

// journeyGroups numbers the sets of SLOs joined by journeys (a journey,
// its components, theirs): each set must replay on one engine. SLOs in
// no journey are left out.
func journeyGroups(cat slo.Catalog) map[string]int {
	parent := map[string]string{}
	var find func(string) string
	find = func(id string) string {
		p, ok := parent[id]
		if !ok || p == id {
			parent[id] = id
			return id
		}
		r := find(p)
		parent[id] = r
		return r
	}
	for _, def := range cat.SLOs {
		if !def.Journey() {
			continue
		}
		for _, c := range def.Composite.Components {
			parent[find(c.SLO)] = find(def.ID())
		}
	}
	out := map[string]int{}
	roots := map[string]int{}
	for _, def := range cat.SLOs {
		if _, ok := parent[def.ID()]; !ok {
			continue
		}
		r := find(def.ID())
		if _, ok := roots[r]; !ok {
			roots[r] = len(roots)
		}
		out[def.ID()] = roots[r]
	}
	return out
}
