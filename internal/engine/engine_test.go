package engine_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

const paymentsSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, onCall: {receiver: pos-pager}}
  runbook: https://runbooks.test/checkout
  slos:
    - name: payments
      objective: 99.9
      window: 30d
      indicator:
        ratio: {stream: payments}
`

// thirtyDays pushes 31 days of one event batch per minute (100 events):
// one bad event every 20th minute, then an incident of 2% errors over the
// last incident minutes. It returns the clock's time at the end of the
// last minute.
func thirtyDays(t *testing.T, e *engine.Engine, clock *engine.ManualClock, start time.Time, incident int, each func(minute int)) time.Time {
	t.Helper()
	const minutes = 31 * 24 * 60
	var batch []engine.Event
	for i := 0; i < minutes; i++ {
		at := start.Add(time.Duration(i) * time.Minute)
		bad := 0.0
		switch {
		case i >= minutes-incident:
			bad = 2
		case engine.UnixMinute(at)%20 == 0:
			bad = 1
		}
		batch = append(batch, counted("payments", at, 100-bad, 100))
		clock.Set(at.Add(59 * time.Second))
		live := each != nil && i >= minutes-2*24*60 // the last two days minute by minute
		if live || len(batch) == 1440 || i == minutes-1 {
			if err := e.Ingest(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
		if live {
			each(i)
		}
	}
	return clock.Now()
}

func TestThirtyDaysOfEventsGiveHandComputedBudgetAndBurnRates(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	dir := t.TempDir()
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), dir, clock)
	thirtyDays(t, e, clock, start, 360, nil)
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}

	// By hand, over the last 30 days (43,200 minutes of 100 events): the
	// 360 incident minutes have 2 bad events each (720); the other 42,840
	// minutes have one bad event every 20 minutes (2,142).
	const total, bad = 4_320_000.0, 720.0 + 2142.0
	budget := 0.001 * total
	want := map[time.Duration]float64{
		5 * time.Minute: 20, 30 * time.Minute: 20, time.Hour: 20, 2 * time.Hour: 20, 6 * time.Hour: 20,
		24 * time.Hour:     (720 + 1080.0/20) / 144_000 / 0.001,
		3 * 24 * time.Hour: (720 + 3960.0/20) / 432_000 / 0.001,
	}
	check := func(label string, v engine.SLOView) {
		t.Helper()
		st := v.Status
		if st.Counts.Total != total || st.Counts.Bad() != bad {
			t.Errorf("%s: window counts %+v, want total %v, bad %v", label, st.Counts, total, bad)
		}
		if st.SLI == nil || math.Abs(*st.SLI-(1-bad/total)) > 1e-12 {
			t.Errorf("%s: SLI %v, want %v", label, st.SLI, 1-bad/total)
		}
		if !st.Met {
			t.Errorf("%s: objective not met at SLI %v", label, *st.SLI)
		}
		if !near(st.Budget.Total, budget, 1e-6) || !near(st.Budget.Remaining, budget-bad, 1e-6) ||
			!near(st.Budget.RemainingFraction, (budget-bad)/budget, 1e-9) {
			t.Errorf("%s: budget %+v, want total %v remaining %v", label, st.Budget, budget, budget-bad)
		}
		for w, rate := range want {
			got, ok := st.Burn(w)
			if !ok || !near(got, rate, 1e-9) {
				t.Errorf("%s: burn rate over %s = %v (data %v), want %v", label, w, got, ok, rate)
			}
		}
		// At 20× each minute of 100 events spends 2 bad events against an
		// allowance of 0.1; the minutes leaving the window take 0.1 of
		// allowance and 0.05 bad events with them (one bad event in 20
		// minutes). The 1,458 bad events left last 1,458 / 1.95 minutes.
		wantLeft := time.Duration((budget - bad) / 1.95 * float64(time.Minute))
		if st.Exhaustion == nil || (st.Exhaustion.Sub(clock.Now())-wantLeft).Abs() > 2*time.Minute {
			t.Errorf("%s: exhaustion %v, want in %v", label, st.Exhaustion, wantLeft)
		}
	}
	v, _ := e.SLO("checkout/payments")
	check("live", v)

	// Folding old minutes into hours keeps every figure; a restart then
	// restores the same state from the database.
	rows := func() int {
		n := 0
		_ = store.LoadCounts(context.Background(), 0, func(engine.Count) error { n++; return nil })
		return n
	}
	before := rows()
	if err := e.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 44,640 minutes of data: those before the whole hour at or before
	// 3 days and an hour ago become one row per hour; the rest stay.
	cutoff := (44_640 - 1 - (3*24+1)*60) / 60 // in hours from the start
	if after, want := rows(), cutoff+(44_640-cutoff*60); after != want {
		t.Errorf("after compaction %d rows (from %d), want %d", after, before, want)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	e2, store2 := mustEngine(t, mustCatalog(t, paymentsSpec), dir, clock)
	defer store2.Close()
	if err := e2.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v2, _ := e2.SLO("checkout/payments")
	check("restored", v2)
}

func TestPageFiresWithinTheWorkbookDetectionTime(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), t.TempDir(), clock)
	defer store.Close()
	const minutes, incident = 31 * 24 * 60, 300
	fired := map[string]int{}
	thirtyDays(t, e, clock, start, incident, func(i int) {
		if err := e.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, a := range e.Alerts(time.Time{}) {
			if _, seen := fired[a.Rule]; !seen && a.State == engine.AlertFiring {
				fired[a.Rule] = i - (minutes - incident) + 1 // minutes into the incident
			}
		}
	})
	// The Workbook: at burn rate b an alert on factor f over long window L
	// fires after L×f/b. Here the incident (20×) replaces a baseline of
	// 0.5×, so the long window passes f after L×(f-0.5)/(20-0.5) minutes:
	// 43 for the fast page (14.4 over 1h), 102 for the medium (6 over 6h).
	for rule, want := range map[string]float64{"fast": 60 * (14.4 - 0.5) / 19.5, "medium": 360 * (6 - 0.5) / 19.5} {
		got, ok := fired[rule]
		if !ok {
			t.Errorf("%s page never fired; fired: %v", rule, fired)
			continue
		}
		if float64(got) < want || float64(got) > math.Ceil(want)+1 {
			t.Errorf("%s page fired %d minutes into the incident, want about %.0f", rule, got, want)
		}
	}
	if got, ok := fired["slowest"]; ok && got < 0 {
		t.Errorf("the 3-day ticket fired before the incident (minute %d)", got)
	}
}

func TestStaleSourceHoldsAlertsUntilDataReturns(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	var events []engine.Event
	for m := 0; m < 120; m++ {
		events = append(events, counted("payments", start.Add(time.Duration(m)*time.Minute), 0, 100))
	}
	clock.Set(start.Add(119 * time.Minute))
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	e.SetSource("checkout/payments", engine.SourceState{Stale: true, StaleSince: start, Error: "connection refused"})
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Alerts(time.Time{})); n != 0 {
		t.Errorf("%d alerts changed state while the source was stale", n)
	}
	v, _ := e.SLO("checkout/payments")
	if !v.Source.Stale || v.Source.Error != "connection refused" {
		t.Errorf("the SLO does not show its stale source: %+v", v.Source)
	}
	e.SetSource("checkout/payments", engine.SourceState{LastSuccess: clock.Now()})
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); !v.Firing() {
		t.Error("with the source back, a full outage does not fire")
	}
}

// TestQuietHoursDoNotPage: after a busy week, a store opens in the
// morning; three failures among its first fifty payments are a 6% error
// ratio but spend a sliver of the week's budget, so nothing pages. A real
// outage at the same quiet hour still does.
func TestQuietHoursDoNotPage(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	e, store := mustEngine(t, mustCatalog(t, paymentsSpec), t.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	var week []engine.Event
	for h := 0; h < 7*24; h++ {
		week = append(week, counted("payments", start.Add(time.Duration(h)*time.Hour), 60_000, 60_000))
	}
	morning := start.Add(7*24*time.Hour + 7*time.Hour) // after a closed night
	clock.Set(morning)
	if err := e.Ingest(ctx, week[:len(week)-7]); err != nil {
		t.Fatal(err)
	}
	var first []engine.Event
	for m := 0; m < 10; m++ {
		first = append(first, counted("payments", morning.Add(time.Duration(m)*time.Minute), 5, 5))
	}
	first[9] = counted("payments", morning.Add(9*time.Minute), 2, 5) // three failures
	clock.Set(morning.Add(9*time.Minute + 30*time.Second))
	if err := e.Ingest(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); v.Firing() {
		t.Fatalf("three failures at opening time page: %+v", v.Alerts)
	}
	// Every payment fails for the next twenty minutes: that is an outage.
	var outage []engine.Event
	for m := 10; m < 30; m++ {
		outage = append(outage, counted("payments", morning.Add(time.Duration(m)*time.Minute), 0, 300))
	}
	clock.Set(morning.Add(29*time.Minute + 30*time.Second))
	if err := e.Ingest(ctx, outage); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.SLO("checkout/payments"); !v.Firing() {
		t.Error("an outage in quiet hours does not page")
	}
}
