package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// TestExclusionTakesEffectAtOnceAndCountsAfterItsEnd excludes a
// maintenance window that ends mid-minute: the SLOs it covers are
// evaluated again without waiting for the next full evaluation, and
// events after its end, in the minute it ends in, still count.
func TestExclusionTakesEffectAtOnceAndCountsAfterItsEnd(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	end := start.Add(10*time.Minute + 30*time.Second)
	clock := engine.NewManualClock(start.Add(20 * time.Minute))
	e, store := mustEngine(t, mustCatalog(t, twoStreamsSpec), t.TempDir(), clock)
	defer store.Close()
	var events []engine.Event
	for m := 0; m < 10; m++ {
		events = append(events, counted("payments", start.Add(time.Duration(m)*time.Minute), 0, 5)) // the outage
	}
	events = append(events, counted("payments", start.Add(15*time.Minute), 100, 100))
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); v.Status.Counts.Bad() != 50 {
		t.Fatalf("before the exclusion: %+v, want 50 bad", v.Status.Counts)
	}

	a := slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "checkout", Start: start, End: end, ExcludeFromBudget: true}
	if err := e.Exclude(ctx, a); err != nil {
		t.Fatal(err)
	}
	if !e.Pending() {
		t.Fatal("an exclusion leaves the SLOs it covers waiting for the next full evaluation")
	}
	n, err := e.EvaluateTouched(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("evaluated %d SLOs at once, want the 2 the service's window covers", n)
	}
	if v, _ := e.SLO("checkout/payments"); v.Status.Counts.Bad() != 0 || v.Status.Counts.Total != 100 {
		t.Fatalf("after the exclusion: %+v, want 100 good", v.Status.Counts)
	}

	// Pushed after the window ended, in the minute it ended in: counted.
	if err := e.Ingest(ctx, []engine.Event{counted("payments", end.Add(15*time.Second), 0, 3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EvaluateTouched(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); v.Status.Counts.Bad() != 3 {
		t.Errorf("events 15s after the window's end: %+v, want their 3 bad counted", v.Status.Counts)
	}
	// Pushed late for a minute inside the window: dropped.
	if err := e.Ingest(ctx, []engine.Event{counted("payments", end.Add(-time.Minute), 0, 7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EvaluateTouched(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); v.Status.Counts.Bad() != 3 {
		t.Errorf("late events inside the window: %+v, want still 3 bad", v.Status.Counts)
	}
}
