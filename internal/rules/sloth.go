package rules

import (
	"maps"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// slothWindows are the windows Sloth records an error ratio for, besides
// the SLO's own.
var slothWindows = []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour}

// The series Sloth records besides slo:sli_error:ratio_rate<W>.
const (
	SlothErrorBudget     = "slo:error_budget:ratio"
	SlothTimePeriod      = "slo:time_period:days"
	SlothCurrentBurnRate = "slo:current_burn_rate:ratio"
	SlothPeriodBurnRate  = "slo:period_burn_rate:ratio"
	SlothBudgetRemaining = "slo:period_error_budget_remaining:ratio"
	SlothInfo            = "sloth_slo_info"
)

// slothRules record, with NamingSloth, the series Sloth records for an
// SLO, with Sloth's labels (sloth_id, sloth_service, sloth_slo and the
// spec's labels), derived from the minute's events and the tiles: the
// error ratio over Sloth's windows, every alert window and the SLO's own
// (labelled sloth_window), the objective and budget, the burn rates and
// the budget left, and sloth_slo_info.
func slothRules(s *slo.SLO, t target) []Rule {
	w := s.Window.Nominal()
	base := t.labels()
	for k, v := range s.Labels {
		if _, ok := base[k]; !ok {
			base[k] = v
		}
	}
	record := func(name, expr string, extra map[string]string) Rule {
		l := maps.Clone(base)
		maps.Copy(l, extra)
		return Rule{Record: name, Expr: expr, Labels: l}
	}
	var out []Rule
	if !timeslices(s) {
		// Accord's own series, which the alerts' budget condition matches
		// one to one against the minute's events: labelled as those are,
		// without the spec's labels, or no alert would ever fire.
		out = append(out, Rule{Record: TotalIncreaseOver(w), Expr: t.windowEvents(totalEvents, w), Labels: t.labels()})
	}
	windows := slices.Clone(slothWindows)
	for _, r := range engine.Rules(s) {
		windows = append(windows, max(r.LongWindow, EvalStep), max(r.ShortWindow, EvalStep))
	}
	slices.Sort(windows)
	windows = slices.Compact(slices.DeleteFunc(windows, func(d time.Duration) bool { return d >= w }))
	ratio := func(d time.Duration) string {
		switch {
		case timeslices(s) && d == w && hourlySlices(s):
			return "avg_over_time(" + t.sel(SliceError1h) + "[" + span(w) + "]) or " + t.sliceAverage(time.Hour)
		case timeslices(s):
			return t.sliceAverage(d)
		case d == w:
			return "(" + t.windowEvents(errorEvents, w) + ")\n/\n(" + t.windowEvents(totalEvents, w) + ")"
		}
		return t.ratio(d)
	}
	for _, d := range append(windows, w) {
		out = append(out, record(ErrorRatio(d), ratio(d), map[string]string{"sloth_window": dur(d)}))
	}
	budget := num(s.BudgetFraction())
	days := num(w.Hours() / 24)
	return append(out,
		record(Objective, "vector("+num(s.Objective/100)+")", nil),
		record(SlothErrorBudget, "vector("+budget+")", nil),
		record(SlothTimePeriod, "vector("+days+")", nil),
		record(SlothCurrentBurnRate, "("+ratio(5*time.Minute)+") / "+budget, nil),
		record(SlothPeriodBurnRate, t.sel(ErrorRatio(w))+" / "+budget, nil),
		record(SlothBudgetRemaining, "1 - "+t.sel(SlothPeriodBurnRate), nil),
		record(SlothInfo, "vector(1)", map[string]string{"sloth_mode": "accord", "sloth_objective": num(s.Objective), "sloth_spec": "prometheus/v1"}),
	)
}
