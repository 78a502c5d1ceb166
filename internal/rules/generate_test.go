package rules_test

import (
	"slices"
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
	// inc is the increments of a counter selector since a minute ago.
	inc := func(x string) string {
		return "(" + x + " - " + x + " offset 1m >= 0 or " + x + " and " + x + " offset 1m)"
	}
	tests := []struct {
		name, slo, total, bad string
	}{
		{
			name: "bad and total counters, grouped",
			slo: `{name: s, objective: 99.9, window: 30d, groupBy: [store], indicator: {ratio: {
				bad: {counter: 'http_requests_total{code="500"}'}, total: {counter: http_requests_total}}}}`,
			total: `sum by (store) (` + inc(`http_requests_total`) + `)`,
			bad:   `sum by (store) (` + inc(`http_requests_total{code="500"}`) + `) or on (store) 0 * slo:sli_total:increase1m` + sel,
		},
		{
			name: "good and total templates: their rates become increments",
			slo: `{name: s, objective: 99, window: 7d, indicator: {ratio: {
				good: {template: 'sum(increase(jobs_total{ok="1"}[{{.window}}]))'}, total: {template: 'sum(rate(jobs_total[{{.window}}]))'}}}}`,
			total: `sum(` + inc(`jobs_total`) + `)`,
			bad:   `clamp_min(slo:sli_total:increase1m` + sel + ` - on () (sum(` + inc(`jobs_total{ok="1"}`) + `) or on () 0 * slo:sli_total:increase1m` + sel + `), 0)`,
		},
		{
			name:  "a template grouped by labels keeps its grouping",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {ratio: {bad: {template: 'sum(rate(e[{{.window}}])) by (host)'}, total: {template: 'sum(rate(t[{{.window}}])) by (host)'}}}}`,
			total: `sum by (host) (` + inc(`t`) + `)`,
			bad:   `sum by (host) (` + inc(`e`) + `) or on (host) 0 * slo:sli_total:increase1m` + sel,
		},
		{
			name:  "error ratio: a sample, clamped, NaN dropped",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {ratio: {errorRatio: {template: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'}}}}`,
			bad:   `clamp_max(sum(` + inc(`e`) + `) / sum(` + inc(`t`) + `), 1) >= 0`,
			total: `slo:sli_error:increase1m` + sel + ` * 0 + 1`,
		},
		{
			name:  "latency: the threshold's bucket against +Inf",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {latency: {threshold: 300ms, histogram: {counter: 'h_bucket{job="a"}'}}}}`,
			total: `sum(` + inc(`h_bucket{job="a",le="+Inf"}`) + `)`,
			bad:   `clamp_min(slo:sli_total:increase1m` + sel + ` - on () (sum(` + inc(`h_bucket{job="a",le="0.3"}`) + `) or on () 0 * slo:sli_total:increase1m` + sel + `), 0)`,
		},
		{
			name:  "latency of whole seconds matches le=\"2\" and le=\"2.0\"",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {latency: {threshold: 2s, histogram: {counter: h_bucket}}}}`,
			total: `sum(` + inc(`h_bucket{le="+Inf"}`) + `)`,
			bad:   `clamp_min(slo:sli_total:increase1m` + sel + ` - on () (sum(` + inc(`h_bucket{le=~"2|2\\.0"}`) + `) or on () 0 * slo:sli_total:increase1m` + sel + `), 0)`,
		},
		{
			name:  "boolean: one sample a minute, compared with bool",
			slo:   `{name: s, objective: 99, window: 7d, groupBy: [store], indicator: {boolean: {gauge: {expr: 'time() - last_sync'}, goodWhen: "<= 900"}}}`,
			bad:   `1 - (avg by (store) (time() - last_sync) <= bool 900)`,
			total: `slo:sli_error:increase1m` + sel + ` * 0 + 1`,
		},
		{
			name:  "boolean: up by default",
			slo:   `{name: s, objective: 99, window: 7d, indicator: {boolean: {gauge: {expr: 'up{job="a"}'}}}}`,
			bad:   `1 - (avg(up{job="a"}) >= bool 1)`,
			total: `slo:sli_error:increase1m` + sel + ` * 0 + 1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordings(t, mustGenerate(t, catalogOf(t, serviceSpec("    - "+tt.slo+"\n"))))
			if got := rec[rules.TotalIncrease1m]; got != tt.total {
				t.Errorf("total:\n got %s\nwant %s", got, tt.total)
			}
			if got := rec[rules.ErrorIncrease1m]; got != tt.bad {
				t.Errorf("bad:\n got %s\nwant %s", got, tt.bad)
			}
		})
	}
}

// TestAPlainSLOHasTwelveRules checks the rules of a 30-day availability
// SLO with the Workbook's alerts: 10 recording rules (the minute's events,
// their 5-minute and hourly tiles, the events since the last tile, the
// window's events, the budget left and the objective) and 4 alerts.
func TestAPlainSLOHasFourteenRules(t *testing.T) {
	res := mustGenerate(t, catalogOf(t, serviceSpec(
		"    - {name: s, objective: 99.9, window: 30d, indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}\n")))
	rec, alerts := res.Rules()
	if rec != 10 || alerts != 4 {
		t.Errorf("%d recording and %d alerting rules, want 10 and 4", rec, alerts)
	}
	const sel = `{service="shop", slo="s"}`
	got := recordings(t, res)
	want := map[string]string{
		rules.TotalIncrease5m: `sum_over_time(slo:sli_total:increase1m` + sel + `[4m30s]) and on () minute() % 5 == 0`,
		"slo:sli_total:increase30d": `sum without (events) (sum_over_time(slo:sli_events:increase1h{service="shop", slo="s", events="total"}[29d23h59m30s])) or ` +
			`sum_over_time(slo:sli_total:increase1m` + sel + `[59m30s])`,
		rules.Objective: `vector(0.999)`,
	}
	for name, expr := range want {
		if got[name] != expr {
			t.Errorf("%s:\n got %s\nwant %s", name, got[name], expr)
		}
	}
	// The 1d window of the slow ticket adds up 5-minute tiles, exact to
	// the minute with the events since the last tile; its 2h window adds
	// up minutes.
	slow := findRule(t, res, "1d/2h").Expr
	for _, part := range []string{`((sum_over_time(slo:sli_error:increase5m` + sel + `[23h59m30s]) or slo:sli_error:increase_since_tile` + sel + ` * 0) + slo:sli_error:increase_since_tile` + sel +
		` - (slo:sli_error:increase_since_tile` + sel + ` offset 1d or slo:sli_error:increase_since_tile` + sel + ` * 0))`,
		`sum_over_time(slo:sli_total:increase1m` + sel + `[1h59m30s])`,
		`>= clamp_min(0.0001 * slo:sli_total:increase30d` + sel + `, 3)`} {
		if !strings.Contains(slow, part) {
			t.Errorf("the slow ticket lacks %s:\n%s", part, slow)
		}
	}
}

func TestTimeSlicesAverageJudgedSlices(t *testing.T) {
	const sel = `{service="shop", slo="s"}`
	res := mustGenerate(t, catalogOf(t, serviceSpec(`    - {name: s, objective: 99.5, window: 30d,
        budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95},
        indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}
