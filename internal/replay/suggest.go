package replay

import (
	"cmp"
	"slices"
	"time"
)

// Suggestion is what one objective would have meant over the replay.
type Suggestion struct {
	Objective float64 `json:"objective"`
	// Current is true for the SLO's own objective.
	Current bool `json:"current"`
	// SLI is the share of good events over the replay (the same for every
	// objective); Met says whether it reaches the objective.
	SLI *float64 `json:"sli"`
	Met bool     `json:"met"`
	// BudgetLeft is the share of the window's budget left at the end, and
	// LowestBudget the least left at any hour, for the group the policy
	// follows. Nil without data.
	BudgetLeft   *float64 `json:"budgetLeft"`
	LowestBudget *float64 `json:"lowestBudget"`
	// KeptBudget is true when the budget never ran out.
	KeptBudget bool `json:"keptBudget"`
	Pages      int  `json:"pages"`
	Tickets    int  `json:"tickets"`
	// Freezes counts the release freezes the policy would have called,
	// and FrozenHours how long they lasted together.
	Freezes     int     `json:"freezes"`
	FrozenHours float64 `json:"frozenHours"`
}

// candidates are the objectives to replay beside own: sorted, without
// own and duplicates.
func candidates(own float64, objectives []float64) []float64 {
	var out []float64
	for _, o := range objectives {
		if o != own && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	return out
}

// suggestions compares the SLO's own objective (r) with its copies'.
func (p *part) suggestions(r SLOResult, alerts map[string][]Alert) ([]Suggestion, *float64) {
	own := p.suggestion(r.Objective, r.SLI, p.samples[r.SLO], r.Alerts, r.Freezes)
	own.Current = true
	out := []Suggestion{own}
	for _, c := range p.copies[r.SLO] {
		out = append(out, p.suggestion(c.objective, r.SLI, p.samples[c.id], alerts[c.id], freezes(p.policy(c.id))))
	}
	slices.SortFunc(out, func(a, b Suggestion) int { return cmp.Compare(a.Objective, b.Objective) })
	var best *float64
	for _, s := range out {
		if s.KeptBudget {
			o := s.Objective
			best = &o
		}
	}
	return out, best
}

func (p *part) suggestion(objective float64, sli *float64, ss []sample, alerts []Alert, frozen []Period) Suggestion {
	s := Suggestion{Objective: objective, SLI: sli, Freezes: len(frozen)}
	if sli != nil {
		s.Met = *sli*100 >= objective
	}
	for _, x := range ss {
		if x.worst == nil {
			continue
		}
		if s.LowestBudget == nil || *x.worst < *s.LowestBudget {
			w := *x.worst
			s.LowestBudget = &w
		}
		s.BudgetLeft = x.worst
	}
	s.KeptBudget = s.LowestBudget != nil && *s.LowestBudget > 0
	pages, tickets := bySeverity(alerts)
	s.Pages, s.Tickets = len(pages), len(tickets)
	var d time.Duration
	for _, f := range frozen {
		d += f.Duration()
	}
	s.FrozenHours = d.Hours()
	return s
}
