package web

import (
	"cmp"
	"fmt"
	"sort"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// componentRow is one component of a journey as the journey's page shows
// it: its own SLI over the journey's window, its weight, and the share of
// the journey's spent budget it caused.
type componentRow struct {
	ID, Title, Href, Service string
	// Team owns the component: the team to act when it caused the spend.
	Team      string
	Health    engine.Health
	Objective float64
	Weight    float64
	HasData   bool
	SLI       float64
	// Good and Total are the component's own events (slices for time
	// slices) in the journey's window.
	Good, Total float64
	// Share is the share of the journey's spent budget it caused, 0..1.
	Share float64
	// Journey is true for a component that is a journey itself.
	Journey bool
	// Top marks the component that caused the largest share.
	Top bool
}

// journeyView is what a journey's page shows beyond any SLO's.
type journeyView struct {
	Components []componentRow
	// Cause is the component that caused most of the spent budget; nil
	// while the journey has spent none.
	Cause *componentRow
	// Act is the plain SLO whose team is to act: Cause, or when Cause is
	// a journey itself, the component that caused most of its spend,
	// followed down to an SLO that is not a journey.
	Act *componentRow
	// Late says how the journey counts a component whose data lags; empty
	// when it waits for it.
	Late string
}

// maxNesting bounds how far a cause is followed down nested journeys (the
// spec refuses cycles; this keeps a page finite whatever it is given).
const maxNesting = 8

// journeyOf builds a journey's components, the one that caused most of
// its spent budget, and the SLO whose team is to act.
func (s *Server) journeyOf(v engine.SLOView, def slo.SLO) *journeyView {
	idx := newCatalogIndex(s.engine.Catalog())
	j := &journeyView{Components: s.componentRows(v.Components, idx)}
	for i := range j.Components {
		// The page shows each component's health; the overview, which
		// names only the cause, spares itself the components' views.
		if cv, ok := s.engine.SLO(j.Components[i].ID); ok {
			j.Components[i].Health = cv.Health()
		}
	}
	if c := def.Composite; c != nil && c.MaxDelay > 0 {
		j.Late = fmt.Sprintf("a component more than %s late counts as %s", slo.FormatDuration(c.MaxDelay), lateText[c.WhenDelayed])
	}
	j.Cause = topCause(j.Components)
	j.Act = s.act(j.Cause, idx)
	return j
}

// lateText says how a late component's minutes count, for people.
var lateText = map[slo.WhenDelayed]string{slo.CountAsGood: "good", slo.CountAsBad: "bad",
	slo.IgnoreDelayed: "absent (left out until its data arrives)"}

// act follows a cause that is a journey down to the plain SLO that caused
// most of its spend; nil when the trail ends at a journey with no spend.
func (s *Server) act(cause *componentRow, idx catalogIndex) *componentRow {
	for depth := 0; cause != nil && cause.Journey && depth < maxNesting; depth++ {
		inner, ok := s.engine.SLO(cause.ID)
		if !ok {
			return nil
		}
		cause = topCause(s.componentRows(inner.Components, idx))
	}
	if cause != nil && cause.Journey {
		return nil
	}
	return cause
}

// catalogIndex finds a catalog's SLOs by ID; built once per page.
type catalogIndex struct {
	cat  *slo.Catalog
	byID map[string]*slo.SLO
}

func newCatalogIndex(cat slo.Catalog) catalogIndex {
	idx := catalogIndex{cat: &cat, byID: make(map[string]*slo.SLO, len(cat.SLOs))}
	for i := range cat.SLOs {
		idx.byID[cat.SLOs[i].ID()] = &cat.SLOs[i]
	}
	return idx
}

// componentRows describes a journey's components from their impact and
// their definitions; Health is left no data, for the caller to fill.
func (s *Server) componentRows(comps []engine.ComponentImpact, idx catalogIndex) []componentRow {
	out := make([]componentRow, 0, len(comps))
	for _, c := range comps {
		row := componentRow{ID: c.SLO, Title: c.SLO, Href: "/slos/" + c.SLO, Weight: c.Weight,
			Good: c.Good, Total: c.Total, Share: c.SpentShare, HasData: c.SLI != nil, Health: engine.HealthNoData}
		if c.SLI != nil {
			row.SLI = *c.SLI
		}
		if d := idx.byID[c.SLO]; d != nil {
			row.Title, row.Service, row.Team = cmp.Or(d.DisplayName, d.Name), d.Service, idx.cat.EffectiveOwners(*d).Team
			row.Objective, row.Journey = d.Objective, d.Journey()
		}
		out = append(out, row)
	}
	if top := topCause(out); top != nil {
		for i := range out {
			out[i].Top = out[i].ID == top.ID
		}
	}
	return out
}

// topCause is the component with the largest share of the spent budget,
// the first of equals; nil when none has any.
func topCause(rows []componentRow) *componentRow {
	var top *componentRow
	for i := range rows {
		if rows[i].Share > 0 && (top == nil || rows[i].Share > top.Share) {
			top = &rows[i]
		}
	}
	if top == nil {
		return nil
	}
	c := *top
	return &c
}

// journeyLink is a journey a component is part of, for the component's
// page.
type journeyLink struct{ Title, Href string }

// partOf lists the journeys that have the SLO id among their components,
// by title.
func (s *Server) partOf(id string) []journeyLink {
	var out []journeyLink
	for _, d := range s.engine.Catalog().SLOs {
		if d.Composite == nil {
			continue
		}
		for _, c := range d.Composite.Components {
			if c.SLO == id {
				out = append(out, journeyLink{Title: cmp.Or(d.DisplayName, d.Name), Href: "/slos/" + d.Service + "/" + d.Name})
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}

// journeysFirst moves the journeys of rows before the other SLOs, each
// part keeping its order: a journey is what a customer does, the first
// thing to look at.
func journeysFirst(rows []sloRow) []sloRow {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Journey && !rows[j].Journey })
	return rows
}

// withCauses names, on the journeys among rows, the component that caused
// most of their spent budget.
func (s *Server) withCauses(rows []sloRow) {
	var idx catalogIndex
	for i := range rows {
		if !rows[i].Journey {
			continue
		}
		v, ok := s.engine.SLO(rows[i].ID)
		if !ok {
			continue
		}
		if idx.byID == nil {
			idx = newCatalogIndex(s.engine.Catalog())
		}
		rows[i].Cause = s.act(topCause(s.componentRows(v.Components, idx)), idx)
	}
}
