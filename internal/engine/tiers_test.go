package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestSteadyBurnFiresExactlyTheDocumentedTiers runs a 7-, 14-, 28- and
// 30-day SLO at a steady burn rate for a whole window and checks the
// tiers of docs/alerting.md: below 1 nothing fires and the budget lasts;
// at 2 the slowest ticket (1×) fires, at 6 the slow ticket (3×) too, at
// 15 every rule, pages included.
func TestSteadyBurnFiresExactlyTheDocumentedTiers(t *testing.T) {
	windows := []int{7, 14, 28, 30} // days
	burns := []float64{0.4, 0.9, 2, 6, 15}
	want := map[float64][]string{
		0.4: nil, 0.9: nil,
		2:  {"slowest"},
		6:  {"slow", "slowest"},
		15: {"fast", "medium", "slow", "slowest"},
	}
	var spec strings.Builder
	spec.WriteString("apiVersion: accord/v1\nkind: Service\nmetadata: {name: tiers}\nspec:\n  owners: {team: t}\n  slos:\n")
	name := func(days int, burn float64) string { return fmt.Sprintf("w%dd-burn%g", days, burn) }
	for _, d := range windows {
		for _, b := range burns {
			fmt.Fprintf(&spec, "    - {name: %s, objective: 99, window: %dd, indicator: {ratio: {stream: %s}}}\n", name(d, b), d, name(d, b))
		}
	}
	// The last minute holds its data, as pushed events do by its end.
	end := time.Date(2026, 11, 30, 12, 0, 59, 0, time.UTC)
	clock := engine.NewManualClock(end)
	e, store := mustEngine(t, mustCatalog(t, spec.String()), t.TempDir(), clock)
	defer store.Close()

	// Each window and a day more: 1,000 events a minute with burn×10 bad
	// (1% is the budget), per minute for the last six hours (every rule's
	// short window, and the long windows a page reads) and per hour
	// before, as a backfill from Prometheus delivers them.
	var counts []engine.Count
	endMin := engine.UnixMinute(end)
	for _, d := range windows {
		for _, b := range burns {
			id := "tiers/" + name(d, b)
			first := endMin - int64(d+1)*24*60
			recent := endMin - 6*60
			for m := first; m < recent; m += 60 {
				counts = append(counts, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: m,
					Counts: engine.Counts{Good: 60 * (1000 - 10*b), Total: 60_000}})
			}
			for m := recent; m <= endMin; m++ {
				counts = append(counts, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: m,
					Counts: engine.Counts{Good: 1000 - 10*b, Total: 1000}})
			}
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, d := range windows {
		for _, b := range burns {
			v, _ := e.SLO("tiers/" + name(d, b))
			var firing []string
			for _, a := range v.Alerts {
				if a.State == engine.AlertFiring {
					firing = append(firing, a.Rule)
					if a.Factor < 1 {
						t.Errorf("%s: %s fires over %g×, below 1", v.Name, a.Rule, a.Factor)
					}
				}
			}
			slices.Sort(firing)
			if !slices.Equal(firing, want[b]) {
				t.Errorf("%dd at burn %g: firing %q, want %q", d, b, firing, want[b])
			}
			if burn, _ := v.Status.Burn(time.Hour); !near(burn, b, 1e-6) {
				t.Errorf("%dd at burn %g: 1h burn rate %v", d, b, burn)
			}
			if b < 1 {
				if v.Status.Exhaustion != nil {
					t.Errorf("%dd at burn %g: the budget is forecast to run out at %s", d, b, v.Status.Exhaustion)
				}
				if !near(v.Status.Budget.RemainingFraction, 1-b, 0.01) {
					t.Errorf("%dd at burn %g: %.3f of the budget left, want %.1f", d, b, v.Status.Budget.RemainingFraction, 1-b)
				}
			}
		}
	}
}
