package rules_test

import (
	"os"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

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
	// Recorded samples: the bad rate's fallback reads the total (1); the
	// 5m ratio 2; the hourly rates 60 each and their ratio 2; 30m, 2h and
	// 6h sum both rates over every minute (2×30, 2×120, 2×360); 1d and 3d
	// over every 5 minutes (2×288, 2×864); 30d over every hour (2×720);
	// the budget left 1; the window's traffic over every hour (720); each
	// of the 4 alerts its 2 ratios, the bad rate over its long window (1h
	// and 6h every minute, 1d and 3d every 5 minutes: 60, 360, 288, 864)
	// and the traffic of the window or, before it, of the last 5 minutes (2).
	const recorded = 1 + 2 + 60 + 60 + 2 + 60 + 240 + 720 + 576 + 1728 + 1440 + 1 + 720 +
		4*2 + (60 + 360 + 288 + 864) + 4*2
	want := rules.Cost{RecordingRules: 16, AlertingRules: 4, RecordedSamples: recorded, RawSamples: 2 * 20}
	if got != want {
		t.Errorf("cost %+v, want %+v", got, want)
	}
}

// TestCostAgainstSloth compares, for the same Sloth SLO, what Sloth's
// rules (testdata/sloth/sloth.rules.yaml: every window up to 3d re-reads
// the raw counters) and Accord's read in one evaluation.
func TestCostAgainstSloth(t *testing.T) {
	data, err := os.ReadFile("testdata/sloth/sloth.rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Groups []rules.Group }
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	sloth, err := rules.Estimate(file.Groups, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	accord, err := rules.Estimate([]rules.Group{findGroup(t, mustGenerate(t, mustCatalog(t, slothSpec)), "accord:payment-gateway:requests-availability")}, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Sloth: %+v", sloth)
	t.Logf("Accord: %+v", accord)
	// Sloth: 7 windows of raw reads per query, 2 queries: 2 × (5m + 30m +
	// 1h + 2h + 6h + 1d + 3d) / 15s; its 30d ratio sums and counts 30 days
	// of 5m ratios.
	if want := 2.0 * (5 + 30 + 60 + 120 + 360 + 1440 + 4320) * 4; sloth.RawSamples != want {
		t.Errorf("Sloth reads %v raw samples per series, want %v", sloth.RawSamples, want)
	}
	if accord.RawSamples*100 > sloth.RawSamples || accord.RecordedSamples*10 > sloth.RecordedSamples {
		t.Errorf("Accord's rules read %+v, not a tenth of Sloth's %+v", accord, sloth)
	}
}
