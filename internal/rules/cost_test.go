package rules_test

import (
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/rules"
)

// TestCostOfTheWorkbookRules checks the estimate for a 30-day SLO with
// the Workbook's alerts against a count by hand, at a 15s scrape and 1m
// evaluation interval.
func TestCostOfTheWorkbookRules(t *testing.T) {
	res := mustGenerate(t, catalogOf(t, serviceSpec(
		"    - {name: s, objective: 99.9, window: 30d, indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}}\n")))
	got, err := rules.Estimate(res.Files[0].Groups, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// Recorded samples: the bad events' fallback reads the total (1); the
	// 5-minute tiles 5 minutes each (2×5); the events since the last tile
	// the minute's events once and 1 to 4 minutes of them (2×11); the hourly tiles 12 tiles and
	// their stale markers each (2×24); the window's events 720 hourly
	// tiles and markers, or the last hour (1440+60), and the budget left
	// both (2×1500). Each alert reads its long window twice and its short
	// window once, for both events, and the window's events (1): the fast
	// page 1h and 5m (3×60+2×5), the medium 6h and 30m (3×360+2×30), the
	// slow ticket 1d in 288 tiles and 2h (3×576+2×120), the slowest 3d in
	// 864 tiles and 6h (3×1728+2×360); a window of tiles also reads the
	// events since the last tile four times (now, a window ago, and the
	// zeros before the first tile and before the rules ran that long).
	const recorded = 1 + 2*5 + 2*11 + 2*24 + 1500 + 2*1500 +
		(3*60 + 2*5 + 1) + (3*360 + 2*30 + 1) + (3*576 + 3*4 + 2*120 + 1) + (3*1728 + 3*4 + 2*360 + 1)
	// Raw: each counter is read at two instants, twice, for its increments.
	want := rules.Cost{RecordingRules: 10, AlertingRules: 4, RecordedSamples: recorded, RawSamples: 2 * 4}
	if got != want {
		t.Errorf("cost %+v, want %+v", got, want)
	}
}
