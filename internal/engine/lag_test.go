package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// TestAQueriedSLOsWindowsEndAtTheLastMinuteItsSourceHas evaluates a
// 7-day SLO measured by Prometheus at a steady burn of 15 as serve does:
// whatever the second of the evaluation, the source has recorded every
// minute that ended 30 seconds before (--source-lag), and the one before
// when that minute's query is still under way. docs/alerting.md says
// every rule fires at 15; a window that took in the minutes not yet
// delivered held 13 or 14 minutes of the fast page's 15 and needed a
// burn above 15.4 or 16.6.
func TestAQueriedSLOsWindowsEndAtTheLastMinuteItsSourceHas(t *testing.T) {
	cat := mustCatalog(t, testenv.WeeklyQueriedSLO)
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(base)
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	steady := engine.Counts{Good: 850, Total: 1000} // 15% bad against a 1% budget
	recorded := engine.UnixMinute(base) - 8*24*60
	recordThrough := func(last int64) {
		t.Helper()
		var counts []engine.Count
		for ; recorded <= last; recorded++ {
			counts = append(counts, engine.Count{SLO: "shop/requests", Group: "{}", Kind: engine.KindEvents, Minute: recorded, Counts: steady})
		}
		if err := e.Record(context.Background(), counts); err != nil {
			t.Fatal(err)
		}
		e.SetSource("shop/requests", engine.SourceState{Backfill: 1, LastSuccess: clock.Now(), Through: time.Unix(last*60, 0).UTC()})
	}
	for _, tc := range []struct {
		name    string
		at      time.Duration // after base
		through time.Duration // the last minute recorded, after base
	}{
		{"at the minute's start", 10 * time.Minute, 8 * time.Minute},
		{"before the lag", 10*time.Minute + 29*time.Second, 8 * time.Minute},
		{"at the lag, before the query answered", 10*time.Minute + 30*time.Second, 8 * time.Minute},
		{"after the lag, before the query answered", 10*time.Minute + 45*time.Second, 8 * time.Minute},
		{"after the lag", 10*time.Minute + 45*time.Second, 9 * time.Minute},
		{"at the minute's last second", 10*time.Minute + 59*time.Second, 9 * time.Minute},
	} {
		clock.Set(base.Add(tc.at))
		recordThrough(engine.UnixMinute(base.Add(tc.through)))
		if err := e.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
		v, _ := e.SLO("shop/requests")
		firing := map[string]bool{}
		for _, a := range v.Alerts {
			firing[a.Rule] = a.State == engine.AlertFiring
		}
		for _, r := range engine.Rules(&cat.SLOs[0]) {
			if !firing[r.Name] {
				t.Errorf("%s: %s (%s, %g×) does not fire at a steady burn of 15", tc.name, r.Name, engine.RuleWindows(r), r.Factor)
			}
		}
		if rate, _ := v.Status.Burn(15 * time.Minute); rate != 15 {
			t.Errorf("%s: the burn rate over 15m reads %g, want 15", tc.name, rate)
		}
	}
}
