package sloth

import (
	"encoding/json"
	"maps"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/query"
)

func (l *Loader) readSLO(m *decode.Map, k keys, service string, serviceAt slo.Origin, specLabels map[string]string, metricsQL bool) slo.SLO {
	s := slo.SLO{
		Name:        m.RequiredString("name"),
		Service:     service,
		Description: m.String("description"),
		Window:      slo.Window{Rolling: slothWindow},
		Budgeting:   slo.Budgeting{Method: slo.Occurrences},
		Origin:      m.Self(),
		Origins: slo.Origins{
			"name": m.Origin("name"), "service": serviceAt, "objective": m.Origin("objective"), "labels": m.Origin("labels"),
			"window": m.Self(), "indicator": m.Origin("sli"), "alerting": m.Origin("alerting"),
		},
	}
	if obj, ok := m.Float("objective"); ok {
		s.Objective = obj
	} else if m.Present() && !m.Has("objective") {
		m.Errorf("objective", "required field is missing; give a percentage such as 99.9")
	}
	labels := map[string]string{}
	maps.Copy(labels, specLabels)
	maps.Copy(labels, m.StringMap("labels"))
	if len(labels) > 0 {
		s.Labels = labels
	}
	if owner := labels["owner"]; owner != "" && owner != specLabels["owner"] {
		s.Owners.Team = owner
	}
	metricsQL = victoriaMetrics(readPlugins(m, "plugins")) || metricsQL
	readSLI(m, k, &s)
	if metricsQL {
		keepMetricsQL(&s)
	}
	inferGroupBy(m, &s)
	readAlerting(m, k, &s)
	return s
}

// keepMetricsQL keeps an SLO whose queries are MetricsQL (a Sloth spec
// with the VictoriaMetrics validation plugin) that PromQL cannot parse: it
// loads, is shown as not measured, and its queries are kept as written.
func keepMetricsQL(s *slo.SLO) {
	queries := s.Indicator.Queries()
	metrics := false
	for _, q := range queries {
		metrics = metrics || !query.Parses(q.Expr)
	}
	if !metrics {
		return
	}
	ext := &slo.External{Kind: "MetricsQL", Specs: map[string]string{}}
	for role, q := range queries {
		b, _ := json.Marshal(map[string]string{"query": q.Expr}) // strings: cannot fail
		ext.Specs[role] = string(b)
	}
	s.Indicator = slo.Indicator{Kind: s.Indicator.Kind, External: ext}
}

// inferGroupBy keeps the grouping of Sloth's queries: with
// `sum(...) by (request_host)` Sloth records one series per host, so the
// SLO gets one budget per host.
func inferGroupBy(m *decode.Map, s *slo.SLO) {
	labels, mismatch := query.GroupBy(s.Indicator.Queries())
	if mismatch != "" {
		m.Warnf("sli", "%s: Sloth's ratio of them is empty where their labels differ; Accord measures the SLO without grouping", mismatch)
		return
	}
	if len(labels) > 0 {
		s.GroupBy = labels
		s.Origins.Set("groupBy", m.Origin("sli"))
	}
}

func readSLI(parent *decode.Map, k keys, s *slo.SLO) {
	m := parent.Map("sli")
	defer m.Close()
	if !m.Present() {
		parent.Errorf("sli", "required field is missing: give events (error and total queries) or raw (an error ratio query)")
		return
	}
	s.Indicator.Kind = slo.KindRatio
	events, raw, plugin := m.Map("events"), m.Map("raw"), m.Map("plugin")
	given := 0
	for _, g := range []*decode.Map{events, raw, plugin} {
		if g.Present() {
			given++
		}
	}
	if given != 1 {
		m.Doc.Diags.Errorf(m.Self(), "give exactly one of events, raw or plugin")
	}
	if events.Present() {
		s.Indicator.Bad = template(events, k.in(events, "error_query", "errorQuery"), s, "indicator.bad")
		s.Indicator.Total = template(events, k.in(events, "total_query", "totalQuery"), s, "indicator.total")
		events.Close()
	}
	if raw.Present() {
		s.Indicator.ErrorRatio = template(raw, k.in(raw, "error_ratio_query", "errorRatioQuery"), s, "indicator.errorRatio")
		raw.Close()
	}
	if plugin.Present() {
		id := plugin.String("id")
		plugin.Known("options")
		plugin.Errorf("id", "Accord cannot run Sloth SLI plugins (plugin %q): write the SLI as events with error and total queries", id)
		plugin.Close()
	}
}

// template reads a required Sloth query, which counts over {{.window}}.
func template(m *decode.Map, key string, s *slo.SLO, field string) *slo.Query {
	expr := m.RequiredString(key)
	s.Origins.Set(field, m.Origin(key))
	if expr == "" {
		return nil
	}
	return &slo.Query{Expr: query.NormalizeWindow(expr), Shape: slo.ShapeTemplate}
}
