package engine_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

const slicesSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  slos:
    - name: sync-slices
      objective: 95
      window: 1d
      budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95}
      indicator: {ratio: {stream: sync}}
    - name: sync-ratio-slices
      objective: 95
      window: 1d
      budgeting: {method: ratio-timeslices, sliceLength: 5m}
      indicator: {ratio: {stream: sync}}
`

// TestTimeslicesCountBadSlicesNotBadEvents pushes 100 five-minute slices:
// every tenth has 10% errors (a bad slice), the others 1%; slice 50, which
// would have been bad, has no events and is neither good nor bad.
func TestTimeslicesCountBadSlicesNotBadEvents(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	dir := t.TempDir()
	e, store := mustEngine(t, mustCatalog(t, slicesSpec), dir, clock)
	var events []engine.Event
	for s := 0; s < 101; s++ {
		if s == 50 {
			continue // no traffic at all
		}
		bad := 1.0
		if s%10 == 0 {
			bad = 10
		}
		for m := 0; m < 5; m++ {
			events = append(events, counted("sync", start.Add(time.Duration(s*5+m)*time.Minute), 20-bad/5, 20))
		}
	}
	clock.Set(start.Add(101*5*time.Minute + 30*time.Second)) // slice 100 is still within its grace time
	if err := e.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Slices 0..99 are judged, less the empty one: 99, of which 9 bad.
	check := func(label string, e *engine.Engine) {
		v, _ := e.SLO("stores/sync-slices")
		st := v.Status
		if st.Counts.Total != 99 || st.Counts.Bad() != 9 || st.Budget.Unit != "slices" {
			t.Errorf("%s: slices %+v unit %s, want 9 bad of 99", label, st.Counts, st.Budget.Unit)
		}
		if want := 1 - 9/(0.05*99); math.Abs(st.Budget.RemainingFraction-want) > 1e-9 {
			t.Errorf("%s: budget remaining %v, want %v", label, st.Budget.RemainingFraction, want)
		}
		r, _ := e.SLO("stores/sync-ratio-slices")
		// Every slice's ratio averaged: 9 slices at 0.90, 90 at 0.99.
		if want := (9*0.90 + 90*0.99) / 99; r.Status.SLI == nil || math.Abs(*r.Status.SLI-want) > 1e-9 {
			t.Errorf("%s: ratio-timeslices SLI %v, want %v", label, deref(r.Status.SLI), want)
		}
	}
	check("live", e)

	// Judged slices survive a restart, and are not judged twice.
	store.Close()
	e2, store2 := mustEngine(t, mustCatalog(t, slicesSpec), dir, clock)
	defer store2.Close()
	if err := e2.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("restored", e2)
}

const calendarSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  slos:
    - name: monthly
      objective: 99
      window: {calendar: month}
      indicator: {ratio: {stream: sync}}
`

func TestCalendarWindowCountsFromTheStartOfTheMonth(t *testing.T) {
	clock := engine.NewManualClock(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	e, store := mustEngine(t, mustCatalog(t, calendarSpec), t.TempDir(), clock)
	defer store.Close()
	// October's last hour was all bad; November's first day all good.
	var events []engine.Event
	for m := -60; m < 24*60; m++ {
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute)
		good := 10.0
		if m < 0 {
			good = 0
		}
		events = append(events, counted("sync", at, good, 10))
	}
	if err := e.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("stores/monthly")
	if v.Status.Counts.Total != 14_400 || v.Status.Counts.Bad() != 0 || v.Status.Budget.RemainingFraction != 1 {
		t.Errorf("November so far: %+v remaining %v, want 14,400 good events and the whole budget", v.Status.Counts, v.Status.Budget.RemainingFraction)
	}
	if burn, _ := v.Status.Burn(3 * 24 * time.Hour); burn == 0 {
		t.Error("the 3-day burn rate should still see October's bad hour")
	}
}

func TestExcludedMaintenanceTakesJudgedSlicesOut(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	e, store := mustEngine(t, mustCatalog(t, slicesSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	var events []engine.Event
	for m := 0; m < 50; m++ {
		good := 20.0
		if m < 5 {
			good = 10 // the first slice is bad
		}
		events = append(events, counted("sync", start.Add(time.Duration(m)*time.Minute), good, 20))
	}
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("stores/sync-slices")
	if v.Status.Counts.Total != 10 || v.Status.Counts.Bad() != 1 {
		t.Fatalf("before: %+v, want 1 bad slice of 10", v.Status.Counts)
	}
	// The first quarter hour was maintenance.
	a := slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "stores", Start: start, End: start.Add(15 * time.Minute), ExcludeFromBudget: true}
	if err := e.Exclude(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	v, _ = e.SLO("stores/sync-slices")
	if v.Status.Counts.Total != 7 || v.Status.Counts.Bad() != 0 {
		t.Errorf("after excluding 15 minutes: %+v, want 7 good slices", v.Status.Counts)
	}
}
