package rules

import (
	"fmt"
	"maps"
	"math/big"
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
func alertRules(cat *slo.Catalog, s *slo.SLO, t target, naming Naming) []Rule {
	name := s.Alerting.Name
	if name == "" {
		name = DefaultAlertName
	}
	owners := cat.EffectiveOwners(*s)
	budget := num(s.BudgetFraction())
	var out []Rule
	for _, r := range engine.Rules(s) {
		// The error ratio is compared with factor × budget written out in
		// decimal (0.0144 for 14.4 × 0.1%), not divided by the budget
		// first: a ratio of whole counts equal to it is then the same
		// float, so a burn equal to the factor does not fire, as in the
		// engine. The value left is the burn rate.
		limit := exactProduct(r.Factor, s.BudgetShare())
		burn := func(w time.Duration) string {
			if timeslices(s) {
				return "(" + t.sliceAverage(w) + " > " + limit + ") / " + budget
			}
			return "(" + t.ratio(w) + " > " + limit + ") / " + budget
		}
		expr := "(" + burn(r.LongWindow) + ")\nand\n(" + burn(r.ShortWindow) + ")"
		if !timeslices(s) {
			expr += "\nand\n" + spentCondition(s, t, r)
		}
		rule := Rule{
			Alert:       name,
			Expr:        expr,
			Labels:      alertLabels(s, t, owners, r, naming),
			Annotations: annotations(cat, s, t, r),
		}
		if _, ok := rule.Annotations["title"]; naming == NamingSloth && !ok {
			// Sloth's own, which Alertmanager templates written for
			// Sloth print.
			rule.Annotations["title"] = "(" + string(r.Severity) + ") {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."
		}
		if r.For > 0 {
			rule.For = dur(r.For)
		}
		out = append(out, rule)
	}
	return out
}

// spentCondition is the engine's budget condition for an event-budgeted
// SLO: the long window's bad events reach factor × long/window of the
// window's budget, (1 − objective) × the window's events, and no fewer
// than engine.MinBadEvents. Under steady traffic it agrees with the burn
// rate; in quiet hours it keeps a few failures from paging.
func spentCondition(s *slo.SLO, t target, r slo.BurnRateAlert) string {
	w := s.Window.Nominal()
	share := r.Factor * float64(max(r.LongWindow, EvalStep)) / float64(w) * s.BudgetFraction()
	return t.events(errorEvents, r.LongWindow) + " >= clamp_min(" + num(share) + " * " + t.sel(TotalIncreaseOver(w)) + ", " + num(engine.MinBadEvents) + ")"
}

// alertLabels are the labels the engine gives the rule's alerts, but for
// the group-by labels, which come with the series as they do in the
// engine: the SLO's labels, the alerting and severity labels, the on-call
// route's, then alertname, slo, service, severity, burn_window and team.
// A severity the spec gives (Sloth's `severity: pageteam`) is kept, since
// alert routes match on it. With NamingSloth sloth_severity says page or
// ticket, as in Sloth, whose alerts carry the spec's labels too.
func alertLabels(s *slo.SLO, t target, owners slo.Owners, r slo.BurnRateAlert, naming Naming) map[string]string {
	l := maps.Clone(s.Labels)
	if l == nil {
		l = map[string]string{}
	}
	maps.Copy(l, s.Alerting.Labels)
	maps.Copy(l, level(s, r).Labels)
	maps.Copy(l, owners.OnCall.Labels)
	for _, k := range t.by {
		delete(l, k)
	}
	delete(l, "alertname") // the rule's name
	maps.Copy(l, t.labels())
	if naming == NamingSloth {
		l["sloth_severity"] = string(r.Severity)
	} else if _, ok := l["severity"]; !ok {
		l["severity"] = string(r.Severity)
	}
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
func annotations(cat *slo.Catalog, s *slo.SLO, t target, r slo.BurnRateAlert) map[string]string {
	ann := map[string]string{}
	maps.Copy(ann, s.Alerting.Annotations)
	maps.Copy(ann, level(s, r).Annotations)
	where := ""
	if len(t.by) > 0 {
		var parts []string
		for _, k := range slices.Sorted(slices.Values(t.by)) {
			parts = append(parts, k+"={{ $labels."+k+" }}")
		}
		where = " (" + strings.Join(parts, ", ") + ")"
	}
	const burn = `{{ printf "%.1f" $value }}`
	if _, ok := ann["summary"]; !ok {
		ann["summary"] = escape(title(s)) + where + " is burning its error budget " + burn + "× too fast"
	}
	ann["description"] = fmt.Sprintf("Burn rate %s× over %s; the alert fires above %s× over both %s and %s. Objective %s%% over %s.",
		burn, dur(r.LongWindow), num(r.Factor), dur(r.LongWindow), dur(r.ShortWindow), num(s.Objective), escape(s.Window.String()))
	if runbook := runbookURL(cat, s); runbook != "" {
		ann["runbook_url"] = runbook
	}
	return ann
}

// title names the SLO in alert summaries: its display name, or its ID.
func title(s *slo.SLO) string {
	if s.DisplayName != "" {
		return s.DisplayName
	}
	return s.ID()
}

// runbookURL is the SLO's runbook, or its service's; empty without one.
func runbookURL(cat *slo.Catalog, s *slo.SLO) string {
	if s.RunbookURL != "" {
		return s.RunbookURL
	}
	if svc, ok := cat.Service(s.Service); ok {
		return svc.RunbookURL
	}
	return ""
}

// escape keeps text that reaches an alert template from being read as a
// template action.
func escape(s string) string {
	return strings.ReplaceAll(s, "{{", `{{ "{{" }}`)
}

// exactProduct writes f × share for PromQL, exactly when the product of
// two decimals is (it always is for decimal factors and objectives).
func exactProduct(f float64, share *big.Rat) string {
	r := new(big.Rat).Mul(slo.Decimal(f), share)
	for prec := 0; prec <= 40; prec++ {
		d := r.FloatString(prec)
		if back, ok := new(big.Rat).SetString(d); ok && back.Cmp(r) == 0 {
			return d
		}
	}
	g, _ := r.Float64()
	return num(g)
}
