package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/slo"
)

// catalogOfSLOs builds n SLOs in services of 100: a quarter each of
// ratio counters (30d), latency histograms grouped by store (28d), ratio
// templates (30d) and boolean gauges (7d), all with the Workbook's alerts.
func catalogOfSLOs(n int) *slo.Catalog {
	cat := &slo.Catalog{}
	for i := range n {
		svc := fmt.Sprintf("svc-%03d", i/100)
		if i%100 == 0 {
			cat.Services = append(cat.Services, slo.Service{Name: svc, Owners: slo.Owners{Team: "team-" + svc}})
		}
		s := slo.SLO{Name: fmt.Sprintf("slo-%05d", i), Service: svc, Objective: 99.9, Window: slo.Window{Rolling: 30 * 24 * time.Hour}}
		sel := fmt.Sprintf(`{job="%s", handler="/h%d"}`, svc, i)
		switch i % 4 {
		case 0:
			s.Indicator = slo.Indicator{Kind: slo.KindRatio,
				Bad:   &slo.Query{Expr: `http_requests_total` + sel[:len(sel)-1] + `, code=~"5.."}`, Shape: slo.ShapeCounter},
				Total: &slo.Query{Expr: `http_requests_total` + sel, Shape: slo.ShapeCounter}}
		case 1:
			s.Window.Rolling, s.GroupBy = 28*24*time.Hour, []string{"store"}
			s.Indicator = slo.Indicator{Kind: slo.KindLatency, Threshold: 300 * time.Millisecond,
				Histogram: &slo.Query{Expr: `http_request_duration_seconds_bucket` + sel, Shape: slo.ShapeCounter}}
		case 2:
			s.Indicator = slo.Indicator{Kind: slo.KindRatio,
				Good:  &slo.Query{Expr: `sum(rate(jobs_total{ok="true"}[{{.window}}]))`, Shape: slo.ShapeTemplate},
				Total: &slo.Query{Expr: `sum(rate(jobs_total[{{.window}}]))`, Shape: slo.ShapeTemplate}}
		case 3:
			s.Window.Rolling = 7 * 24 * time.Hour
			s.Indicator = slo.Indicator{Kind: slo.KindBoolean, Gauge: &slo.Query{Expr: `up` + sel, Shape: slo.ShapeInstant}}
		}
		cat.SLOs = append(cat.SLOs, s)
	}
	return cat
}

// BenchmarkGenerate10kSLOs generates and encodes the rules of 10,000 SLOs
// and reports, per SLO, the rules and the samples one evaluation reads
// (at a 1m evaluation and 15s scrape interval): recorded samples per
// label set, and raw samples per series each raw query selects.
func BenchmarkGenerate10kSLOs(b *testing.B) {
	const n = 10_000
	cat := catalogOfSLOs(n)
	var size int
	for b.Loop() {
		res, err := rules.Generate(cat, rules.Options{})
		if err != nil {
			b.Fatal(err)
		}
		out, err := rules.EncodeAll(res.Files, rules.FormatRules)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	res, err := rules.Generate(cat, rules.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var cost rules.Cost
	for _, f := range res.Files {
		c, err := rules.Estimate(f.Groups, 15*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		cost = cost.Add(c)
	}
	b.ReportMetric(float64(cost.RecordingRules+cost.AlertingRules)/n, "rules/SLO")
	b.ReportMetric(cost.RecordedSamples/n, "recorded-samples/eval/SLO")
	b.ReportMetric(cost.RawSamples/n, "raw-samples/eval/SLO")
	b.ReportMetric(float64(size)/n, "bytes/SLO")
}
