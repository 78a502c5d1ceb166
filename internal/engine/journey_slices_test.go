package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

const stepSlicesSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  runbook: https://runbooks.test/stores
  slos:
    - name: a
      objective: 90
      window: 1d
      budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95}
      indicator: {ratio: {stream: a}}
    - name: b
      objective: 90
      window: 1d
      budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95}
      indicator: {ratio: {stream: b}}
    - name: ra
      objective: 90
      window: 1d
      budgeting: {method: ratio-timeslices, sliceLength: 5m}
      indicator: {ratio: {stream: ra}}
    - name: rb
      objective: 90
      window: 1d
      budgeting: {method: ratio-timeslices, sliceLength: 5m}
      indicator: {ratio: {stream: rb}}
`

// TestTimeSliceJourneyIsGoodOnlyWhenEveryComponentWithDataIs judges a
// journey's slices from its components' slices: a slice is bad when any
// component with data in it is bad, no slice without data; a component's
// late data judges its slice again, and the journey's with it.
func TestTimeSliceJourneyIsGoodOnlyWhenEveryComponentWithDataIs(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := mustCatalog(t, stepSlicesSpec)
	cat = withJourney(t, cat, "stores/a", "both", components("stores/a", "stores/b"))
	ratio := components("stores/ra", "stores/rb")
	ratio.Components[1].Weight = 3
	cat = withJourney(t, cat, "stores/ra", "both-ratio", ratio)
	// A journey over that journey, first in the catalog: judged after it.
	cat = withJourney(t, cat, "stores/a", "outer", components("stores/both", "stores/a"))
	cat.SLOs = append(cat.SLOs[len(cat.SLOs)-1:], cat.SLOs[:len(cat.SLOs)-1]...)
	dir := t.TempDir()
	e, store := mustEngine(t, cat, dir, clock)
	var events []engine.Event
	for i := range 12 {
		at := start.Add(time.Duration(i)*5*time.Minute + time.Minute)
		if i == 10 {
			continue // no data in either: no slice
		}
		aGood, bGood, raGood, rbGood := 100.0, 100.0, 100.0, 100.0
		switch i {
		case 3:
			aGood, raGood = 90, 90
		case 5:
			bGood, rbGood = 90, 80
		}
		events = append(events, counted("a", at, aGood, 100), counted("ra", at, raGood, 100), counted("rb", at, rbGood, 100))
		if i != 8 {
			events = append(events, counted("b", at, bGood, 100))
		}
	}
	clock.Set(start.Add(time.Hour + 3*time.Minute))
	ingestAndEvaluate(t, e, events)
	v := mustView(t, e, "stores/both")
	if v.Status.Counts != (engine.Counts{Good: 9, Total: 11}) {
		t.Fatalf("journey slices %+v, want 9 good of 11 (slice 10 had no data; 3 and 5 were bad)", v.Status.Counts)
	}
	if o := mustView(t, e, "stores/outer"); o.Status.Counts != v.Status.Counts {
		t.Fatalf("outer journey slices %+v, want its inner journey's %+v", o.Status.Counts, v.Status.Counts)
	}
	if a, b := v.Components[0], v.Components[1]; a.SpentShare != 0.5 || b.SpentShare != 0.5 || a.Total != 11 || b.Total != 10 {
		t.Fatalf("components %+v, want each to have spent half", v.Components)
	}
	r := mustView(t, e, "stores/both-ratio")
	// Slice 3: (0.9 + 3·1)/4; slice 5: (1 + 3·0.8)/4; slice 10: no data
	// in ra or rb either, but b's gap does not matter here.
	want := (9 + (0.9+3)/4 + (1+3*0.8)/4) / 11
	if r.Status.SLI == nil || !near(*r.Status.SLI, want, 1e-9) || r.Status.Counts.Total != 11 {
		t.Fatalf("ratio journey %+v SLI %v, want %v over 11 slices", r.Status.Counts, deref(r.Status.SLI), want)
	}
	if rb := r.Components[1]; !near(rb.SpentShare, 3*0.2/(3*0.2+0.1), 1e-9) {
		t.Fatalf("rb spent %v of the ratio journey's budget", rb.SpentShare)
	}

	// b's slice 8 arrives late, and bad: b judges it again, the journey
	// too.
	if err := e.Ingest(ctx, []engine.Event{counted("b", start.Add(41*time.Minute), 50, 100)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	v = mustView(t, e, "stores/both")
	if v.Status.Counts != (engine.Counts{Good: 8, Total: 11}) || !near(v.Components[1].SpentShare, 2.0/3, 1e-9) {
		t.Fatalf("after b's late slice: %+v, components %+v; want 8 good of 11, b two thirds", v.Status.Counts, v.Components)
	}
	if o := mustView(t, e, "stores/outer"); o.Status.Counts != v.Status.Counts {
		t.Fatalf("after b's late slice the outer journey has %+v, its inner one %+v", o.Status.Counts, v.Status.Counts)
	}

	// The journey's slices are stored once, as judged: a restart reads
	// the same.
	store.Close()
	again, store2 := mustEngine(t, cat, dir, clock)
	defer store2.Close()
	if err := again.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"stores/both", "stores/both-ratio", "stores/outer"} {
		a, b := mustView(t, e, id), mustView(t, again, id)
		if !near(a.Status.Counts.Good, b.Status.Counts.Good, 1e-9) || a.Status.Counts.Total != b.Status.Counts.Total {
			t.Fatalf("%s after a restart counts %+v, before %+v", id, b.Status.Counts, a.Status.Counts)
		}
	}
}
