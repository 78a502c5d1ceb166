package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
)

// index finds a catalog's SLOs by ID, for the components of journeys. It
// remembers what it found out about each journey, so that journeys of
// journeys sharing components are walked once, not once per path: the
// paths through nested journeys grow exponentially with their depth.
type index struct {
	byID map[string]*slo.SLO
	// unrec holds unrecordedFrom's answer for each SLO walked to its end.
	unrec map[string]unrecorded
}

// unrecorded is the components from an SLO down to the one without
// series, and why it has none; why is empty when it has series.
type unrecorded struct {
	chain []string
	why   string
}

func newIndex(defs []*slo.SLO) index {
	ix := index{byID: make(map[string]*slo.SLO, len(defs)), unrec: map[string]unrecorded{}}
	for _, s := range defs {
		ix.byID[s.ID()] = s
	}
	return ix
}

// unrecorded says why Prometheus has no series of s, empty when it has:
// s is measured from pushed events or by a source Accord cannot query, or
// it is a journey with such a component, at any depth ("its component
// a/j → a/pushed is measured from pushed events ...").
func (ix index) unrecorded(s *slo.SLO) string {
	u := ix.unrecordedFrom(s, map[string]bool{})
	if len(u.chain) == 0 {
		return u.why
	}
	return "its component " + strings.Join(u.chain, " → ") + " is " + u.why
}

// unrecordedFrom returns the components from s down to the one without
// series, and why it has none.
func (ix index) unrecordedFrom(s *slo.SLO, seen map[string]bool) unrecorded {
	if !s.Journey() {
		if s.Indicator.Pushed() {
			return unrecorded{why: fmt.Sprintf("measured from pushed events (stream %q)", s.Indicator.Stream)}
		}
		if why := s.Indicator.NotMeasured(); why != "" {
			return unrecorded{why: "not measured (" + why + ")"}
		}
		return unrecorded{}
	}
	if u, ok := ix.unrec[s.ID()]; ok {
		return u
	}
	if seen[s.ID()] {
		return unrecorded{} // a cycle, which validation refuses
	}
	seen[s.ID()] = true
	defer delete(seen, s.ID())
	var u unrecorded
	for _, c := range s.Composite.Components {
		comp, ok := ix.byID[c.SLO]
		if !ok {
			continue // validation refuses it
		}
		if cu := ix.unrecordedFrom(comp, seen); cu.why != "" {
			u = unrecorded{chain: append([]string{c.SLO}, cu.chain...), why: cu.why}
			break
		}
	}
	ix.unrec[s.ID()] = u
	return u
}

// component is one of a journey's components, with its recordings' target.
type component struct {
	s      *slo.SLO
	t      target
	weight float64
}

// components resolves a journey's components. The catalog is one spec
// validation accepted, which refuses unknown components, cycles, weights
// out of range and components budgeted otherwise than their journey; an
// unknown one is left out, as the engine leaves it out.
func (ix index) components(s *slo.SLO, naming Naming) []component {
	var out []component
	for _, c := range s.Composite.Components {
		if comp, ok := ix.byID[c.SLO]; ok {
			out = append(out, component{s: comp, t: newTarget(comp, naming), weight: c.Weight})
		}
	}
	return out
}

// journeyBaseRules record a journey's minute from its components' own
// recordings of it, which every component has: the total and the bad
// events are the weighted sums of the components' (a grouped component
// counts as the sum of its groups, a journey as its own weighted sums).
// A component without series this minute adds nothing, and the journey
// has no minute while none has series. Every window, tile, budget and
// alert of the journey is then added up from these two recordings, as
// for any SLO.
func journeyBaseRules(comps []component, t target) []Rule {
	weighted := func(name string) string {
		terms := make([]string, len(comps))
		for i, c := range comps {
			terms[i] = weight(c.weight, c.t.sum(c.t.sel(name)))
		}
		return alternatives("sum", terms)
	}
	return []Rule{
		{Record: TotalIncrease1m, Expr: weighted(TotalIncrease1m), Labels: t.labels()},
		{Record: ErrorIncrease1m, Expr: weighted(ErrorIncrease1m), Labels: t.labels()},
	}
}

// componentErrorRule records, for a journey budgeted by occurrences, each
// component's weighted bad events of the minute, labelled with the
// component's ID, so that dashboards show which component spends the
// journey's budget.
func componentErrorRule(comps []component, t target) Rule {
	terms := make([]string, len(comps))
	for i, c := range comps {
		terms[i] = `label_replace(` + weight(c.weight, "sum("+c.t.sel(ErrorIncrease1m)+")") + `, "component", ` + strconv.Quote(c.s.ID()) + `, "", "")`
	}
	return Rule{Record: ComponentError1m, Expr: strings.Join(terms, "\nor\n"), Labels: t.labels()}
}

// journeySlice is PromQL for the error of a time-slice journey's slice
// ending now, from its components' slices: with timeslices the slice is
// bad (1) when any component with events in it judged its own slice bad,
// and good (0) when all of them judged it good; with ratio-timeslices it
// is the weighted mean of the components' slice error ratios. A slice in
// which no component has events is no slice. Validation has components
// budget the journey's way, in slices of the journey's length.
func journeySlice(s *slo.SLO, comps []component) string {
	terms := make([]string, len(comps))
	counts := make([]string, len(comps))
	for i, c := range comps {
		e := c.t.sel(SliceError)
		if !c.s.Journey() && len(c.t.by) > 0 {
			// A grouped component's own slices are per group; the
			// journey judges the slice of all its groups' events.
			e = "(" + judged(c.s, c.t.ratioOf(c.t.slice, c.t.sum)) + ")"
		}
		if s.Budgeting.Method == slo.Timeslices {
			terms[i] = e // bad when any is: weights do not matter
		} else {
			terms[i] = weight(c.weight, e)
			counts[i] = weight(c.weight, "("+e+" * 0 + 1)")
		}
	}
	if s.Budgeting.Method == slo.Timeslices {
		return alternatives("max", terms)
	}
	return "(" + alternatives("sum", terms) + ")\n/\n(" + alternatives("sum", counts) + ")"
}

// sum adds up a component's series over its groups, keeping the labels
// that tell components apart: sum by (service, slo) (x).
func (t target) sum(expr string) string {
	names := make([]string, len(t.id))
	for i, l := range t.id {
		names[i] = l.name
	}
	return "sum by (" + strings.Join(names, ", ") + ") (" + expr + ")"
}

// weight writes w × expr, or expr for a weight of 1.
func weight(w float64, expr string) string {
	if w == 1 {
		return expr
	}
	return num(w) + " * " + expr
}

// alternatives is op over the union of terms, each a component's series
// with its own identifying labels: sum(a or b or c), so that a component
// without series leaves out only its own term.
func alternatives(op string, terms []string) string {
	return op + "(\n  " + strings.Join(terms, "\nor\n  ") + "\n)"
}
