package engine_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// checkoutSpec has the steps of a checkout as SLOs of pushed events: scan
// and pay, and receipt grouped by store.
const checkoutSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, onCall: {receiver: pos-pager}}
  runbook: https://runbooks.test/checkout
  slos:
    - name: scan
      objective: 99
      window: 7d
      indicator: {ratio: {stream: scan}}
    - name: pay
      objective: 99
      window: 7d
      indicator: {ratio: {stream: pay}}
    - name: receipt
      objective: 99
      window: 7d
      groupBy: [store]
      indicator: {ratio: {stream: receipt}}
`

// withJourney adds a journey named name over components to the catalog,
// shaped (window, objective, budgeting, alerting, policy) like the SLO
// ingestAndEvaluate ingests events at the engine's clock and evaluates.
func ingestAndEvaluate(tb testing.TB, e *engine.Engine, events []engine.Event) {
	tb.Helper()
	if err := e.Ingest(context.Background(), events); err != nil {
		tb.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// like, as the spec loader would build it.
func withJourney(tb testing.TB, cat slo.Catalog, like, name string, c slo.Composite) slo.Catalog {
	tb.Helper()
	for _, s := range cat.SLOs {
		if s.ID() != like {
			continue
		}
		j := s
		j.Name, j.Indicator, j.GroupBy, j.Composite = name, slo.Indicator{}, nil, &c
		cat.SLOs = append(cat.SLOs, j)
		return cat
	}
	tb.Fatalf("no SLO %s to shape journey %s like", like, name)
	return cat
}

func components(ids ...string) slo.Composite {
	var c slo.Composite
	for _, id := range ids {
		c.Components = append(c.Components, slo.Component{SLO: id, Weight: 1})
	}
	return c
}

func mustView(tb testing.TB, e *engine.Engine, id string) engine.SLOView {
	tb.Helper()
	v, ok := e.SLO(id)
	if !ok {
		tb.Fatalf("no SLO %s", id)
	}
	return v
}

func sliOf(tb testing.TB, v engine.SLOView) float64 {
	tb.Helper()
	if v.Status.SLI == nil {
		tb.Fatalf("%s has no SLI", v.ID)
	}
	return *v.Status.SLI
}

func TestJourneyOfOccurrencesIsTheWeightedShareOfGoodEvents(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	c := components("checkout/scan", "checkout/pay")
	c.Components[1].Weight = 3
	cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", c)
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	if err := e.Ingest(ctx, []engine.Event{
		counted("scan", start, 100, 100), counted("pay", start, 90, 100),
		counted("pay", start.Add(-time.Hour), 10, 10),
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	v := mustView(t, e, "checkout/checks-out")
	// (100 + 3·100) good of (100 + 3·110) total.
	want := (100 + 3*100.0) / (100 + 3*110.0)
	if got := sliOf(t, v); !near(got, want, 1e-12) {
		t.Fatalf("journey SLI = %v, want %v", got, want)
	}
	if !v.Journey || v.Stream != "" {
		t.Fatalf("journey = %v, stream %q", v.Journey, v.Stream)
	}
	if v.Status.Budget.Consumed != 30 || len(v.Status.BurnRates) == 0 || !v.Status.BurnRates[0].HasData {
		t.Fatalf("budget %+v, burn rates %+v", v.Status.Budget, v.Status.BurnRates)
	}
	if len(v.Components) != 2 {
		t.Fatalf("components = %+v", v.Components)
	}
	scan, pay := v.Components[0], v.Components[1]
	if scan.SLO != "checkout/scan" || scan.Good != 100 || scan.Total != 100 || scan.SpentShare != 0 {
		t.Fatalf("scan = %+v", scan)
	}
	if pay.SLO != "checkout/pay" || pay.Weight != 3 || pay.Good != 100 || pay.Total != 110 || pay.SpentShare != 1 || *pay.SLI != 100.0/110 {
		t.Fatalf("pay = %+v", pay)
	}
	// The list shows journeys without their components.
	for _, lv := range e.SLOs() {
		if lv.ID == "checkout/checks-out" && (!lv.Journey || lv.Components != nil) {
			t.Fatalf("listed journey = %+v", lv)
		}
	}
}

func TestJourneyCountsAGroupedComponentAsTheSumOfItsGroupsAndNests(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := mustCatalog(t, checkoutSpec)
	cat = withJourney(t, cat, "checkout/scan", "pays", components("checkout/pay", "checkout/receipt"))
	outer := components("checkout/scan", "checkout/pays")
	outer.Components[1].Weight = 2
	cat = withJourney(t, cat, "checkout/scan", "checks-out", outer)
	dir := t.TempDir()
	e, store := mustEngine(t, cat, dir, clock)
	receipt := func(s string, good, total float64) engine.Event {
		ev := counted("receipt", start, good, total)
		ev.Labels = map[string]string{"store": s}
		return ev
	}
	if err := e.Ingest(ctx, []engine.Event{
		counted("scan", start, 50, 50), counted("pay", start, 80, 100),
		receipt("berlin", 20, 20), receipt("paris", 5, 10),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EvaluateTouched(ctx); err != nil {
		t.Fatal(err)
	}
	inner := mustView(t, e, "checkout/pays")
	if got, want := sliOf(t, inner), (80+25)/130.0; !near(got, want, 1e-12) {
		t.Fatalf("inner journey SLI = %v, want %v", got, want)
	}
	// The outer journey counts the inner one's sums twice over.
	v := mustView(t, e, "checkout/checks-out")
	if got, want := sliOf(t, v), (50+2*105)/(50+2*130.0); !near(got, want, 1e-12) {
		t.Fatalf("outer journey SLI = %v, want %v", got, want)
	}
	if got := v.Components[1]; got.SLO != "checkout/pays" || got.Good != 105 || got.Total != 130 || got.SpentShare != 1 {
		t.Fatalf("nested component = %+v", got)
	}
	// A restart (and a replica reading the same store) derives the same.
	store.Close()
	again, store2 := mustEngine(t, cat, dir, clock)
	defer store2.Close()
	if err := again.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"checkout/pays", "checkout/checks-out"} {
		a, b := mustView(t, e, id), mustView(t, again, id)
		if a.Status.Counts != b.Status.Counts {
			t.Fatalf("%s after a restart counts %+v, before %+v", id, b.Status.Counts, a.Status.Counts)
		}
	}
}

func TestJourneyOnAFollowerMatchesTheLeader(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", components("checkout/scan", "checkout/pay"))
	leader, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	follower := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock})
	if err := follower.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	counts := []engine.Count{
		{SLO: "checkout/scan", Group: "{}", Kind: engine.KindEvents, Minute: engine.UnixMinute(start), Counts: engine.Counts{Good: 100, Total: 100}},
		{SLO: "checkout/pay", Group: "{}", Kind: engine.KindEvents, Minute: engine.UnixMinute(start), Counts: engine.Counts{Good: 90, Total: 100}},
	}
	if err := leader.Record(ctx, counts); err != nil {
		t.Fatal(err)
	}
	follower.Apply(counts)
	if err := leader.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	l, f := mustView(t, leader, "checkout/checks-out"), mustView(t, follower, "checkout/checks-out")
	if sliOf(t, l) != 0.95 || l.Status.Counts != f.Status.Counts || math.Abs(*l.Status.SLI-*f.Status.SLI) > 0 {
		t.Fatalf("leader %+v, follower %+v", l.Status.Counts, f.Status.Counts)
	}
}

// TestMaintenanceLeavesAJourneyAsItLeavesItsComponents excludes a
// maintenance window of the checkout service: the bad events pay had in
// it leave the journey too, the same after a restart.
func TestMaintenanceLeavesAJourneyAsItLeavesItsComponents(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", components("checkout/scan", "checkout/pay"))
	dir := t.TempDir()
	e, store := mustEngine(t, cat, dir, clock)
	if err := e.Ingest(ctx, []engine.Event{
		counted("scan", start, 100, 100), counted("pay", start, 100, 100),
		counted("pay", start.Add(30*time.Minute), 0, 100), // in the maintenance
	}); err != nil {
		t.Fatal(err)
	}
	m := slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "checkout", Start: start.Add(20 * time.Minute),
		End: start.Add(40 * time.Minute), ExcludeFromBudget: true}
	if _, err := store.AddAnnotation(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := e.Exclude(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v := mustView(t, e, "checkout/checks-out"); v.Status.Counts != (engine.Counts{Good: 200, Total: 200}) {
		t.Fatalf("journey after the maintenance left: %+v, want 200 of 200", v.Status.Counts)
	}
	store.Close()
	again, store2 := mustEngine(t, cat, dir, clock)
	defer store2.Close()
	anns, err := store2.Annotations(ctx, "", time.Time{}, start.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	again.SetExclusions(anns)
	if err := again.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v := mustView(t, again, "checkout/checks-out"); v.Status.Counts != (engine.Counts{Good: 200, Total: 200}) {
		t.Fatalf("journey after a restart: %+v, want 200 of 200", v.Status.Counts)
	}
}

// TestReloadAddingOrReweighingAJourneyCountsItsComponentsPast adds a
// journey to a running engine, then changes a weight: each time the
// journey counts everything its components stored.
func TestReloadAddingOrReweighingAJourneyCountsItsComponentsPast(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	plain := mustCatalog(t, checkoutSpec)
	e, store := mustEngine(t, plain, t.TempDir(), clock)
	defer store.Close()
	if err := e.Ingest(ctx, []engine.Event{counted("scan", start, 100, 100), counted("pay", start, 90, 100)}); err != nil {
		t.Fatal(err)
	}
	reload := func(cat slo.Catalog, good, total float64) {
		t.Helper()
		if _, err := e.Reload(ctx, cat, true); err != nil {
			t.Fatal(err)
		}
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		if v := mustView(t, e, "checkout/checks-out"); v.Status.Counts != (engine.Counts{Good: good, Total: total}) {
			t.Fatalf("journey counts %+v, want %v of %v", v.Status.Counts, good, total)
		}
	}
	reload(withJourney(t, plain, "checkout/scan", "checks-out", components("checkout/scan", "checkout/pay")), 190, 200)
	heavier := components("checkout/scan", "checkout/pay")
	heavier.Components[1].Weight = 2
	reload(withJourney(t, plain, "checkout/scan", "checks-out", heavier), 280, 300)
	// Counted after the reload, too.
	if err := e.Ingest(ctx, []engine.Event{counted("pay", start, 10, 10)}); err != nil {
		t.Fatal(err)
	}
	reload(withJourney(t, plain, "checkout/scan", "checks-out", heavier), 300, 320)
}

// TestDeeplySharedJourneysAreFlattenedOnce nests 40 layers of two journeys
// each over both journeys of the layer below: 2^40 paths from the top to
// scan, which walking every path would never finish.
func TestDeeplySharedJourneysAreFlattenedOnce(t *testing.T) {
	const layers = 40
	cat := mustCatalog(t, checkoutSpec)
	below := []string{"checkout/scan", "checkout/pay"}
	for i := range layers {
		a, b := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		cat = withJourney(t, cat, "checkout/scan", a, components(below...))
		cat = withJourney(t, cat, "checkout/scan", b, components(below...))
		below = []string{"checkout/" + a, "checkout/" + b}
	}
	leaves := engine.JourneyLeaves(cat)[below[0]]
	if want := math.Exp2(layers - 1); leaves["checkout/scan"] != want || leaves["checkout/pay"] != want || len(leaves) != 2 {
		t.Fatalf("the top journey's leaves are %v, want scan and pay at %g (one per path)", leaves, want)
	}
	if e := engine.New(engine.Options{Catalog: cat, Clock: engine.NewManualClock(time.Now())}); len(e.SLOs()) != len(cat.SLOs) {
		t.Fatalf("the engine holds %d SLOs, want %d", len(e.SLOs()), len(cat.SLOs))
	}
}
