package web

import (
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// The accord_slo_* families: name and help, in the order a scrape lists
// them.
var sloFamilyHelp = [...][2]string{
	famSLI:       {"accord_slo_sli_ratio", "Share of good events over the SLO's window (absent without data)."},
	famObjective: {"accord_slo_objective_ratio", "The SLO's objective as a share."},
	famRemaining: {"accord_slo_error_budget_remaining_ratio", "Share of the error budget left: 1 untouched, 0 exhausted, negative overspent."},
	famBurn:      {"accord_slo_burn_rate", "Burn rate over a window: 1 spends the budget exactly by the window's end."},
	famStale:     {"accord_slo_stale", "1 while the SLO's data source fails and its numbers are not current."},
	famBackfill:  {"accord_slo_backfill_ratio", "Share of the SLO's window loaded from its data source."},
	famAlert:     {"accord_slo_alert_firing", "Firing burn-rate alerts (one per group of a grouped SLO)."},
	famPolicy:    {"accord_slo_policy_state", "1 for the error budget policy state the SLO is in."},
	famGroups:    {"accord_slo_groups", "Groups (label sets) a grouped SLO counts; events that would start one over --max-groups are refused."},
	famComponent: {"accord_slo_journey_component_spent_share", "Share of a journey's spent budget over its window that one component (service/name) caused; a journey's shares add up to 1 once it spent some."},
}

const (
	famSLI = iota
	famObjective
	famRemaining
	famBurn
	famStale
	famBackfill
	famAlert
	famPolicy
	famGroups
	famComponent
	famCount
)

// sloFamilies builds the gauges of the SLOs of team or service (all for
// neither) straight as the exposition's messages. 10,000 SLOs make some
// 150,000 samples: as checked constant metrics, collected, checked and
// sorted again by the registry, they took most of a scrape's second of
// CPU. Each SLO's samples share its three labels, and the SLOs come in
// ID order, so the families need no sorting.
func sloFamilies(e *engine.Engine, team, service string) []*dto.MetricFamily {
	views := e.List(engine.ListQuery{Team: team, Service: service, Sort: engine.SortID, Components: true}).SLOs
	fams := make([]*dto.MetricFamily, famCount)
	for i := range fams {
		fams[i] = &dto.MetricFamily{Name: proto.String(sloFamilyHelp[i][0]), Help: proto.String(sloFamilyHelp[i][1]),
			Type: dto.MetricType_GAUGE.Enum()}
	}
	gauge := func(f int, v float64, labels []*dto.LabelPair) {
		fams[f].Metric = append(fams[f].Metric, &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: proto.Float64(v)}})
	}
	for _, v := range views {
		l := []*dto.LabelPair{pair("service", v.Service), pair("slo", v.Name), pair("team", v.Owners.Team)}
		// with adds labels to the SLO's, in name order as the
		// exposition wants them.
		with := func(extra ...*dto.LabelPair) []*dto.LabelPair {
			out := append(append(make([]*dto.LabelPair, 0, len(l)+len(extra)), l...), extra...)
			sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
			return out
		}
		if v.Status.SLI != nil {
			gauge(famSLI, *v.Status.SLI, l)
		}
		gauge(famObjective, v.Objective/100, l)
		if v.Status.HasData() { // no data is no budget, not a full one
			gauge(famRemaining, v.Status.Budget.RemainingFraction, l)
		}
		for _, b := range v.Status.BurnRates {
			if b.HasData {
				gauge(famBurn, b.Rate, with(pair("window", slo.FormatDuration(time.Duration(b.Window)))))
			}
		}
		gauge(famStale, b2f(v.Source.Stale), l)
		gauge(famBackfill, v.Source.Backfill, l)
		if v.Policy.State != "" {
			gauge(famPolicy, 1, with(pair("policy", v.Policy.Name), pair("state", v.Policy.State)))
		}
		if v.GroupCount > 0 {
			gauge(famGroups, float64(v.GroupCount), l)
		}
		if v.Status.HasData() {
			for _, comp := range v.Components { // a journey's
				gauge(famComponent, comp.SpentShare, with(pair("component", comp.SLO)))
			}
		}
		type rule struct{ severity, windows string }
		var firing []rule // groups of one SLO add up
		count := map[rule]float64{}
		for _, a := range v.Alerts {
			if a.State == engine.AlertFiring {
				k := rule{string(a.Severity), a.Windows}
				if count[k] == 0 {
					firing = append(firing, k)
				}
				count[k]++
			}
		}
		for _, k := range firing {
			gauge(famAlert, count[k], with(pair("severity", k.severity), pair("windows", k.windows)))
		}
	}
	out := fams[:0]
	for _, f := range fams {
		if len(f.Metric) > 0 { // as the registry leaves out a family without samples
			out = append(out, f)
		}
	}
	return out
}

func pair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: proto.String(name), Value: proto.String(value)}
}
