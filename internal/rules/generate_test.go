package rules_test

import (
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

// serviceSpec is a service in accord/v1 holding the given SLO items.
func serviceSpec(slos string) string {
	return `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web, productOwner: pat, onCall: {receiver: pager, labels: {route: web}}}
  runbook: https://runbooks.test/shop
  slos:
` + slos
}

// catalogOf loads an accord/v1 spec from a string, failing on errors.
func catalogOf(t *testing.T, yaml string) *slo.Catalog {
	t.Helper()
	res := spec.LoadBytes("test.yaml", []byte(yaml))
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		t.Fatalf("spec errors:\n%s", strings.Join(lines, "\n"))
	}
	return &res.Catalog
}

// recordings returns the expressions an SLO's group records, by name.
func recordings(t *testing.T, res *rules.Result) map[string]string {
	t.Helper()
	if len(res.Files) != 1 || len(res.Files[0].Groups) != 1 {
		t.Fatalf("want one group, got %+v", res.Files)
	}
	out := map[string]string{}
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Record != "" {
			out[r.Record] = r.Expr
		}
	}
	return out
}

func TestRawQueriesPerIndicator(t *testing.T) {
	const sel = `{service="shop", slo="s"}`
	tests := []struct {
		name, slo, total, bad string
	}{
		{
			name: "bad and total counters, grouped",
			slo: `{name: s, objective: 99.9, window: 30d, groupBy: [store], indicator: {ratio: {
				bad: {counter: 'http_requests_total{code="500"}'}, total: {counter: http_requests_total}}}}`,
			total: `sum by (store) (rate(http_requests_total[5m]))`,
			bad:   `sum by (store) (rate(http_requests_total{code="500"}[5m])) or on (store) 0 * slo:sli_total:rate5m` + sel,
		},
		{
			name: "good and total templates",
			slo: `{name: s, objective: 99, window: 7d, indicator: {ratio: {
				good: {template: 'sum(increase(jobs_total{ok="1"}[{{.window}}]))'}, total: {template: 'sum(increase(jobs_total[{{.window}}]))'}}}}`,
			total: `sum(increase(jobs_total[5m]))`,
			bad:   `clamp_min(slo:sli_total:rate5m` + sel + ` - on () (sum(increase(jobs_total{ok="1"}[5m])) or on () 0 * slo:sli_total:rate5m` + sel + `), 0)`,
		},
		{
			name:  "error ratio: a sample, clamped, NaN dropped",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {ratio: {errorRatio: {template: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'}}}}`,
			bad:   `clamp_max(sum(rate(e[5m])) / sum(rate(t[5m])), 1) >= 0`,
			total: `slo:sli_error:rate5m` + sel + ` * 0 + 1`,
		},
		{
			name:  "latency: the threshold's bucket against +Inf",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {latency: {threshold: 300ms, histogram: {counter: 'h_bucket{job="a"}'}}}}`,
			total: `sum(rate(h_bucket{job="a",le="+Inf"}[5m]))`,
			bad:   `clamp_min(slo:sli_total:rate5m` + sel + ` - on () (sum(rate(h_bucket{job="a",le="0.3"}[5m])) or on () 0 * slo:sli_total:rate5m` + sel + `), 0)`,
		},
		{
			name:  "latency of whole seconds matches le=\"2\" and le=\"2.0\"",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {latency: {threshold: 2s, histogram: {counter: h_bucket}}}}`,
			total: `sum(rate(h_bucket{le="+Inf"}[5m]))`,
			bad:   `clamp_min(slo:sli_total:rate5m` + sel + ` - on () (sum(rate(h_bucket{le=~"2|2\\.0"}[5m])) or on () 0 * slo:sli_total:rate5m` + sel + `), 0)`,
		},
		{
			name:  "boolean: one sample a minute, compared with bool",
			slo:   `{name: s, objective: 99, window: 7d, groupBy: [store], indicator: {boolean: {gauge: {expr: 'time() - last_sync'}, goodWhen: "<= 900"}}}`,
			bad:   `1 - avg_over_time((avg by (store) (time() - last_sync) <= bool 900)[5m:1m])`,
			total: `slo:sli_error:rate5m` + sel + ` * 0 + 1`,
		},
		{
			name:  "boolean: up by default",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {boolean: {gauge: {expr: 'up{job="a"}'}}}}`,
			bad:   `1 - avg_over_time((avg(up{job="a"}) >= bool 1)[5m:1m])`,
			total: `slo:sli_error:rate5m` + sel + ` * 0 + 1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordings(t, mustGenerate(t, catalogOf(t, serviceSpec("    - "+tt.slo+"\n"))))
			if got := rec[rules.TotalRate5m]; got != tt.total {
				t.Errorf("total:\n got %s\nwant %s", got, tt.total)
			}
			if got := rec[rules.ErrorRate5m]; got != tt.bad {
				t.Errorf("bad:\n got %s\nwant %s", got, tt.bad)
			}
		})
	}
}

