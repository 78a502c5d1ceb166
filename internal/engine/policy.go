package engine

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// PolicyView is where an SLO stands in its error budget policy.
type PolicyView struct {
	Name  string `json:"name"`
	State string `json:"state"`
	// Since is when the SLO entered the state.
	Since time.Time `json:"since,omitzero"`
	// Actions are what the state asks for now.
	Actions []slo.Action `json:"actions,omitempty"`
	// MinEvents is how many events (or slices) the window must hold before
	// the policy judges the budget; with fewer the SLO rests in the
	// policy's last state.
	MinEvents float64 `json:"minEvents"`
	// Resting is true in the policy's last state, the one that asks for
	// nothing.
	Resting bool `json:"resting"`
	// Judged is false while the window holds fewer than MinEvents (no
	// data included): the SLO rests in the last state for want of
	// evidence, not because its budget is healthy.
	Judged bool `json:"judged"`
}

// PolicyState returns the first state of p whose condition holds for st,
// as the policy lists them; an SLO whose window holds fewer than required
// events (none at all included) is in the last state.
func PolicyState(p slo.Policy, st Status, required float64) slo.PolicyState {
	if len(p.States) == 0 {
		return slo.PolicyState{Name: "healthy"}
	}
	if Evident(st, required) {
		for _, s := range p.States {
			if holds(s.When, st) {
				return s
			}
		}
	}
	return p.States[len(p.States)-1]
}

// Evident reports whether st's window holds the required events (or
// slices) for a policy to judge its budget.
func Evident(st Status, required float64) bool {
	return st.HasData() && st.Counts.Total >= required
}

func holds(c slo.Condition, st Status) bool {
	if c.BudgetRemainingAtMost != nil && st.Budget.RemainingFraction*100 > *c.BudgetRemainingAtMost {
		return false
	}
	if c.BurnRateAtLeast != nil {
		w := c.BurnRateWindow
		if w == 0 {
			w = time.Hour
		}
		rate, ok := st.Burn(w)
		if !ok || rate < *c.BurnRateAtLeast {
			return false
		}
	}
	return true
}
