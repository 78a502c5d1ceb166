package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// A client that gives up while its batch waits for the group commit may
// leave the batch stored; the running engine must then count it, so that
// it counts exactly what a restart loads.
func TestRunningEngineCountsWhatARestartCountsAfterClientsGaveUp(t *testing.T) {
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	dir := t.TempDir()
	cat := mustCatalog(t, paymentsSpec)
	e, store := mustEngine(t, cat, dir, clock)
	gaveUp, cancel := context.WithCancel(context.Background())
	cancel() // each call's client is gone before or while its batch commits
	acked := 0.0
	for i := 0; i < 60; i++ {
		batch := []engine.Event{counted("payments", start.Add(-time.Duration(i)*time.Minute), 9, 10)}
		if err := e.Ingest(gaveUp, batch); err == nil {
			acked += 10
		}
	}
	// One call that waits: every call queued before it is committed then.
	if err := e.Ingest(context.Background(), []engine.Event{counted("payments", start, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("checkout/payments")
	running := v.Status.Counts.Total
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	restarted, store2 := mustEngine(t, cat, dir, clock)
	defer store2.Close()
	if err := restarted.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v2, _ := restarted.SLO("checkout/payments")
	if loaded := v2.Status.Counts.Total; running != loaded || running != acked+1 {
		t.Fatalf("running engine counts %g events, a restart loads %g, calls told stored %g+1: want all three equal", running, loaded, acked)
	}
}
