package rules_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// TestTimeSliceJourneysAgreeWithTheEngine feeds the traffic of
// journeys_slices_test.yaml to Accord's engine and, as counter series, to
// promtool over the rules of the service kiosk, and checks that both
// judge the journeys' four 5-minute slices alike: the share of bad slices
// of kiosk/checks-out (a slice is bad when scan's, or pay's over both
// stores, is) and the mean slice error of kiosk/checks-out-ratio are the
// engine's, and the budget left the same.
func TestTimeSliceJourneysAgreeWithTheEngine(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t, "testdata/promtool/specs/journeys.yaml")
	cat.SLOs = slices.DeleteFunc(cat.SLOs, func(s slo.SLO) bool { return s.Service != "kiosk" })
	// Engine minute m is the minute promtool's counters grow in up to
	// minute m+1: store a fails 8 of 100 payments a minute in the first
	// slice and 12 in the second, and 10 of 100 scans fail in the third.
	const minutes, judged = 20, 25 // five quiet minutes to judge the last slice
	scanBad := func(m int) float64 {
		if m >= 10 && m < 15 {
			return 10
		}
		return 0
	}
	payBad := func(m int) float64 { // in store a
		switch {
		case m < 5:
			return 8
		case m < 10:
			return 12
		}
		return 0
	}
	_, e := runEngineOn(t, cat, judged, func(m int) []engine.Count {
		if m >= minutes {
			return nil
		}
		var out []engine.Count
		for _, id := range []string{"kiosk/scan", "kiosk/scan-ratio"} {
			out = append(out, engine.Count{SLO: id, Group: engine.GroupKey(nil), Kind: engine.KindEvents, Minute: int64(m), Counts: engine.Counts{Good: 100 - scanBad(m), Total: 100}})
		}
		for _, id := range []string{"kiosk/pay", "kiosk/pay-ratio"} {
			out = append(out,
				engine.Count{SLO: id, Group: engine.GroupKey(map[string]string{"store": "a"}), Kind: engine.KindEvents, Minute: int64(m), Counts: engine.Counts{Good: 100 - payBad(m), Total: 100}},
				engine.Count{SLO: id, Group: engine.GroupKey(map[string]string{"store": "b"}), Kind: engine.KindEvents, Minute: int64(m), Counts: engine.Counts{Good: 100, Total: 100}})
		}
		return out
	})
	var tests []exprTest
	for _, c := range []struct {
		id string
		// wantBad is the bad share of the slices, worked out by hand.
		wantBad float64
	}{
		{"kiosk/checks-out", 0.5},                                  // slices 2 and 3 of 4 bad
		{"kiosk/checks-out-ratio", (0.03 + 0.045 + 0.025 + 0) / 4}, // (3 × 4%)/4, (3 × 6%)/4, 10%/4, 0
	} {
		v, ok := e.SLO(c.id)
		if !ok || v.Status.Counts.Total == 0 {
			t.Fatalf("the engine has no slices of %s: %+v", c.id, v.Status)
		}
		n := v.Status.Counts
		bad := 1 - n.Good/n.Total
		t.Logf("engine: %s: %v good of %v slices", c.id, n.Good, n.Total)
		if n.Total != 4 || math.Abs(bad-c.wantBad) > 1e-9 {
			t.Errorf("engine: %s: %v good of %v slices, want a bad share of %v of 4", c.id, n.Good, n.Total, c.wantBad)
		}
		s := mustFind(t, cat, c.id)
		// The rules' budget left at the end of the 20th minute, against
		// the engine's share of bad slices.
		tests = append(tests, exprTest{
			Expr:       fmt.Sprintf(`abs(slo:error_budget_remaining:ratio{service=%q, slo=%q} - (1 - %v / %v)) < bool 1e-9`, s.Service, s.Name, bad, s.BudgetFraction()),
			EvalTime:   fmt.Sprintf("%dm", minutes),
			ExpSamples: []expSample{{Labels: fmt.Sprintf(`{service=%q, slo=%q}`, s.Service, s.Name), Value: 1}},
		})
	}
	bad := func(perMinute func(m int) float64) string {
		sc := scenario{}
		for m := range minutes {
			sc.phases = append(sc.phases, phase{minutes: 1, bad: perMinute(m)})
		}
		return sc.series(func(p phase) float64 { return p.bad })
	}
	flat := scenario{phases: []phase{{minutes: minutes, good: 100}}}.series(func(p phase) float64 { return p.good })
	dir := t.TempDir()
	mustWriteRules(t, dir, mustGenerate(t, cat))
	file := filepath.Join(dir, "slices_test.yaml")
	writeTestFile(t, file, promtoolTest{
		name:      "time-slice journeys",
		ruleFiles: []string{"kiosk.rules.yaml"},
		evalOrder: []string{"accord:kiosk:scan", "accord:kiosk:pay", "accord:kiosk:scan-ratio", "accord:kiosk:pay-ratio", "accord:kiosk:checks-out", "accord:kiosk:checks-out-ratio"},
		series: []inputSeries{
			{"kiosk_scan_total", flat},
			{"kiosk_scan_errors_total", bad(scanBad)},
			{`kiosk_pay_total{store="a"}`, flat},
			{`kiosk_pay_total{store="b"}`, flat},
			{`kiosk_pay_errors_total{store="a"}`, bad(payBad)},
		},
		tests: tests,
	})
	promtool(t, dir, "test", "rules", file)
}

// mustFind returns the SLO id of cat.
func mustFind(t *testing.T, cat *slo.Catalog, id string) *slo.SLO {
	t.Helper()
	for i := range cat.SLOs {
		if cat.SLOs[i].ID() == id {
			return &cat.SLOs[i]
		}
	}
	t.Fatalf("no SLO %s", id)
	return nil
}
