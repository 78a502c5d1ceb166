package rules_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// TestJourneyAgreesWithTheEngine feeds the same minutes of scans and
// payments to Accord's engine and, as counter series, to promtool over
// the rules generated for the journey checkout/customer-checks-out (scan
// weight 1, pay weight 2; pages at 14.4× over 15m/5m, tickets at 6× over
// 30m/5m) and its components, and checks that every alert of the three
// fires and resolves in the same minutes as in the engine, with the same
// labels. The journey's own groups are evaluated after its components'
// (see docs/prometheus.md on evaluation order).
func TestJourneyAgreesWithTheEngine(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t, "testdata/promtool/specs/journeys.yaml")
	cat.SLOs = slices.DeleteFunc(cat.SLOs, func(s slo.SLO) bool { return s.Service != "checkout" })
	const journey = "checkout/customer-checks-out"
	scenarios := []struct {
		name      string
		scan, pay []phase
		// page and ticket say whether the journey's page and ticket
		// fire, worked out by hand from the weighted error ratio.
		page, ticket bool
	}{
		// 500 bad of 3,000 (2 × 250 of 1,000 payments): 16.7×.
		{"payments fail for half an hour after twenty good minutes", []phase{{80, 1000, 0}}, []phase{{20, 1000, 0}, {30, 750, 250}, {30, 1000, 0}}, true, true},
		// The same share of scans: 250 bad of 3,000, 8.3×.
		{"scans fail as much for half an hour", []phase{{20, 1000, 0}, {30, 750, 250}, {30, 1000, 0}}, []phase{{80, 1000, 0}}, false, true},
		// 32 + 2 × 200 = 432 bad of 3,000: exactly 14.4×, a tie.
		{"burning exactly at 14.4", []phase{{20, 968, 32}}, []phase{{20, 800, 200}}, false, true},
		// 434 bad of 3,000: just above.
		{"burning just above 14.4", []phase{{20, 968, 32}}, []phase{{20, 799, 201}}, true, true},
	}
	res := mustGenerate(t, cat)
	dir := t.TempDir()
	mustWriteRules(t, dir, res)
	args := []string{"test", "rules"}
	store := engine.GroupKey(map[string]string{"store": "a"})
	for i, sc := range scenarios {
		scan, pay := scenario{sc.name, sc.scan}, scenario{sc.name, sc.pay}
		if scan.minutes() != pay.minutes() {
			t.Fatalf("%s: %d minutes of scans, %d of payments", sc.name, scan.minutes(), pay.minutes())
		}
		fired, _ := runEngineOn(t, cat, scan.minutes(), func(m int) []engine.Count {
			s, p := scan.at(m), pay.at(m)
			return []engine.Count{
				{SLO: "checkout/scan", Group: engine.GroupKey(nil), Kind: engine.KindEvents, Minute: int64(m), Counts: engine.Counts{Good: s.good, Total: s.good + s.bad}},
				{SLO: "checkout/pay", Group: store, Kind: engine.KindEvents, Minute: int64(m), Counts: engine.Counts{Good: p.good, Total: p.good + p.bad}},
			}
		})
		for _, id := range slices.Sorted(maps.Keys(fired)) {
			for _, w := range slices.Sorted(maps.Keys(fired[id])) {
				ep := fired[id][w]
				t.Logf("%s: engine: %s %s fired at minute %d, last at %d, %d minutes firing", sc.name, id, w, ep.first, ep.last, ep.firing)
			}
		}
		if _, ok := fired[journey]["15m/5m"]; ok != sc.page {
			t.Errorf("%s: the engine's journey page fired: %v, want %v", sc.name, ok, sc.page)
		}
		if _, ok := fired[journey]["30m/5m"]; ok != sc.ticket {
			t.Errorf("%s: the engine's journey ticket fired: %v, want %v", sc.name, ok, sc.ticket)
		}
		bad := func(p phase) float64 { return p.bad }
		all := func(p phase) float64 { return p.good + p.bad }
		file := filepath.Join(dir, fmt.Sprintf("journey%d_test.yaml", i))
		writeTestFile(t, file, promtoolTest{
			name:      sc.name,
			ruleFiles: []string{"checkout.rules.yaml"},
			evalOrder: []string{"accord:checkout:scan", "accord:checkout:pay", "accord:checkout:customer-checks-out"},
			series: []inputSeries{
				{"scan_total", scan.series(all)}, {"scan_errors_total", scan.series(bad)},
				{`pay_total{store="a"}`, pay.series(all)}, {`pay_errors_total{store="a"}`, pay.series(bad)},
			},
			tests: comparisons(cat, scan, fired),
		})
		args = append(args, file)
	}
	promtool(t, dir, args...)
}
