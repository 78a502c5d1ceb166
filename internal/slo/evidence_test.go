package slo

import "testing"

// TestRequiredEventsAllowThreeBadEvents checks the table in
// docs/policy.md: by default a window needs enough events for its budget
// to hold three bad ones; a policy's own minEvents wins.
func TestRequiredEventsAllowThreeBadEvents(t *testing.T) {
	for objective, want := range map[float64]float64{95: 60, 99: 300, 99.5: 600, 99.9: 3_000, 99.95: 6_000, 99.99: 30_000} {
		if got := DefaultPolicy().RequiredEvents(objective); got != want {
			t.Errorf("objective %g%%: %v events, want %v", objective, got, want)
		}
	}
	if got := (Policy{MinEvents: 1}).RequiredEvents(99.9); got != 1 {
		t.Errorf("minEvents 1: %v events", got)
	}
}
