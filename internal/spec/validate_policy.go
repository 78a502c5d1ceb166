package spec

import (
	"fmt"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

var (
	knownActions = map[slo.ActionKind]bool{
		slo.ActionNotify: true, slo.ActionReliabilityFirst: true, slo.ActionFreezeReleases: true, slo.ActionPostmortem: true,
	}
	knownRoles = map[slo.Role]bool{
		slo.RoleTeam: true, slo.RoleProductOwner: true, slo.RoleOnCall: true, slo.RoleEscalation: true,
	}
)

func checkPolicy(p slo.Policy, diags *diag.List) {
	checkName(diags, p.Origins.Get("name", p.Origin), "policy", p.Name)
	if len(p.States) == 0 {
		diags.Errorf(p.Origins.Get("states", p.Origin), "policy %q has no states", p.Name)
	}
	names := map[string]bool{}
	catchAll := ""
	for i, st := range p.States {
		at := p.Origins.Get(fmt.Sprintf("states[%d]", i), p.Origin)
		if st.Name == "" {
			diags.Errorf(at, "policy state has no name")
		} else if names[st.Name] {
			diags.Errorf(at, "policy state %q is given twice", st.Name)
		}
		names[st.Name] = true
		if catchAll != "" {
			diags.Errorf(at, "state %q can never apply: state %q before it has no condition and always matches", st.Name, catchAll)
		}
		if st.When.IsZero() && catchAll == "" {
			catchAll = st.Name
		}
		checkCondition(st.When, at, diags)
		checkActions(st.Actions, at, diags)
	}
	if len(p.States) > 0 && catchAll == "" {
		diags.Warnf(p.Origins.Get("states", p.Origin), "policy %q has no state without a condition: an SLO that matches none has no state; end with one such as {name: healthy}", p.Name)
	}
}

func checkCondition(c slo.Condition, at slo.Origin, diags *diag.List) {
	if b := c.BudgetRemainingAtMost; b != nil && (*b < 0 || *b > 100) {
		diags.Errorf(at, "budgetRemainingAtMost %g%% must be between 0 and 100", *b)
	}
	if r := c.BurnRateAtLeast; r != nil {
		if *r <= 0 {
			diags.Errorf(at, "burnRateAtLeast %g must be above 0", *r)
		}
		if c.BurnRateWindow <= 0 {
			diags.Errorf(at, "burnRateAtLeast needs a burnRateWindow such as 1h")
		}
	}
}

func checkActions(actions []slo.Action, at slo.Origin, diags *diag.List) {
	for _, a := range actions {
		if !knownActions[a.Kind] {
			diags.Errorf(at, "action %q must be notify, reliability-first, freeze-releases or postmortem", a.Kind)
		}
		if a.Kind == slo.ActionNotify && len(a.Roles) == 0 {
			diags.Errorf(at, "notify names no roles (team, product-owner, on-call, escalation)")
		}
		for _, r := range a.Roles {
			if !knownRoles[r] {
				diags.Errorf(at, "role %q must be team, product-owner, on-call or escalation", r)
			}
		}
	}
}
