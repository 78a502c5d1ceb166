package engine_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestLookupsByIDAnswerWhatTheViewsDo checks the lookups pages use
// against the views they stand in for: a definition and its owners, a
// journey's parts with their healths, the journeys an SLO is a direct
// component of, and a list that fills in journeys' components.
func TestLookupsByIDAnswerWhatTheViewsDo(t *testing.T) {
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := mustCatalog(t, checkoutSpec)
	cat = withJourney(t, cat, "checkout/scan", "pays", components("checkout/pay", "checkout/receipt"))
	cat = withJourney(t, cat, "checkout/scan", "checks-out", components("checkout/scan", "checkout/pays"))
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	ingestAndEvaluate(t, e, []engine.Event{counted("scan", start, 50, 50), counted("pay", start, 10, 100)})

	def, owners, ok := e.Definition("checkout/pay")
	if !ok || def.ID() != "checkout/pay" || def.Indicator.Stream != "pay" || owners.Team != "pos-platform" {
		t.Fatalf("Definition(checkout/pay) = %v %+v %v", def.ID(), owners, ok)
	}
	if _, _, ok := e.Definition("checkout/nope"); ok {
		t.Fatal("Definition of an unknown SLO found one")
	}

	view := mustView(t, e, "checkout/pays")
	comps, ok := e.Components("checkout/pays")
	if !ok || !reflect.DeepEqual(comps, view.Components) {
		t.Fatalf("Components(checkout/pays) = %+v %v, want the view's %+v", comps, ok, view.Components)
	}
	if _, ok := e.Components("checkout/pay"); ok {
		t.Error("Components of an SLO that is no journey answered")
	}
	parts := e.Parts(append(comps, engine.ComponentImpact{SLO: "checkout/gone"}))
	for i, p := range parts[:len(comps)] {
		cv := mustView(t, e, p.SLO)
		if p.ComponentImpact.SLO != comps[i].SLO || p.SpentShare != comps[i].SpentShare ||
			!p.Known || p.Def.ID() != p.SLO || p.Owners.Team != "pos-platform" || p.Health != cv.Health() {
			t.Errorf("part %d = %+v, want component %+v of health %s", i, p, comps[i], cv.Health())
		}
	}
	if parts[0].Health != engine.HealthExhausted || parts[1].Health != engine.HealthNoData || parts[0].SpentShare != 1 {
		t.Errorf("pay and receipt: %s (share %v) and %s, want exhausted (1) and no data", parts[0].Health, parts[0].SpentShare, parts[1].Health)
	}
	if gone := parts[len(comps)]; gone.Known || gone.Health != engine.HealthNoData {
		t.Errorf("an unknown component is described as %+v", gone)
	}

	for _, v := range e.SLOs() {
		if got := e.Parts([]engine.ComponentImpact{{SLO: v.ID}})[0].Health; got != v.Health() {
			t.Errorf("%s: part health %s, view health %s", v.ID, got, v.Health())
		}
	}

	// pay counts in checks-out too, but only through pays.
	for id, want := range map[string][]string{"checkout/pay": {"checkout/pays"}, "checkout/pays": {"checkout/checks-out"},
		"checkout/scan": {"checkout/checks-out"}, "checkout/checks-out": nil} {
		if got := e.PartOf(id); !slices.Equal(got, want) {
			t.Errorf("PartOf(%s) = %v, want %v", id, got, want)
		}
	}

	listed := e.List(engine.ListQuery{Components: true, Sort: engine.SortID}).SLOs
	for _, lv := range listed {
		if lv.Journey != (len(lv.Components) > 0) {
			t.Errorf("listed with components: %s journey %v, %d components", lv.ID, lv.Journey, len(lv.Components))
		}
		if lv.Journey && !reflect.DeepEqual(lv.Components, mustView(t, e, lv.ID).Components) {
			t.Errorf("listed %s components %+v, the view's %+v", lv.ID, lv.Components, mustView(t, e, lv.ID).Components)
		}
	}
}
