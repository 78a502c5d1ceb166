package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// TestLateComponentOfOccurrencesCountsAsWhenDelayedSays stops pay's data
// for 30 minutes while scan's goes on, past a maxDelay of 15 minutes:
// pay's missing minutes count as its average events per minute, all bad
// or all good, or not at all; once its data arrives, that counts.
func TestLateComponentOfOccurrencesCountsAsWhenDelayedSays(t *testing.T) {
	cases := []struct {
		when        slo.WhenDelayed
		good, total float64 // journey counts while pay is late
		paySpent    float64
	}{
		{slo.CountAsBad, 1500, 1800, 1},
		{slo.CountAsGood, 1800, 1800, 0},
		{slo.IgnoreDelayed, 1500, 1500, 0},
	}
	for _, c := range cases {
		t.Run(string(c.when), func(t *testing.T) {
			ctx := context.Background()
			start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
			clock := engine.NewManualClock(start)
			comp := components("checkout/scan", "checkout/pay")
			comp.MaxDelay, comp.WhenDelayed = 15*time.Minute, c.when
			cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", comp)
			e, store := mustEngine(t, cat, t.TempDir(), clock)
			defer store.Close()
			push := func(stream string, from, to int, good float64) {
				t.Helper()
				var evs []engine.Event
				for m := from; m < to; m++ {
					evs = append(evs, counted(stream, start.Add(time.Duration(m)*time.Minute), good, 10))
				}
				if err := e.Ingest(ctx, evs); err != nil {
					t.Fatal(err)
				}
			}
			journey := func() engine.SLOView {
				t.Helper()
				if err := e.Evaluate(ctx); err != nil {
					t.Fatal(err)
				}
				return mustView(t, e, "checkout/checks-out")
			}
			clock.Set(start.Add(70 * time.Minute))
			push("scan", 0, 70, 10)
			push("pay", 0, 60, 10)
			// 10 minutes behind: not late yet.
			if v := journey(); v.Status.Counts != (engine.Counts{Good: 1300, Total: 1300}) || v.Components[1].Delayed {
				t.Fatalf("pay 10 minutes behind: %+v, components %+v", v.Status.Counts, v.Components)
			}
			clock.Set(start.Add(90 * time.Minute))
			push("scan", 70, 90, 10)
			v := journey()
			if !near(v.Status.Counts.Good, c.good, 1e-6) || !near(v.Status.Counts.Total, c.total, 1e-6) || !v.Components[1].Delayed {
				t.Fatalf("pay 30 minutes behind: %+v (delayed %v), want %v good of %v", v.Status.Counts, v.Components[1].Delayed, c.good, c.total)
			}
			if !near(v.Components[1].SpentShare, c.paySpent, 1e-9) {
				t.Fatalf("pay spent %v of the budget, want %v", v.Components[1].SpentShare, c.paySpent)
			}
			// A minute later the same rule holds as the window moves on.
			clock.Set(start.Add(91 * time.Minute))
			push("scan", 90, 91, 10)
			if v := journey(); !near(v.Status.Counts.Total-c.total, 10+10*(c.total-1500)/300, 1e-6) {
				t.Fatalf("a minute later: %+v", v.Status.Counts)
			}
			// Pay's data arrives, half bad: it counts instead.
			push("pay", 60, 91, 5)
			if v := journey(); !near(v.Status.Counts.Good, 1820-155, 1e-6) || !near(v.Status.Counts.Total, 1820, 1e-6) || v.Components[1].Delayed {
				t.Fatalf("after pay's data: %+v, components %+v; want 1665 of 1820", v.Status.Counts, v.Components)
			}
		})
	}
}

// TestLateComponentOfTimeSlicesCountsAsBadUntilItsDataArrives stops b's
// data for half an hour, past a maxDelay of 15 minutes, with countAsBad:
// the journey's slices after b's data are bad until b's data arrives.
func TestLateComponentOfTimeSlicesCountsAsBadUntilItsDataArrives(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	comp := components("stores/a", "stores/b")
	comp.MaxDelay, comp.WhenDelayed = 15*time.Minute, slo.CountAsBad
	cat := withJourney(t, mustCatalog(t, stepSlicesSpec), "stores/a", "both", comp)
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	var events []engine.Event
	for m := range 60 {
		at := start.Add(time.Duration(m) * time.Minute)
		events = append(events, counted("a", at, 10, 10))
		if m < 30 {
			events = append(events, counted("b", at, 10, 10))
		}
	}
	clock.Set(start.Add(time.Hour + 3*time.Minute))
	ingestAndEvaluate(t, e, events)
	v := mustView(t, e, "stores/both")
	if v.Status.Counts != (engine.Counts{Good: 6, Total: 12}) || !v.Components[1].Delayed || v.Components[1].SpentShare != 1 {
		t.Fatalf("b late: %+v, components %+v; want the 6 slices after b's data bad, all b's doing", v.Status.Counts, v.Components)
	}
	events = events[:0]
	for m := 30; m < 60; m++ {
		events = append(events, counted("b", start.Add(time.Duration(m)*time.Minute), 10, 10))
	}
	ingestAndEvaluate(t, e, events)
	if v := mustView(t, e, "stores/both"); v.Status.Counts != (engine.Counts{Good: 12, Total: 12}) || v.Components[1].Delayed {
		t.Fatalf("after b's data: %+v, components %+v; want 12 good slices", v.Status.Counts, v.Components)
	}
}

// TestLateComponentOfRatioSlicesCountsAsWhenDelayedSays stops rb's data
// for half an hour past a maxDelay of 15 minutes while ra reads 0.8 in
// every slice: the journey's slices after rb's data read the mean of
// ra's 0.8 and rb's stand-in (1 or 0), or ra's alone (ignore).
func TestLateComponentOfRatioSlicesCountsAsWhenDelayedSays(t *testing.T) {
	for when, late := range map[slo.WhenDelayed]float64{slo.CountAsGood: 0.9, slo.CountAsBad: 0.4, slo.IgnoreDelayed: 0.8} {
		t.Run(string(when), func(t *testing.T) {
			start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			clock := engine.NewManualClock(start)
			comp := components("stores/ra", "stores/rb")
			comp.MaxDelay, comp.WhenDelayed = 15*time.Minute, when
			cat := withJourney(t, mustCatalog(t, stepSlicesSpec), "stores/ra", "both", comp)
			e, store := mustEngine(t, cat, t.TempDir(), clock)
			defer store.Close()
			var events []engine.Event
			for m := range 60 {
				at := start.Add(time.Duration(m) * time.Minute)
				events = append(events, counted("ra", at, 8, 10))
				if m < 30 {
					events = append(events, counted("rb", at, 10, 10))
				}
			}
			clock.Set(start.Add(time.Hour + 3*time.Minute))
			ingestAndEvaluate(t, e, events)
			v := mustView(t, e, "stores/both")
			if want := 6*0.9 + 6*late; v.Status.Counts.Total != 12 || !near(v.Status.Counts.Good, want, 1e-9) {
				t.Fatalf("journey %+v, want %v good of 12 slices", v.Status.Counts, want)
			}
		})
	}
}
