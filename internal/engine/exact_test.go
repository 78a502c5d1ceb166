package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Every event accepted moves the numbers: counts stay exact up to 2^53
// events less one, and a batch that would pass it is refused whole with a clear
// error rather than accepted and lost in rounding.
func TestEveryAcceptedEventMovesTheCountsUpTo2To53Less1(t *testing.T) {
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	counts := func() engine.Counts {
		t.Helper()
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		v, _ := e.SLO("checkout/payments")
		return v.Status.Counts
	}
	// 9,007 events of 1e12 each, the most one event may count: within
	// the documented limits, 199,254,740,991 short of MaxExactCount.
	var big []engine.Event
	for i := 0; i < 9007; i++ {
		big = append(big, counted("payments", now.Add(-time.Duration(i%600)*time.Minute), engine.MaxEventCount, engine.MaxEventCount))
	}
	if err := e.Ingest(ctx, big); err != nil {
		t.Fatal(err)
	}
	const left = engine.MaxExactCount - 9007*engine.MaxEventCount
	// One bad event counts.
	if err := e.Ingest(ctx, []engine.Event{counted("payments", now, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got.Total != 9007e12+1 || got.Bad() != 1 {
		t.Fatalf("after one bad event: %+v; want total 9007e12+1 with 1 bad", got)
	}
	// A batch past the limit is refused whole, naming it.
	err := e.Ingest(ctx, []engine.Event{counted("payments", now, 0, 1), counted("payments", now, 0, left)})
	var se *slo.Error
	if !errors.As(err, &se) || se.Code != slo.CodeInvalid || !strings.Contains(err.Error(), "2^53") {
		t.Fatalf("a batch past 2^53: %v; want an invalid error naming 2^53", err)
	}
	var ee *engine.EventError
	if !errors.As(err, &ee) || ee.Index != 0 {
		t.Errorf("the refusal names event %v, want the first counting for the SLO", ee)
	}
	// Up to exactly MaxExactCount, each event moving the numbers.
	if err := e.Ingest(ctx, []engine.Event{counted("payments", now, 0, left-1)}); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got.Total != engine.MaxExactCount || got.Bad() != left {
		t.Fatalf("at the limit: %+v; want total 2^53-1, %v bad", got, float64(left))
	}
	if err := e.Ingest(ctx, []engine.Event{counted("payments", now, 0, 1)}); err == nil {
		t.Fatal("one event past 2^53-1 was accepted; it would not be counted")
	}
	if got := counts(); got.Total != engine.MaxExactCount {
		t.Errorf("after the refusal: total %v, want 2^53-1 unchanged", got.Total)
	}
}