func TestWindowsDeriveFromTheFiveMinuteRates(t *testing.T) {
	const sel = `{service="shop", slo="s"}`
	rec := recordings(t, mustGenerate(t, catalogOf(t, serviceSpec(
		"    - {name: s, objective: 99.9, window: 30d, indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}\n"))))
	want := map[string]string{
		"slo:sli_error:ratio_rate5m":  `slo:sli_error:rate5m` + sel + ` / slo:sli_total:rate5m` + sel,
		"slo:sli_error:ratio_rate1h":  `slo:sli_error:rate1h` + sel + ` / slo:sli_total:rate1h` + sel,
		"slo:sli_error:ratio_rate6h":  `sum_over_time(slo:sli_error:rate5m` + sel + `[6h]) / sum_over_time(slo:sli_total:rate5m` + sel + `[6h])`,
		"slo:sli_error:ratio_rate3d":  `sum_over_time(slo:sli_error:rate5m` + sel + `[3d:5m]) / sum_over_time(slo:sli_total:rate5m` + sel + `[3d:5m])`,
		"slo:sli_error:ratio_rate30d": `sum_over_time(slo:sli_error:rate1h` + sel + `[30d:1h]) / sum_over_time(slo:sli_total:rate1h` + sel + `[30d:1h])`,
		rules.ErrorRate1h:             `avg_over_time(slo:sli_error:rate5m` + sel + `[1h])`,
		rules.BudgetRemaining:         `1 - slo:sli_error:ratio_rate30d` + sel + ` / 0.001`,
		rules.Objective:               `vector(0.999)`,
		"slo:sli_total:rate30d":       `avg_over_time(slo:sli_total:rate1h` + sel + `[30d:1h])`,
	}
	for name, expr := range want {
		if rec[name] != expr {
			t.Errorf("%s:\n got %s\nwant %s", name, rec[name], expr)
		}
	}
	if n := len(rec); n != 16 {
		t.Errorf("%d recording rules, want 16", n)
	}
}

func TestTimeSlicesAverageJudgedSlices(t *testing.T) {
	const sel = `{service="shop", slo="s"}`
	rec := recordings(t, mustGenerate(t, catalogOf(t, serviceSpec(`    - {name: s, objective: 99.5, window: 30d,
        budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95},
        indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}
`))))
	if got, want := rec[rules.SliceError], `((slo:sli_error:rate5m`+sel+` / slo:sli_total:rate5m`+sel+`) >= 0) > bool 0.05`; got != want {
		t.Errorf("slice:\n got %s\nwant %s", got, want)
	}
	if got, want := rec["slo:sli_error:ratio_rate1h"], `avg_over_time(slo:slice_error:ratio`+sel+`[1h:5m])`; got != want {
		t.Errorf("1h:\n got %s\nwant %s", got, want)
	}
	if _, ok := rec[rules.TotalRate1h]; ok {
		t.Error("a time-slice SLO records hourly event rates it never reads")
	}
}

func TestPushedSLOsAreLeftOutWithAWarning(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "../../examples"))
	for _, f := range res.Files {
		for _, g := range f.Groups {
			if g.Name == "accord:checkout:receipt-printing" {
				t.Error("receipt-printing is measured from pushed events but got rules")
			}
		}
	}
	want := []string{
		`checkout/receipt-printing: measured from pushed events (stream "receipt-printing"), so Prometheus has nothing to record; left out`,
		`store-sync/sync-freshness: the calendar month (Europe/Berlin) window is measured as a rolling 30d in Prometheus rules`,
	}
	if strings.Join(res.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(res.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Files) != 2 || res.Files[0].Service != "checkout" || res.Files[1].Service != "store-sync" {
		t.Errorf("files not one per service in order: %+v", res.Files)
	}
}

func TestUnusableQueriesFail(t *testing.T) {
	cat := catalogOf(t, serviceSpec("    - {name: s, objective: 99, window: 7d, indicator: {boolean: {gauge: {expr: up}}}}\n"))
	cat.SLOs[0].Indicator.Gauge.Shape = slo.ShapeCounter
	_, err := rules.Generate(cat)
	if err == nil || !strings.Contains(err.Error(), "shop/s") || !strings.Contains(err.Error(), "is a counter") {
		t.Errorf("a counter as a gauge: err = %v", err)
	}
}
