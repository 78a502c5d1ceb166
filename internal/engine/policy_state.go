package engine

import (
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Hysteresis keeps policy states from flapping: an SLO moves to a better
// state only after HysteresisHold in its current state, and only once the
// current state's condition fails by a margin: budget left above the
// threshold plus BudgetMargin percentage points, burn rate below
// BurnMargin times the threshold. Worse states apply at once.
const (
	HysteresisHold = 15 * time.Minute
	BudgetMargin   = 2.0
	BurnMargin     = 0.9
)

// PolicyRecord is an SLO's policy state, kept across restarts.
type PolicyRecord struct {
	SLO     string       `json:"slo"`
	Policy  string       `json:"policy"`
	State   string       `json:"state"`
	Since   time.Time    `json:"since"`
	Actions []slo.Action `json:"actions,omitempty"`
}

// PolicyChange is an SLO's move from one policy state to another, and who
// the policy says must hear of it.
type PolicyChange struct {
	SLO     string       `json:"slo"`
	Service string       `json:"service"`
	Policy  string       `json:"policy"`
	From    string       `json:"from"`
	To      string       `json:"to"`
	Actions []slo.Action `json:"actions,omitempty"`
	// Healthy is true when To is the policy's last (resting) state.
	Healthy bool `json:"healthy"`
	// Recipients maps the roles the new state notifies to who they are:
	// "team": "pos-platform", "product-owner": "maria.jensen", …
	Recipients      map[string]string `json:"recipients,omitempty"`
	BudgetRemaining float64           `json:"budgetRemaining"`
}

// Summary says the change in one line.
func (c PolicyChange) Summary() string {
	return fmt.Sprintf("%s moved from %s to %s under policy %s (%.0f%% of the error budget left)",
		c.SLO, c.From, c.To, c.Policy, c.BudgetRemaining*100)
}

// nextPolicyState applies the policy with hysteresis to the current state.
// Without the required events a state beyond the resting one cannot be
// entered, and after the hold it is left: it needs evidence.
func nextPolicyState(p slo.Policy, current PolicyRecord, st Status, required float64, now time.Time) slo.PolicyState {
	target := PolicyState(p, st, required)
	if current.State == "" {
		return target
	}
	cur, curIdx := stateByName(p, current.State)
	tIdx := indexOf(p, target.Name)
	if curIdx < 0 || tIdx <= curIdx {
		return target // unknown (policy changed) or worse: at once
	}
	// Better: only after the hold, and once the current condition clearly
	// fails (or can no longer be judged).
	if now.Sub(current.Since) < HysteresisHold || Evident(st, required) && holdsWithMargin(cur.When, st) {
		return cur
	}
	return target
}

func holdsWithMargin(c slo.Condition, st Status) bool {
	if c.IsZero() {
		return true
	}
	budgetHolds := c.BudgetRemainingAtMost == nil || st.Budget.RemainingFraction*100 <= *c.BudgetRemainingAtMost+BudgetMargin
	burnHolds := true
	if c.BurnRateAtLeast != nil {
		w := c.BurnRateWindow
		if w == 0 {
			w = time.Hour
		}
		rate, _ := st.Burn(w)
		burnHolds = rate >= *c.BurnRateAtLeast*BurnMargin
	}
	return budgetHolds && burnHolds
}

func stateByName(p slo.Policy, name string) (slo.PolicyState, int) {
	i := indexOf(p, name)
	if i < 0 {
		return slo.PolicyState{}, -1
	}
	return p.States[i], i
}

func indexOf(p slo.Policy, name string) int {
	for i, s := range p.States {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// recipients resolves the roles a state's notify actions name.
func recipients(actions []slo.Action, o slo.Owners) map[string]string {
	out := map[string]string{}
	for _, a := range actions {
		if a.Kind != slo.ActionNotify {
			continue
		}
		for _, r := range a.Roles {
			switch r {
			case slo.RoleTeam:
				out[string(r)] = o.Team
			case slo.RoleProductOwner:
				out[string(r)] = o.ProductOwner
			case slo.RoleOnCall:
				out[string(r)] = o.OnCall.Receiver
			case slo.RoleEscalation:
				out[string(r)] = o.Escalation
			}
		}
	}
	return out
}
