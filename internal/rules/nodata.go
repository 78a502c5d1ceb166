package rules

import (
	"maps"

	"github.com/accord-slo/accord/internal/slo"
)

// NoDataAlertName is the name of the alert that fires when an SLO's
// queries select no series.
const NoDataAlertName = "SLONoData"

// noDataRule fires when none of the SLO's total series has been seen for
// opts.NoData: the SLI cannot be measured, so its burn-rate alerts are
// blind. It is a ticket, routed like the SLO's other alerts.
func noDataRule(cat *slo.Catalog, s *slo.SLO, t target, opts Options) Rule {
	owners := cat.EffectiveOwners(*s)
	l := map[string]string{}
	maps.Copy(l, s.Alerting.Labels)
	maps.Copy(l, s.Alerting.Ticket.Labels)
	maps.Copy(l, owners.OnCall.Labels)
	delete(l, "alertname")
	maps.Copy(l, t.labels())
	if opts.Naming == NamingSloth {
		l["sloth_severity"] = string(slo.SeverityTicket)
	} else if _, ok := l["severity"]; !ok {
		l["severity"] = string(slo.SeverityTicket)
	}
	if owners.Team != "" {
		l["team"] = owners.Team
	}
	ann := map[string]string{
		"summary":     escape(title(s)) + " has no data",
		"description": "None of the SLO's series has been seen for " + dur(opts.NoData) + ": its SLI, budget and burn-rate alerts cannot be computed. Check the exporter, the scrape and the queries.",
	}
	if runbook := runbookURL(cat, s); runbook != "" {
		ann["runbook_url"] = runbook
	}
	return Rule{Alert: NoDataAlertName, Expr: "absent(" + t.sel(TotalIncrease1m) + ")", For: dur(opts.NoData), Labels: l, Annotations: ann}
}
