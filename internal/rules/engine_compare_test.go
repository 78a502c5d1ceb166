package rules_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// tolerance is how many minutes Prometheus may fire or resolve away from
// the engine: none. Windows up to 6 hours add up the per-minute
// recordings and longer ones (12h, 1d, 3d) 5-minute tiles plus the events
// since the last tile, so every window holds exactly the engine's minutes.
const tolerance = 0

// TestPrometheusAgreesWithTheEngine feeds the same minutes of traffic to
// Accord's engine and, as counter series, to promtool over the generated
// rules, and checks that the same rules fire, each starting and ending
// in the same minute as in the engine and firing as many minutes, for
// SLOs over 30 and 7 days, whose burn-rate tiers differ (the 30-day one's
// 1d and 3d windows and the 7-day one's 12h add up tiles).
func TestPrometheusAgreesWithTheEngine(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t, "testdata/promtool/specs/slos.yaml")
	// The ratio SLOs over 30 and 7 days, whose burn-rate tiers differ. The
	// latency SLO would count the same events as the 30-day one here; its
	// histogram queries have promtool tests of their own. Every SLO costs
	// promtool about 4 ms of CPU a simulated minute.
	cat.SLOs = slices.DeleteFunc(cat.SLOs, func(s slo.SLO) bool {
		return s.Service != "shop" || s.Indicator.Kind != slo.KindRatio
	})
	if len(cat.SLOs) != 2 {
		t.Fatalf("%d ratio SLOs of shop, want the 30-day and the 7-day one", len(cat.SLOs))
	}
	res := mustGenerate(t, cat)
	scenarios := []scenario{
		{"outage after two good hours, then an hour to recover", []phase{{120, 1000, 0}, {30, 0, 1000}, {60, 1000, 0}}},
		// Twelve good hours, then 7.5 hours at 10×: the day's window
		// crosses 3× after about 5 hours, the 3-day window 1× sooner.
		{"burning ten times too fast after twelve good hours", []phase{{720, 1000, 0}, {450, 990, 10}, {90, 1000, 0}}},
		{"burning at half the budget", []phase{{600, 1999, 1}}},
		// Burns exactly equal to a factor are ties, which fire nothing:
		// 1 in 1,000 against 99.9% is the slowest ticket's 1, 144 in
		// 10,000 the fast page's 14.4.
		{"burning exactly at 1", []phase{{90, 999, 1}}},
		{"burning exactly at 14.4", []phase{{90, 9856, 144}}},
		// A store closed for the night opens quietly: three failures among
		// its first few dozen payments are a high error ratio but spend a
		// sliver of the budget of the busy half day before. Neither pages.
		{"three failures in quiet hours after a busy half day", []phase{{720, 1000, 0}, {300, 0, 0}, {10, 5, 0}, {1, 2, 3}, {20, 5, 0}}},
	}
	dir := t.TempDir()
	mustWriteRules(t, dir, res)
	args := []string{"test", "rules"}
	for i, sc := range scenarios {
		fired := runEngine(t, cat, sc)
		for _, s := range cat.SLOs {
			for _, w := range slices.Sorted(maps.Keys(fired[s.ID()])) {
				ep := fired[s.ID()][w]
				t.Logf("%s: engine: %s %s fired at minute %d, last at %d, %d minutes firing", sc.name, s.ID(), w, ep.first, ep.last, ep.firing)
			}
		}
		file := filepath.Join(dir, fmt.Sprintf("compare%d_test.yaml", i))
		writePromtoolTest(t, file, sc, comparisons(cat, sc, fired))
		args = append(args, file)
	}
	// One promtool run for every scenario.
	promtool(t, dir, args...)
}

// exprTest is a promtool PromQL test; no expected samples expects none.
type exprTest struct {
	Expr       string      `yaml:"expr"`
	EvalTime   string      `yaml:"eval_time"`
	ExpSamples []expSample `yaml:"exp_samples"`
}

type expSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

