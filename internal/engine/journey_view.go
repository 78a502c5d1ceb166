package engine

import (
	"math"

	"github.com/accord-slo/accord/internal/slo"
)

// ComponentImpact is one component of a journey over the journey's
// window, and the share of the journey's spent budget it caused, so the
// team to act is plain.
type ComponentImpact struct {
	// SLO is the component's ID (service/name).
	SLO    string  `json:"slo"`
	Weight float64 `json:"weight"`
	// Good and Total are the component's own events (slices for time
	// slices) in the journey's window, not weighted.
	Good  float64 `json:"good"`
	Total float64 `json:"total"`
	// SLI is Good over Total; nil without data.
	SLI *float64 `json:"sli"`
	// SpentShare is the share of the journey's spent budget the component
	// caused, 0..1; the shares of a journey that spent some add up to 1.
	// Occurrences: weight·bad over the sum of weight·bad. Time slices:
	// the bad journey slices the component was bad in, each shared among
	// the components bad in it.
	SpentShare float64 `json:"spentShare"`
	// Delayed is true while the component's data lags more than the
	// journey's maxDelay behind the newest of its components.
	Delayed bool `json:"delayed,omitempty"`
}

// components is the impact of each of a journey's components over the
// window of its status; the caller holds the lock.
func (e *Engine) components(st *sloState) []ComponentImpact {
	comps := st.def.Composite.Components
	out := make([]ComponentImpact, len(comps))
	states := make([]*sloState, len(comps))
	from, through := UnixMinute(st.all.status.WindowStart)-1, UnixMinute(st.all.status.At)
	for i, c := range comps {
		out[i] = ComponentImpact{SLO: c.SLO, Weight: c.Weight}
		if js := st.journey; len(js.delayed) == len(comps) {
			out[i].Delayed = js.delayed[i]
		}
		states[i] = e.slos[c.SLO]
		if states[i] == nil {
			continue
		}
		n := states[i].all.budgetSeries().Sum(from, through)
		out[i].Good, out[i].Total = n.Good, n.Total
		if n.Total > 0 {
			sli := n.Good / n.Total
			out[i].SLI = &sli
		}
	}
	spent := make([]float64, len(comps))
	if st.timeslices() {
		e.sliceImpact(st, states, from, through, spent)
	} else {
		for i, c := range comps {
			spent[i] = c.Weight * max(out[i].Total-out[i].Good, 0)
			if len(st.journey.stand) == len(comps) {
				spent[i] += st.journey.stand[i].in(from, through).Bad() // what stands in for its missing minutes
			}
		}
	}
	var sum float64
	for _, s := range spent {
		sum += s
	}
	if sum > 0 {
		for i := range out {
			out[i].SpentShare = spent[i] / sum
		}
	}
	return out
}

// sliceImpact adds to spent, for each component, the bad journey slices
// (or, past the minute checkpoints, the bad slices of hour-long blocks)
// it was bad in, each shared among the components bad in it by their
// weighted badness.
func (e *Engine) sliceImpact(st *sloState, states []*sloState, from, through int64, spent []float64) {
	comps := st.def.Composite.Components
	l, b := st.sliceMinutes(), st.blockMinutes()
	exact := st.firstExact(st.all.slices.head)
	bad := make([]float64, len(comps))
	for s := from + 1; s <= through; {
		step := l
		if s < exact {
			step = b - ((s%b)+b)%b // to the next block boundary
		}
		end := min(s+step, through+1)
		j := st.all.slices.Sum(s-1, end-1)
		if jb := j.Total - j.Good; jb > 1e-9 {
			var sum float64
			for i, c := range states {
				bad[i] = 0
				if c == nil || c.all.slices == nil {
					continue
				}
				n := c.all.slices.Sum(s-1, end-1)
				bad[i] = comps[i].Weight * max(n.Total-n.Good, 0)
				if n.Total <= 1e-9 && st.def.Composite.WhenDelayed == slo.CountAsBad && len(st.journey.delayed) == len(comps) && st.journey.late(i, end-1) {
					bad[i] = comps[i].Weight * float64((end-s+l-1)/l) // late, counted as bad
				}
				sum += bad[i]
			}
			for i := range bad {
				if sum > 0 && !math.IsNaN(bad[i]) {
					spent[i] += jb * bad[i] / sum
				}
			}
		}
		s = end
	}
}
