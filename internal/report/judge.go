package report

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// worstGroup judges a grouped SLO over a period as the policy judges it
// live: by the group that spent the most budget among those with the
// events the policy needs (among all, when none has them). Nil when no
// group has data.
func worstGroup(ctx context.Context, src Source, def slo.SLO, kind engine.Kind, p Period, required float64) (*Outcome, map[string]string, error) {
	// Whole hours, as outcome counts them: those starting before p.To.
	to := (engine.UnixMinute(p.To.Add(-time.Nanosecond))/60 + 1) * 60
	groups, err := src.GroupCounts(ctx, kind, def.ID(), engine.UnixMinute(p.From), to)
	if err != nil {
		return nil, nil, err
	}
	var worst *Outcome
	var worstKey string
	for key, c := range groups {
		o := outcomeOf(c, def.BudgetFraction(), def.Objective/100)
		if !o.HasData {
			continue
		}
		if worst == nil || worse(o, *worst, required) || !worse(*worst, o, required) && key < worstKey {
			worst, worstKey = &o, key
		}
	}
	if worst == nil {
		return nil, nil, nil
	}
	return worst, engine.GroupLabels(worstKey), nil
}

// worse orders groups as the policy does: those with the events it needs
// first, then the most budget spent.
func worse(a, b Outcome, required float64) bool {
	if ea, eb := a.Total >= required, b.Total >= required; ea != eb {
		return ea
	}
	return a.BudgetSpent > b.BudgetSpent
}

// policyTime sums how long the SLO spent in each policy state during the
// period (up to now), from its policy notifications: the state at the
// period's start is the last one entered before it, or the resting state.
func policyTime(notes []engine.Notification, policy slo.Policy, p Period, now time.Time) []StateTime {
	end := p.To
	if now.Before(end) {
		end = now
	}
	if !end.After(p.From) || len(policy.States) == 0 {
		return nil
	}
	resting := policy.States[len(policy.States)-1].Name
	spent := map[string]time.Duration{}
	cur, since := resting, p.From
	for _, n := range notes {
		if n.Kind != engine.NotifyPolicy || n.Policy == nil || !n.At.Before(end) {
			continue
		}
		if n.At.After(since) {
			spent[cur] += n.At.Sub(since)
			since = n.At
		}
		cur = n.Policy.To
	}
	spent[cur] += end.Sub(since)
	var out []StateTime
	for _, st := range policy.States {
		if d := spent[st.Name].Round(time.Minute); d > 0 {
			out = append(out, StateTime{State: st.Name, Time: engine.Duration(d), Resting: st.Name == resting})
		}
		delete(spent, st.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(spent)) { // states of a policy since changed
		if d := spent[name].Round(time.Minute); d > 0 {
			out = append(out, StateTime{State: name, Time: engine.Duration(d)})
		}
	}
	return out
}
