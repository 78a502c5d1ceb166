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

// journeyOf builds a journey's components (comps, from its view), the
// one that caused most of its spent budget, and the SLO whose team is to
// act.
func (s *Server) journeyOf(comps []engine.ComponentImpact, def slo.SLO) *journeyView {
	j := &journeyView{Components: componentRows(s.engine.Parts(comps))}
	if c := def.Composite; c != nil && c.MaxDelay > 0 {
		j.Late = fmt.Sprintf("a component more than %s late counts as %s", slo.FormatDuration(c.MaxDelay), lateText[c.WhenDelayed])
	}
	j.Cause = topCause(j.Components)
	j.Act = s.act(j.Cause)
	return j
}

// lateText says how a late component's minutes count, for people.
var lateText = map[slo.WhenDelayed]string{slo.CountAsGood: "good", slo.CountAsBad: "bad",
	slo.IgnoreDelayed: "absent (left out until its data arrives)"}

// act follows a cause that is a journey down to the plain SLO that caused
// most of its spend; nil when the trail ends at a journey with no spend.
func (s *Server) act(cause *componentRow) *componentRow {
	for depth := 0; cause != nil && cause.Journey && depth < maxNesting; depth++ {
		comps, ok := s.engine.Components(cause.ID)
		if !ok {
			return nil
		}
		cause = topCause(componentRows(s.engine.Parts(comps)))
	}
	if cause != nil && cause.Journey {
		return nil
	}
	return cause
}

// componentRows describes a journey's components from their impact and
// what they are.
func componentRows(parts []engine.Part) []componentRow {
	out := make([]componentRow, 0, len(parts))
	for _, c := range parts {
		row := componentRow{ID: c.SLO, Title: c.SLO, Href: "/slos/" + c.SLO, Weight: c.Weight,
			Good: c.Good, Total: c.Total, Share: c.SpentShare, HasData: c.SLI != nil, Health: c.Health}
		if c.SLI != nil {
			row.SLI = *c.SLI
		}
		if d := c.Def; c.Known {
			row.Title, row.Service, row.Team = cmp.Or(d.DisplayName, d.Name), d.Service, c.Owners.Team
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
	for _, jid := range s.engine.PartOf(id) {
		if d, _, ok := s.engine.Definition(jid); ok {
			out = append(out, journeyLink{Title: cmp.Or(d.DisplayName, d.Name), Href: "/slos/" + d.Service + "/" + d.Name})
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
	for i := range rows {
		if !rows[i].Journey {
			continue
		}
		if comps, ok := s.engine.Components(rows[i].ID); ok {
			rows[i].Cause = s.act(topCause(componentRows(s.engine.Parts(comps))))
		}
	}
}
