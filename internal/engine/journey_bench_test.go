package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// BenchmarkEvaluate10kSLOsAnd1kJourneys is BenchmarkEvaluate10kSLOs with
// 1,000 journeys besides, each over 10 of the SLOs (occurrences, a day of
// data counted in as it was recorded): what journeys add to an
// evaluation.
func BenchmarkEvaluate10kSLOsAnd1kJourneys(b *testing.B) {
	const n, journeys = 10_000, 1_000
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(24 * time.Hour))
	cat := mustCatalog(b, manySLOs(n))
	for j := range journeys {
		var c slo.Composite
		for k := range n / journeys {
			c.Components = append(c.Components, slo.Component{SLO: fmt.Sprintf("bench/slo-%d", j*(n/journeys)+k), Weight: float64(k + 1)})
		}
		cat = withJourney(b, cat, "bench/slo-0", fmt.Sprintf("journey-%d", j), c)
	}
	e, store := mustEngine(b, cat, b.TempDir(), clock)
	defer store.Close()
	var counts []engine.Count
	for i := 0; i < n; i++ {
		for m := int64(0); m < 24*60; m += 10 {
			counts = append(counts, engine.Count{SLO: fmt.Sprintf("bench/slo-%d", i), Group: "{}", Kind: engine.KindEvents,
				Minute: engine.UnixMinute(start) + m, Counts: engine.Counts{Good: 999, Total: 1000}})
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		clock.Advance(time.Minute)
		if err := e.Evaluate(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
	b.StopTimer()
	if v, _ := e.SLO("bench/journey-0"); v.Status.Counts.Total != 55*1000*24*6 {
		b.Fatalf("journey-0 counts %+v, want its 10 components' weighted sums", v.Status.Counts)
	}
}

// lateMonthSpec has two pushed SLOs over 30 days, for a journey over them.
const lateMonthSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: scan, objective: 99, window: 30d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 30d, indicator: {ratio: {stream: pay}}}
`

// BenchmarkEvaluateAJourneyWithAComponentLateFor29Days evaluates, a
// minute apart, a 30-day journey whose pay component stopped 29 days ago
// (countAsBad, maxDelay 15m) while scan goes on, a count every minute: the
// stand-in covers about 41,000 minutes, and pay's traffic varies, so its
// rate moves as the window does.
func BenchmarkEvaluateAJourneyWithAComponentLateFor29Days(b *testing.B) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(30*24*time.Hour + time.Hour))
	e := lateJourney(b, lateMonthSpec, "checks-out", "checkout/scan", "checkout/pay", slo.CountAsBad, clock)
	ctx := context.Background()
	first := engine.UnixMinute(start)
	now := engine.UnixMinute(clock.Now())
	var counts []engine.Count
	for m := first; m < now; m++ {
		counts = append(counts, engine.Count{SLO: "checkout/scan", Group: "{}", Kind: engine.KindEvents, Minute: m, Counts: engine.Counts{Good: 10, Total: 10}})
		if m < first+24*60 {
			total := float64(10 + m%7)
			counts = append(counts, engine.Count{SLO: "checkout/pay", Group: "{}", Kind: engine.KindEvents, Minute: m, Counts: engine.Counts{Good: total - 1, Total: total}})
		}
	}
	if err := e.Record(ctx, counts); err != nil {
		b.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		b.Fatal(err)
	}
	if v, _ := e.SLO("checkout/checks-out"); len(v.Components) != 2 || !v.Components[1].Delayed {
		b.Fatalf("pay is not late: %+v", v.Components)
	}
	for b.Loop() {
		clock.Advance(time.Minute)
		m := engine.UnixMinute(clock.Now()) - 1
		// Counted as a replica counts another's, so the store's commit
		// is not measured.
		e.Apply([]engine.Count{{SLO: "checkout/scan", Group: "{}", Kind: engine.KindEvents, Minute: m, Counts: engine.Counts{Good: 10, Total: 10}}})
		if err := e.Evaluate(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
