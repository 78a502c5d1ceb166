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

// lateJourney starts an engine over spec and a journey name over first
// and second, shaped like first, whose components are late past a
// maxDelay of 15 minutes and then count as when says.
func lateJourney(tb testing.TB, spec, name, first, second string, when slo.WhenDelayed, clock engine.Clock) *engine.Engine {
	tb.Helper()
	comp := components(first, second)
	comp.MaxDelay, comp.WhenDelayed = 15*time.Minute, when
	cat := withJourney(tb, mustCatalog(tb, spec), first, name, comp)
	e, store := mustEngine(tb, cat, tb.TempDir(), clock)
	tb.Cleanup(func() { store.Close() })
	return e
}

// halfLate is an hour of events from start, one a minute: first's good
// of 10 throughout, second's 10 of 10 for the first half hour only.
func halfLate(start time.Time, first, second string, good float64) []engine.Event {
	var events []engine.Event
	for m := range 60 {
		at := start.Add(time.Duration(m) * time.Minute)
		events = append(events, counted(first, at, good, 10))
		if m < 30 {
			events = append(events, counted(second, at, 10, 10))
		}
	}
	return events
}

// TestLateComponentOfTimeSlicesCountsAsBadUntilItsDataArrives stops b's
// data for half an hour, past a maxDelay of 15 minutes, with countAsBad:
// the journey's slices after b's data are bad until b's data arrives.
func TestLateComponentOfTimeSlicesCountsAsBadUntilItsDataArrives(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e := lateJourney(t, stepSlicesSpec, "both", "stores/a", "stores/b", slo.CountAsBad, clock)
	events := halfLate(start, "a", "b", 10)
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
			e := lateJourney(t, stepSlicesSpec, "both", "stores/ra", "stores/rb", when, clock)
			events := halfLate(start, "ra", "rb", 8)
			clock.Set(start.Add(time.Hour + 3*time.Minute))
			ingestAndEvaluate(t, e, events)
			v := mustView(t, e, "stores/both")
			if want := 6*0.9 + 6*late; v.Status.Counts.Total != 12 || !near(v.Status.Counts.Good, want, 1e-9) {
				t.Fatalf("journey %+v, want %v good of 12 slices", v.Status.Counts, want)
			}
		})
	}
}

