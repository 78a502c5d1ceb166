package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/spec"
)

// manySLOs is a catalog of n pushed SLOs with 30-day windows.
func manySLOs(tb testing.TB, n int) *spec.Result {
	var b strings.Builder
	b.WriteString("apiVersion: accord/v1\nkind: Service\nmetadata: {name: bench}\nspec:\n  owners: {team: bench}\n  slos:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    - {name: slo-%d, objective: 99.9, window: 30d, indicator: {ratio: {stream: s%d}}}\n", i, i)
	}
	res := spec.LoadBytes("bench.yaml", []byte(b.String()))
	if res.Diags.HasErrors() {
		tb.Fatal("bench spec has errors")
	}
	return res
}

// BenchmarkEvaluate10kSLOsPostgres times, on PostgreSQL, one evaluation
// of 10,000 SLOs with a day of data each by the leader (every window sum,
// budget, burn rate and alert rule; the first evaluation also saves 10,000
// policy states), and one cycle of a follower: pulling the changes and
// following the leader's states.
func BenchmarkEvaluate10kSLOsPostgres(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	url := pg.Database(b)
	res := manySLOs(b, n)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(24 * time.Hour))
	store := mustOpen(b, url)
	if ok, err := store.Campaign(ctx, time.Hour); err != nil || !ok {
		b.Fatalf("campaign: %v %v", ok, err)
	}
	leader := engine.New(engine.Options{Catalog: res.Catalog, Store: store, Clock: clock})
	if err := leader.Restore(ctx); err != nil {
		b.Fatal(err)
	}
	var counts []engine.Count
	for i := 0; i < n; i++ {
		for m := int64(0); m < 24*60; m += 10 {
			counts = append(counts, engine.Count{SLO: fmt.Sprintf("bench/slo-%d", i), Group: "{}", Kind: engine.KindEvents,
				Minute: engine.UnixMinute(start) + m, Counts: engine.Counts{Good: 999, Total: 1000}})
		}
	}
	for len(counts) > 0 {
		chunk := counts[:min(len(counts), 100_000)]
		counts = counts[len(chunk):]
		if err := leader.Record(ctx, chunk); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	if err := leader.Evaluate(ctx); err != nil {
		b.Fatal(err)
	}
	first := time.Since(t0)

	followerStore := mustOpen(b, url)
	follower := engine.New(engine.Options{Catalog: res.Catalog, Store: followerStore, Clock: clock})
	t0 = time.Now()
	if err := follower.Restore(ctx); err != nil {
		b.Fatal(err)
	}
	restore := time.Since(t0)

	b.Run("leader", func(b *testing.B) {
		for b.Loop() {
			clock.Advance(time.Minute)
			if err := leader.Evaluate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
		b.ReportMetric(float64(first.Milliseconds()), "ms-first-evaluation")
	})
	b.Run("follower", func(b *testing.B) {
		for b.Loop() {
			clock.Advance(time.Minute)
			ch, err := followerStore.PullChanges(ctx)
			if err != nil {
				b.Fatal(err)
			}
			follower.Apply(ch.Counts)
			if err := follower.Follow(ctx, true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
		b.ReportMetric(float64(restore.Milliseconds()), "ms-restore-1.44M-counts")
	})
}
