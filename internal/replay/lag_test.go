package replay_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/testenv"
)

// TestASteadyBurnOf15PagesAWeeklySLOInTime replays a 7-day SLO measured
// by a real Prometheus: eight good days, then a burn of exactly 15 (15%
// of requests fail against 99%). docs/alerting.md says every rule fires
// at 15, the fast page (15m/5m, 14.4×) after 15m × 14.4 / 15 = 14.4
// minutes: it must fire once the 15th minute of the burn is counted, 30
// seconds after that minute ends. A window that took in the minute still
// in progress held 14 minutes of data and needed a burn above 15.4.
func TestASteadyBurnOf15PagesAWeeklySLOInTime(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	onset := start.Add(8 * 24 * time.Hour)
	end := onset.Add(40 * time.Minute)
	minutes := int(end.Sub(start) / time.Minute)
	history := func(w io.Writer) error {
		fmt.Fprintln(w, "# TYPE shop_requests counter")
		for _, code := range []string{"200", "500"} {
			cum := 0.0
			for i := 0; i <= minutes; i++ {
				fmt.Fprintf(w, "shop_requests_total{code=%q} %g %d\n", code, cum, start.Unix()+int64(i)*60)
				bad := 0.0
				if !start.Add(time.Duration(i) * time.Minute).Before(onset) {
					bad = 150
				}
				if code == "500" {
					cum += bad
				} else {
					cum += 1000 - bad
				}
			}
		}
		_, err := fmt.Fprintln(w, "# EOF")
		return err
	}
	url := testenv.StartPrometheusOn(t, testenv.History{OpenMetrics: history, Start: start, End: end})
	cat := mustCatalog(t, testenv.WeeklyQueriedSLO)
	res, err := replay.Run(testenv.Context(t), replay.Options{Catalog: cat, From: onset.Add(-30 * time.Minute), To: end,
		PrometheusURL: url, Now: end.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]time.Time{}
	for _, a := range res.SLOs[0].Alerts {
		if _, ok := fired[a.Rule]; !ok {
			fired[a.Rule] = a.FiredAt
		}
	}
	// The 15th minute of the burn ends at onset+15m and is counted 30
	// seconds later.
	want := onset.Add(15*time.Minute + 30*time.Second)
	if got, ok := fired["fast"]; !ok || !got.Equal(want) {
		t.Errorf("the fast page fired at %v (fired: %t), want %v, 15m30s after the burn began", got, ok, want)
	}
	// The medium page (1h/5m, 6×) fires after 1h × 6 / 15 = 24 minutes.
	if got, ok := fired["medium"]; !ok || !got.Equal(onset.Add(25*time.Minute+30*time.Second)) {
		t.Errorf("the medium page fired at %v (fired: %t), want 25m30s after the burn began", got, ok)
	}
}
