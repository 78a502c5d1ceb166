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

// TestAJourneyCountsExactlyUpTo2To53Less1 weighs scan 1,000 times in a
// journey: the journey's weighted sum reaches 2^53 - 1 a thousand times
// sooner than scan. A batch that would take it past is refused whole,
// naming the journey, and counts nowhere; pay's events, weighted 1,
// still fit and count.
func TestAJourneyCountsExactlyUpTo2To53Less1(t *testing.T) {
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(now)
	comp := components("checkout/scan", "checkout/pay")
	comp.Components[0].Weight = 1000
	cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", comp)
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	totals := func() (scan, journey float64) {
		t.Helper()
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		return mustView(t, e, "checkout/scan").Status.Counts.Total, mustView(t, e, "checkout/checks-out").Status.Counts.Total
	}
	// 9,007,199,254,740 scan events: the journey holds 1,000 times as
	// many, 991 short of MaxExactCount.
	var big []engine.Event
	for i := range 9 {
		big = append(big, counted("scan", now.Add(-time.Duration(i)*time.Minute), engine.MaxEventCount, engine.MaxEventCount))
	}
	big = append(big, counted("scan", now, 7_199_254_740, 7_199_254_740))
	if err := e.Ingest(ctx, big); err != nil {
		t.Fatal(err)
	}
	if scan, journey := totals(); scan != 9_007_199_254_740 || journey != 9_007_199_254_740_000 {
		t.Fatalf("scan %v, journey %v; want 9,007,199,254,740 and 1,000 times that", scan, journey)
	}
	// One more scan event would add 1,000 to the journey: refused whole,
	// with pay's event before it.
	err := e.Ingest(ctx, []engine.Event{counted("pay", now, 1, 1), counted("scan", now, 1, 1)})
	var se *slo.Error
	if !errors.As(err, &se) || se.Code != slo.CodeInvalid || !strings.Contains(err.Error(), "journey checkout/checks-out") || !strings.Contains(err.Error(), "2^53") {
		t.Fatalf("a batch taking the journey past 2^53: %v; want an invalid error naming the journey and 2^53", err)
	}
	var ee *engine.EventError
	if !errors.As(err, &ee) || ee.Index != 0 {
		t.Errorf("the refusal names event %v, want the first counting for the journey (0)", ee)
	}
	if scan, journey := totals(); scan != 9_007_199_254_740 || journey != 9_007_199_254_740_000 {
		t.Fatalf("after the refusal: scan %v, journey %v; want both unchanged", scan, journey)
	}
	// Pay's events count once in the journey: 991 of them fit, exactly.
	if err := e.Ingest(ctx, []engine.Event{counted("pay", now, 991, 991)}); err != nil {
		t.Fatal(err)
	}
	if _, journey := totals(); journey != engine.MaxExactCount {
		t.Errorf("the journey holds %v, want 2^53 - 1", journey)
	}
	if err := e.Ingest(ctx, []engine.Event{counted("pay", now, 1, 1)}); err == nil || !strings.Contains(err.Error(), "journey checkout/checks-out") {
		t.Errorf("one event past 2^53 - 1 in the journey: %v; want it refused naming the journey", err)
	}
}