// comparisons are the checks that promtool's alerts match the engine's:
// for every rule of every SLO, that it never fired where the engine's
// never did, and otherwise when it first and last fired and for how many
// minutes; and, in the middle of a firing stretch, that its labels are
// the engine's.
func comparisons(cat *slo.Catalog, sc scenario, fired map[string]map[string]*episode) []exprTest {
	end := sc.minutes()
	at := fmt.Sprintf("%dm", end)
	var tests []exprTest
	for _, s := range cat.SLOs {
		for _, r := range engine.Rules(&s) {
			w := engine.RuleWindows(r)
			sel := fmt.Sprintf(`ALERTS{service=%q, slo=%q, burn_window=%q, alertstate="firing"}`, s.Service, s.Name, w)
			all := fmt.Sprintf("%s[%dm]", sel, end)
			ep, ok := fired[s.ID()][w]
			if !ok {
				tests = append(tests, exprTest{Expr: "count_over_time(" + all + ")", EvalTime: at})
				continue
			}
			tests = append(tests,
				exprTest{Expr: "count(count_over_time(" + all + "))", EvalTime: at, ExpSamples: []expSample{{Labels: "{}", Value: 1}}},
				exprTest{Expr: fmt.Sprintf("abs(min_over_time(timestamp(%s)[%dm:1m]) - %d) > %d", sel, end, ep.first*60, tolerance*60), EvalTime: at},
				exprTest{Expr: fmt.Sprintf("abs(max_over_time(timestamp(%s)[%dm:1m]) - %d) > %d", sel, end, ep.last*60, tolerance*60), EvalTime: at},
				exprTest{Expr: fmt.Sprintf("abs(count_over_time(%s) - %d) > %d", all, ep.firing, 2*tolerance), EvalTime: at},
			)
			if mid := (ep.first + ep.last) / 2; ep.last-ep.first > 2*tolerance {
				labels := maps.Clone(ep.labels)
				labels["alertstate"] = "firing"
				tests = append(tests, exprTest{Expr: sel, EvalTime: fmt.Sprintf("%dm", mid),
					ExpSamples: []expSample{{Labels: "ALERTS" + labelString(labels), Value: 1}}})
			}
		}
	}
	return tests
}

// labelString writes labels as PromQL: {a="1", b="2"}.
func labelString(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, l[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// inputSeries is a series of a promtool test and its values.
type inputSeries struct{ Series, Values string }

// writePromtoolTest writes a promtool test file: the scenario as the
// series both SLOs read, and the tests.
func writePromtoolTest(t *testing.T, file string, sc scenario, tests []exprTest) {
	t.Helper()
	good := func(p phase) float64 { return p.good }
	writeTestFile(t, file, promtoolTest{name: sc.name, ruleFiles: []string{"shop.rules.yaml"}, tests: tests, series: []inputSeries{
		{`http_requests_total{code="200"}`, sc.series(good)},
		{`http_requests_total{code="500"}`, sc.series(func(p phase) float64 { return p.bad })},
		{`http_request_duration_seconds_bucket{le="0.1"}`, sc.series(func(p phase) float64 { return p.good / 2 })},
		{`http_request_duration_seconds_bucket{le="0.3"}`, sc.series(good)},
		{`http_request_duration_seconds_bucket{le="+Inf"}`, sc.series(func(p phase) float64 { return p.good + p.bad })},
	}})
}

// promtoolTest is a promtool test file of one test: its rule files,
// the order its groups are evaluated in (when some read what others
// record), its input series and its PromQL tests.
type promtoolTest struct {
	name                 string
	ruleFiles, evalOrder []string
	series               []inputSeries
	tests                []exprTest
}

// writeTestFile writes a promtool test file.
func writeTestFile(t *testing.T, file string, pt promtoolTest) {
	t.Helper()
	doc := map[string]any{
		"rule_files":          pt.ruleFiles,
		"evaluation_interval": "1m",
		"tests": []map[string]any{{
			"name":             pt.name,
			"interval":         "1m",
			"input_series":     pt.series,
			"promql_expr_test": pt.tests,
		}},
	}
	if len(pt.evalOrder) > 0 {
		doc["group_eval_order"] = pt.evalOrder
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
