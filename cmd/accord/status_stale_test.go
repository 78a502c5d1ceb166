package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestStatusShowsStaleAndUnjudgedSLOsAsSuch: a stale SLO's last SLI and
// full budget bar are not printed as if current, and an SLO with too few
// events says the policy is not judging it yet.
func TestStatusShowsStaleAndUnjudgedSLOsAsSuch(t *testing.T) {
	full, half := 1.0, 0.5
	stale := engine.SLOView{ID: "checkout/payments", Objective: 99.9,
		Source: engine.SourceState{Stale: true, StaleSince: time.Date(2026, 11, 25, 14, 31, 0, 0, time.Local), Error: "connection refused"},
		Worst:  engine.Status{SLI: &full, Met: true, Counts: engine.Counts{Good: 5000, Total: 5000}, Budget: engine.Budget{RemainingFraction: 1}},
		Policy: engine.PolicyView{State: "healthy", Resting: true, MinEvents: 3000}}
	few := engine.SLOView{ID: "checkout/receipts", Objective: 99.5, Stream: "receipts",
		Worst:  engine.Status{SLI: &half, Counts: engine.Counts{Good: 1, Total: 2}, Budget: engine.Budget{RemainingFraction: -99}},
		Policy: engine.PolicyView{State: "healthy", Resting: true, MinEvents: 600}}
	var out bytes.Buffer
	if err := writeStatus(&out, []engine.SLOView{few, stale}, time.Date(2026, 11, 25, 15, 0, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("status printed:\n%s", out.String())
	}
	if l := lines[1]; !strings.Contains(l, "budget exhausted; policy: too few events (2 of 600)") {
		t.Errorf("the SLO with two receipts reads %q, want the policy waiting for 600", l)
	}
	if l := lines[2]; strings.Contains(l, "100.000%") || strings.Contains(l, "█") || !strings.Contains(l, "stale since Wed Nov 25 ") {
		t.Errorf("the stale SLO reads %q, want no current-looking SLI or budget", l)
	}
}
