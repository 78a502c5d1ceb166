package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// DefaultAlertName is the alert name of SLOs whose alerting names none,
// as in the engine.
const DefaultAlertName = "ErrorBudgetBurn"

// alertRules are the SLO's burn-rate alerts, engine.Rules: each fires
// while the burn rate over both its long and its short window exceeds its
// factor and, as in the engine, the long window has spent the share of
// the window's budget the rule stands for, and at least MinBadEvents bad
// events. The alert's value is the burn rate over the long window.
func alertRules(cat *slo.Catalog, s *slo.SLO, t target) []Rule {
	name := s.Alerting.Name
	if name == "" {
		name = DefaultAlertName
	}
	owners := cat.EffectiveOwners(*s)
	budget := num(s.BudgetFraction())
	var out []Rule
	for _, r := range engine.Rules(s) {
		burn := func(w string) string { return t.sel(w) + " / " + budget + " > " + num(r.Factor) }
		expr := burn(ErrorRatio(r.LongWindow)) + "\nand\n" + burn(ErrorRatio(r.ShortWindow))
		if spent := spentCondition(s, t, r); spent != "" {
			expr += "\nand\n" + spent
		}
		rule := Rule{
			Alert:       name,
			Expr:        expr,
			Labels:      alertLabels(s, owners, r),
			Annotations: annotations(cat, s, r),
		}
		if r.For > 0 {
			rule.For = dur(r.For)
		}
		out = append(out, rule)
	}
	return out
}

// spentCondition is the engine's budget condition for an event-budgeted
// SLO: the long window's bad events per second, times its length, reach
// factor × long/window × the window's budget, which comes to a bad rate of
// factor × (1 − objective) × the window's average traffic; and no fewer
// than engine.MinBadEvents bad events over the long window. Under steady
// traffic it agrees with the burn rate; in quiet hours it keeps a few
// failures from paging. Time-slice SLOs have no such condition here.
func spentCondition(s *slo.SLO, t target, r slo.BurnRateAlert) string {
	w := s.Window.Nominal()
	if timeslices(s) || w%time.Hour != 0 {
		return ""
	}
	rng := dur(max(r.LongWindow, baseWindow))
	if r.LongWindow > overlapLimit {
		rng += ":" + dur(baseWindow) // one 5-minute recording every 5 minutes tiles the window
	}
	badRate := "avg_over_time(" + t.sel(ErrorRate5m) + "[" + rng + "])"
	// Before the window's first hour is recorded its traffic is the
	// current traffic. clamp_min adds the MinBadEvents floor, as a rate.
	traffic := "(" + t.sel(TotalRateOver(w)) + " or " + t.sel(TotalRate5m) + ")"
	floor := float64(engine.MinBadEvents) / max(r.LongWindow, baseWindow).Seconds()
	return badRate + " >= clamp_min(" + num(r.Factor*s.BudgetFraction()) + " * " + traffic + ", " + num(floor) + ")"
}

// alertLabels are the labels the engine gives the rule's alerts, but for
// the group-by labels, which come with the series as they do in the
// engine: the SLO's labels, the alerting and severity labels, the on-call
// route's, then alertname, slo, service, severity, burn_window and team.
func alertLabels(s *slo.SLO, owners slo.Owners, r slo.BurnRateAlert) map[string]string {
	l := map[string]string{}
	maps.Copy(l, s.Labels)
	maps.Copy(l, s.Alerting.Labels)
	maps.Copy(l, level(s, r).Labels)
	maps.Copy(l, owners.OnCall.Labels)
	for _, k := range s.GroupBy {
		delete(l, k)
	}
	delete(l, "alertname") // the rule's name
	l["slo"] = s.Name
	l["service"] = s.Service
	l["severity"] = string(r.Severity)
	l["burn_window"] = engine.RuleWindows(r)
	if owners.Team != "" {
		l["team"] = owners.Team
	}
	return l
}

// level is the alert level (page or ticket) of a rule.
func level(s *slo.SLO, r slo.BurnRateAlert) slo.AlertLevel {
	if r.Severity == slo.SeverityTicket {
		return s.Alerting.Ticket
	}
	return s.Alerting.Page
}

// annotations are the engine's annotations as Prometheus templates: the
// SLO's own (a templated summary works here, unlike in the engine), a
// summary and description with the burn rate, and the runbook.
func annotations(cat *slo.Catalog, s *slo.SLO, r slo.BurnRateAlert) map[string]string {
	ann := map[string]string{}
	maps.Copy(ann, s.Alerting.Annotations)
	maps.Copy(ann, level(s, r).Annotations)
	title := s.DisplayName
	if title == "" {
		title = s.ID()
	}
	where := ""
	if len(s.GroupBy) > 0 {
		var parts []string
		for _, k := range slices.Sorted(slices.Values(s.GroupBy)) {
			parts = append(parts, k+"={{ $labels."+k+" }}")
		}
		where = " (" + strings.Join(parts, ", ") + ")"
	}
	const burn = `{{ printf "%.1f" $value }}`
	if _, ok := ann["summary"]; !ok {
		ann["summary"] = escape(title) + where + " is burning its error budget " + burn + "× too fast"
	}
	ann["description"] = fmt.Sprintf("Burn rate %s× over %s; the alert fires above %s× over both %s and %s. Objective %s%% over %s.",
		burn, dur(r.LongWindow), num(r.Factor), dur(r.LongWindow), dur(r.ShortWindow), num(s.Objective), escape(s.Window.String()))
	runbook := s.RunbookURL
	if runbook == "" {
		if svc, ok := cat.Service(s.Service); ok {
			runbook = svc.RunbookURL
		}
	}
	if runbook != "" {
		ann["runbook_url"] = runbook
	}
	return ann
}

// escape keeps text that reaches an alert template from being read as a
// template action.
func escape(s string) string {
	return strings.ReplaceAll(s, "{{", `{{ "{{" }}`)
}