`)))
	rec := recordings(t, res)
	if got, want := rec[rules.SliceError], `((sum_over_time(slo:sli_error:increase1m`+sel+`[4m30s]) / sum_over_time(slo:sli_total:increase1m`+sel+`[4m30s])) >= 0) > bool 0.05`; got != want {
		t.Errorf("slice:\n got %s\nwant %s", got, want)
	}
	if got, want := rec[rules.SliceError1h], `avg_over_time(slo:slice_error:ratio`+sel+`[59m30s:5m]) and on () minute() == 0`; got != want {
		t.Errorf("hourly slices:\n got %s\nwant %s", got, want)
	}
	if got := findRule(t, res, "1h/5m").Expr; !strings.HasPrefix(got, `((avg_over_time(slo:slice_error:ratio`+sel+`[59m30s:5m]) > 0.072) / 0.005)`) {
		t.Errorf("the fast page does not average the hour's slices:\n%s", got)
	}
	if _, ok := rec[rules.TotalIncrease5m]; ok {
		t.Error("a time-slice SLO records tiles of events it never reads")
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
		`checkout/customer-checks-out: its component checkout/receipt-printing is measured from pushed events (stream "receipt-printing"), so Prometheus has nothing to record; left out`,
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
	_, err := rules.Generate(cat, rules.Options{})
	if err == nil || !strings.Contains(err.Error(), "shop/s") || !strings.Contains(err.Error(), "is a counter") {
		t.Errorf("a counter as a gauge: err = %v", err)
	}
}

func TestUnmeasuredSLOsAreLeftOutWithAWarning(t *testing.T) {
	cat := catalogOf(t, serviceSpec(`    - {name: dd, objective: 99, window: 7d, indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}
    - {name: s, objective: 99, window: 7d, indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}
`))
	cat.SLOs[0].Indicator = slo.Indicator{External: &slo.External{Kind: "Datadog"}}
	res, err := rules.Generate(cat, rules.Options{})
	if err != nil {
		t.Fatalf("an SLO on a Datadog source stops generation: %v", err)
	}
	if len(res.Files) != 1 || len(res.Files[0].Groups) != 1 || res.Files[0].Groups[0].Name != "accord:shop:s" {
		t.Errorf("groups %+v, want only shop/s", res.Files)
	}
	if want := "shop/dd: not measured (source kind Datadog), so Prometheus has nothing to record; left out"; !slices.Contains(res.Warnings, want) {
		t.Errorf("warnings %q lack %q", res.Warnings, want)
	}
}

// TestGroupByServiceIsRecordedAsExported checks that an SLO grouped by a
// label the recordings set themselves (Pyrra's grouping: [service,
// method]) is generated, its RPC service recorded as exported_service,
// and says so; connect_test.yaml checks it pages per RPC service.
func TestGroupByServiceIsRecordedAsExported(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs/connect.yaml"))
	if len(res.Files) != 1 || len(res.Files[0].Groups) != 1 {
		t.Fatalf("want the SLO's one group, got %+v", res.Files)
	}
	want := `gateway/rpc-errors: groupBy label "service" is also a label of every recorded series; recorded as "exported_service"`
	if !slices.Contains(res.Warnings, want) {
		t.Errorf("warnings %q lack %q", res.Warnings, want)
	}
	total := res.Files[0].Groups[0].Rules[0]
	if total.Record != rules.TotalIncrease1m || !strings.Contains(total.Expr, `label_replace(sum by (service, method) (`) ||
		!strings.HasSuffix(total.Expr, `"exported_service", "$1", "service", "(.*)")`) {
		t.Errorf("total: %s", total.Expr)
	}
}