// lateDaySpec has two pushed SLOs over a day, for a journey over them.
const lateDaySpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: scan, objective: 99, window: 1d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 1d, indicator: {ratio: {stream: pay}}}
`

// TestALateComponentsStandInCostsWhatChanged has pay's data stop twelve
// hours before scan's, past a maxDelay of 15 minutes, with countAsBad.
// Pay's traffic varies from minute to minute, so the average that stands
// in for its missing 720 minutes changes at every evaluation as the day's
// window moves on. The journey counts that stand-in as before, and an
// evaluation a minute later changes a handful of its checkpoints (the
// new minute's), not one per stand-in minute.
func TestALateComponentsStandInCostsWhatChanged(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e := lateJourney(t, lateDaySpec, "checks-out", "checkout/scan", "checkout/pay", slo.CountAsBad, clock)
	payAt := func(m int) (good, total float64) {
		total = float64(10 + m%7)
		if m%3 == 0 {
			return total - 1, total
		}
		return total, total
	}
	const payEnd = 2*1440 + 12*60 // pay's minutes stop here, scan's go on
	// Three days, so the minute checkpoints are all in use, pushed a day
	// at a time as the clock moves on.
	push := func(from, to int) {
		t.Helper()
		var evs []engine.Event
		for m := from; m < to; m++ {
			at := start.Add(time.Duration(m) * time.Minute)
			evs = append(evs, counted("scan", at, 10, 10))
			if m < payEnd {
				good, total := payAt(m)
				evs = append(evs, counted("pay", at, good, total))
			}
		}
		if err := e.Ingest(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	for day := range 3 {
		clock.Set(start.Add(time.Duration(day+1) * 24 * time.Hour))
		push(day*1440, (day+1)*1440)
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// want is the journey's day ending at minute now (from its start
	// minute on): scan's events and pay's, and for each of pay's missing
	// minutes up to scan's newest its average per minute over the window
	// up to its data, all bad.
	want := func(now int) engine.Counts {
		var c engine.Counts
		from := now - 1440
		var paySum float64
		for m := from; m < payEnd; m++ {
			_, total := payAt(m)
			paySum += total
		}
		rate := paySum / float64(payEnd-from)
		for m := from; m <= now; m++ {
			if m < now { // scan's newest minute is the one before now
				c.Good, c.Total = c.Good+10, c.Total+10
			}
			switch {
			case m < payEnd:
				good, total := payAt(m)
				c.Good, c.Total = c.Good+good, c.Total+total
			case m < now: // standing in up to scan's newest minute
				c.Total += rate
			}
		}
		return c
	}
	check := func(now int) {
		t.Helper()
		v := mustView(t, e, "checkout/checks-out")
		w := want(now)
		if !v.Components[1].Delayed || !near(v.Status.Counts.Good, w.Good, 1e-6) || !near(v.Status.Counts.Total, w.Total, 1e-6*w.Total) {
			t.Fatalf("at minute %d: %+v (pay delayed %v), want %+v", now, v.Status.Counts, v.Components[1].Delayed, w)
		}
	}
	clock.Set(start.Add(3*24*time.Hour + time.Minute))
	push(3*1440, 3*1440+1)
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	check(3*1440 + 1)
	before := engine.CheckpointsOf(e, "checkout/checks-out")
	// A minute later: scan's next minute arrives, the window moves on.
	clock.Set(start.Add(3*24*time.Hour + 2*time.Minute))
	push(3*1440+1, 3*1440+2)
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	check(3*1440 + 2)
	after := engine.CheckpointsOf(e, "checkout/checks-out")
	if len(after) != len(before) {
		t.Fatalf("the checkpoints grew from %d to %d; want them in full use", len(before), len(after))
	}
	written := 0
	for i := range after {
		if after[i] != before[i] {
			written++
		}
	}
	t.Logf("a minute's evaluation wrote %d of the journey's %d checkpoints", written, len(after))
	if written > 3 {
		t.Errorf("a minute's evaluation wrote %d of the journey's checkpoints; want at most 3 (the minutes it moved on to and their hour), not one per stand-in minute", written)
	}
}

// TestALateComponentsStandInSurvivesAReload reloads a journey whose pay
// component is late with a new objective: its counts carry over, and the
// stand-in for pay's missing minutes counts once, as before the reload.
func TestALateComponentsStandInSurvivesAReload(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(90 * time.Minute))
	comp := components("checkout/scan", "checkout/pay")
	comp.MaxDelay, comp.WhenDelayed = 15*time.Minute, slo.CountAsBad
	cat := withJourney(t, mustCatalog(t, checkoutSpec), "checkout/scan", "checks-out", comp)
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	var evs []engine.Event
	for m := range 90 {
		at := start.Add(time.Duration(m) * time.Minute)
		evs = append(evs, counted("scan", at, 10, 10))
		if m < 60 {
			evs = append(evs, counted("pay", at, 10, 10))
		}
	}
	ingestAndEvaluate(t, e, evs)
	want := engine.Counts{Good: 1500, Total: 1800} // pay's 30 missing minutes stand in as 10 bad events each
	if v := mustView(t, e, "checkout/checks-out"); v.Status.Counts != want {
		t.Fatalf("before the reload: %+v, want %+v", v.Status.Counts, want)
	}
	for i := range cat.SLOs {
		if cat.SLOs[i].ID() == "checkout/checks-out" {
			cat.SLOs[i].Objective = 98
		}
	}
	if res, err := e.Reload(ctx, cat, true); err != nil || len(res.Changed) != 1 {
		t.Fatalf("reload: %+v, %v; want the journey changed", res, err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v := mustView(t, e, "checkout/checks-out"); v.Status.Counts != want {
		t.Errorf("after the reload: %+v, want %+v", v.Status.Counts, want)
	}
}
