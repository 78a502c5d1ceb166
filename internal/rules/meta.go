package rules

import (
	"maps"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// budgetRules record the events of the SLO's window, which the alerts'
// budget condition reads, and the share of the error budget left.
func budgetRules(s *slo.SLO, t target) []Rule {
	w := s.Window.Nominal()
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	var ratio string
	switch {
	case timeslices(s) && hourlySlices(s):
		ratio = "avg_over_time(" + t.sel(SliceError1h) + "[" + span(w) + "]) or " + t.sliceAverage(time.Hour)
	case timeslices(s):
		ratio = t.sliceAverage(w)
	default:
		ratio = "(" + t.windowEvents(errorEvents, w) + ")\n/\n(" + t.windowEvents(totalEvents, w) + ")"
	}
	budget := record(BudgetRemaining, "1 - ("+ratio+") / "+num(s.BudgetFraction()))
	if timeslices(s) {
		return []Rule{budget}
	}
	return []Rule{record(TotalIncreaseOver(w), t.windowEvents(totalEvents, w)), budget}
}

// metaRule records the objective, labelled with what dashboards show of
// the SLO: its team, window, budgeting method and indicator kind. It reads
// nothing.
func metaRule(cat *slo.Catalog, s *slo.SLO, t target) Rule {
	l := t.labels()
	maps.Copy(l, map[string]string{
		"window":    dur(s.Window.Nominal()),
		"budgeting": string(budgeting(s)),
		"indicator": indicatorKind(s),
	})
	if team := cat.EffectiveOwners(*s).Team; team != "" {
		l["team"] = team
	}
	return Rule{Record: Objective, Expr: "vector(" + num(s.Objective/100) + ")", Labels: l}
}

// budgeting is the SLO's budgeting method, occurrences when none is set.
func budgeting(s *slo.SLO) slo.BudgetingMethod {
	if s.Budgeting.Method == "" {
		return slo.Occurrences
	}
	return s.Budgeting.Method
}

// indicatorKind is the kind of the SLO's indicator, or composite for a
// journey, which has none of its own.
func indicatorKind(s *slo.SLO) string {
	if s.Journey() {
		return "composite"
	}
	return string(s.Indicator.Kind)
}
