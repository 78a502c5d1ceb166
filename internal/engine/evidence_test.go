package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

const receiptsSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-devices}
  slos:
    - name: receipts
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: receipts}}
    - name: receipts-per-store
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: receipts}}
      groupBy: [store]
    - name: receipts-any-data
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: receipts}}
      policy: {name: any-data, minEvents: 1, states: [{name: exhausted, when: {budgetRemainingAtMost: 0}}, {name: healthy}]}
`

// TestPolicyNeedsEvidenceBeforeItLeavesHealthy: one bad receipt of two
// overspends a 99.5% budget a hundredfold, but the default policy needs
// 600 receipts (a budget of three bad ones) before it judges; with them,
// more than three bad receipts exhaust it. A store with two receipts does not decide
// a grouped SLO's state either; a store with enough does.
func TestPolicyNeedsEvidenceBeforeItLeavesHealthy(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e, store := mustEngine(t, mustCatalog(t, receiptsSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	receipt := func(at time.Time, store, outcome string) engine.Event {
		return engine.Event{Stream: "receipts", Time: at, Outcome: outcome, Labels: map[string]string{"store": store}}
	}
	step := func(events []engine.Event) {
		t.Helper()
		clock.Advance(time.Minute)
		if err := e.Ingest(ctx, events); err != nil {
			t.Fatal(err)
		}
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	state := func(id string) engine.SLOView {
		v, _ := e.SLO("checkout/" + id)
		return v
	}

	step([]engine.Event{receipt(start, "hamburg-007", "good"), receipt(start, "hamburg-007", "bad")})
	v := state("receipts")
	if v.Worst.Budget.RemainingFraction > -98 || v.Policy.State != "healthy" || !v.Policy.Resting || v.Policy.MinEvents != 600 {
		t.Errorf("1 bad of 2: budget %.0f%%, policy %+v; want -9900%% and healthy until 600 receipts",
			v.Worst.Budget.RemainingFraction*100, v.Policy)
	}
	if a := state("receipts-any-data"); a.Policy.State != "exhausted" || a.Policy.MinEvents != 1 {
		t.Errorf("minEvents: 1 judges at once: policy %+v, want exhausted", a.Policy)
	}

	// 600 receipts in berlin-042, 4 of them bad: 602 in all, 5 bad, of a
	// budget of 3.
	var more []engine.Event
	for i := 0; i < 600; i++ {
		outcome := "good"
		if i < 4 {
			outcome = "bad"
		}
		more = append(more, receipt(start.Add(time.Minute), "berlin-042", outcome))
	}
	step(more)
	if v := state("receipts"); v.Policy.State != "exhausted" {
		t.Errorf("5 bad of 602: policy %q at %.0f%% of the budget, want exhausted", v.Policy.State, v.Worst.Budget.RemainingFraction*100)
	}
	// Per store: hamburg-007 (1 bad of 2) has the least budget but too
	// few receipts; berlin-042 (4 bad of 600, a budget of 3) decides.
	g := state("receipts-per-store")
	if g.WorstGroup["store"] != "berlin-042" || g.Policy.State != "exhausted" {
		t.Errorf("per store: worst group %v, policy %q; want berlin-042 and exhausted", g.WorstGroup, g.Policy.State)
	}
}

// TestStaleSourceIsNotMet: an SLO whose source fails does not read met,
// whatever it last measured; one without data reads stale too.
func TestStaleSourceIsNotMet(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	health := func() engine.Health {
		t.Helper()
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		v, _ := e.SLO("checkout/payments")
		return v.Health()
	}
	e.SetSource("checkout/payments", engine.SourceState{Stale: true, StaleSince: start, Error: "connection refused"})
	if h := health(); h != engine.HealthStale {
		t.Errorf("stale without data: %s, want stale", h)
	}
	var events []engine.Event
	for m := 0; m < 60; m++ {
		events = append(events, counted("payments", start.Add(time.Duration(m)*time.Minute), 100, 100))
	}
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	if h := health(); h != engine.HealthStale {
		t.Errorf("stale at 100%%: %s, want stale", h)
	}
	e.SetSource("checkout/payments", engine.SourceState{LastSuccess: clock.Now()})
	if h := health(); h != engine.HealthMet {
		t.Errorf("with the source back at 100%%: %s, want met", h)
	}
}
