package rules

import (
	"maps"

	"github.com/accord-slo/accord/internal/slo"
)

// metaRules record what dashboards need besides the error ratios: the
// objective, the SLO's team, window and objective as labels of an info
// series, and the share of the error budget left over the SLO's window.
// The first two read nothing.
func metaRules(cat *slo.Catalog, s *slo.SLO, t target) []Rule {
	info := t.labels()
	maps.Copy(info, map[string]string{
		"window":    dur(s.Window.Nominal()),
		"objective": num(s.Objective),
		"budgeting": string(budgeting(s)),
		"indicator": string(s.Indicator.Kind),
	})
	if team := cat.EffectiveOwners(*s).Team; team != "" {
		info["team"] = team
	}
	return []Rule{
		{Record: Objective, Expr: "vector(" + num(s.Objective/100) + ")", Labels: t.labels()},
		{Record: Info, Expr: "vector(1)", Labels: info},
		{
			Record: BudgetRemaining,
			Expr:   "1 - " + t.sel(ErrorRatio(s.Window.Nominal())) + " / " + num(s.BudgetFraction()),
			Labels: t.labels(),
		},
	}
}

// budgeting is the SLO's budgeting method, occurrences when none is set.
func budgeting(s *slo.SLO) slo.BudgetingMethod {
	if s.Budgeting.Method == "" {
		return slo.Occurrences
	}
	return s.Budgeting.Method
}
