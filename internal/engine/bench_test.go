package engine_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// manySLOs is a spec of n pushed SLOs with 30-day windows.
func manySLOs(n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: accord/v1\nkind: Service\nmetadata: {name: bench}\nspec:\n  owners: {team: bench}\n  slos:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    - {name: slo-%d, objective: 99.9, window: 30d, indicator: {ratio: {stream: s%d}}}\n", i, i)
	}
	return b.String()
}

// BenchmarkEvaluate10kSLOs times one evaluation of 10,000 SLOs with a
// day of data each: every window sum, budget, burn rate, alert rule and
// forecast. "spent" SLOs burn at exactly 1 (999 good of 1,000 against
// 99.9%), so every rule's burn is a near-tie decided exactly and no
// budget is left to forecast; "healthy" ones burn at 0.5 (9,995 of
// 10,000), so every budget lasts and the forecast reads the whole window.
func BenchmarkEvaluate10kSLOs(b *testing.B) {
	for _, c := range []struct {
		name        string
		good, total float64
	}{{"spent", 999, 1000}, {"healthy", 9995, 10000}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 10_000
			start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			clock := engine.NewManualClock(start.Add(24 * time.Hour))
			e, store := mustEngine(b, mustCatalog(b, manySLOs(n)), b.TempDir(), clock)
			defer store.Close()
			var counts []engine.Count
			for i := 0; i < n; i++ {
				for m := int64(0); m < 24*60; m += 10 {
					counts = append(counts, engine.Count{SLO: fmt.Sprintf("bench/slo-%d", i), Group: "{}", Kind: engine.KindEvents,
						Minute: engine.UnixMinute(start) + m, Counts: engine.Counts{Good: c.good, Total: c.total}})
				}
			}
			if err := e.Record(context.Background(), counts); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			// Merged now, not by the store's own merge during the timed cycles.
			if err := store.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				clock.Advance(time.Minute)
				if err := e.Evaluate(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
			// CPU time, which a busy machine's other work does not add to.
			b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/cycle")
		})
	}
}

// BenchmarkMemoryPerSLO measures the heap one 30-day SLO takes once it
// holds an hour of data, and once it holds the whole window of one-minute
// data: every minute of 31 days, 1 to 1,000 events a minute with a few bad.
func BenchmarkMemoryPerSLO(b *testing.B) {
	const n = 1_000
	cat := mustCatalog(b, manySLOs(n))
	for _, c := range []struct {
		name       string
		span, step time.Duration
	}{{"1h", time.Hour, time.Minute}, {"30d", 31 * 24 * time.Hour, time.Minute}} {
		b.Run(c.name, func(b *testing.B) {
			start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			for b.Loop() {
				clock := engine.NewManualClock(start.Add(c.span))
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				e := engine.New(engine.Options{Catalog: cat, Store: nopStore{}, Clock: clock})
				var counts []engine.Count
				for i := 0; i < n; i++ {
					id := fmt.Sprintf("bench/slo-%d", i)
					for at := start; at.Before(start.Add(c.span)); at = at.Add(c.step) {
						m := engine.UnixMinute(at)
						total := float64(1 + (m*7919+int64(i)*104729)%1000)
						counts = append(counts, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents,
							Minute: m, Counts: engine.Counts{Good: total - float64(m%3), Total: total}})
					}
					if len(counts) > 100_000 {
						_ = e.Record(context.Background(), counts)
						counts = counts[:0]
					}
				}
				_ = e.Record(context.Background(), counts)
				counts = nil
				_ = e.Evaluate(context.Background())
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/SLO")
				runtime.KeepAlive(e)
			}
		})
	}
}

// nopStore keeps nothing, so the memory benchmark sees the engine alone.
type nopStore struct{}

func (nopStore) AddCounts(context.Context, []engine.Count) error { return nil }
func (nopStore) AddSlices(context.Context, []engine.Count) error { return nil }
func (nopStore) LoadCounts(context.Context, int64, func(engine.Count) error) error {
	return nil
}
func (nopStore) SaveAlerts(context.Context, []engine.Alert, []engine.Notification) error { return nil }
func (nopStore) LoadAlerts(context.Context) ([]engine.Alert, error)                      { return nil, nil }
func (nopStore) SavePolicyStates(context.Context, []engine.PolicyRecord, []engine.Notification) error {
	return nil
}
func (nopStore) LoadPolicyStates(context.Context) ([]engine.PolicyRecord, error) { return nil, nil }
func (nopStore) Prune(context.Context, int64) error                              { return nil }
func (nopStore) Compact(context.Context, int64) error                            { return nil }

// BenchmarkSeriesWindow times one window sum.
func BenchmarkSeriesWindow(b *testing.B) {
	s := engine.NewSeries(30 * 24 * time.Hour)
	for m := int64(0); m < 30*24*60; m++ {
		s.Add(29_000_000+m, engine.Counts{Good: 1, Total: 1})
	}
	head := int64(29_000_000 + 30*24*60 - 1)
	var sink engine.Counts
	for b.Loop() {
		sink = s.Window(head, 30*24*time.Hour)
	}
	_ = sink
}

// BenchmarkRestore10kSLOs times reading an hour of stored counts of 10,000
// SLOs (600,000 rows) back into a new engine, as accord serve does at
// start.
func BenchmarkRestore10kSLOs(b *testing.B) {
	const n = 10_000
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	cat := mustCatalog(b, manySLOs(n))
	dir := b.TempDir()
	e, store := mustEngine(b, cat, dir, clock)
	var counts []engine.Count
	for i := 0; i < n; i++ {
		for m := int64(0); m < 60; m++ {
			counts = append(counts, engine.Count{SLO: fmt.Sprintf("bench/slo-%d", i), Group: "{}", Kind: engine.KindEvents,
				Minute: engine.UnixMinute(start) + m, Counts: engine.Counts{Good: 999, Total: 1000}})
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		b.Fatal(err)
	}
	// As a store closed cleanly leaves them: every count in the table.
	if err := store.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		e := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock})
		if err := e.Restore(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	store.Close()
}

// BenchmarkEvaluate10kSLOsUnderIngest times one evaluation of the 10,000
// SLOs of BenchmarkEvaluate10kSLOs while eight clients ingest a sparse
// back-dated backlog as fast as they can: batches of 1,000 events, each
// on its own minute of the last two days, over all the streams, stored
// durably. It reports the evaluation's time and how much of it went on
// waiting for the engine's lock, the events ingested meanwhile, and the
// 99th percentile of a batch's time (of the batches taken while the
// evaluations ran).
func BenchmarkEvaluate10kSLOsUnderIngest(b *testing.B) {
	const n = 10_000
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := start.Add(3 * 24 * time.Hour)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(b, mustCatalog(b, manySLOs(n)), b.TempDir(), clock)
	defer store.Close()
	ctx := context.Background()
	batch := func(k int) []engine.Event {
		out := make([]engine.Event, 1000)
		for i := range out {
			outcome := "good"
			if (i+k)%97 == 0 {
				outcome = "bad"
			}
			out[i] = engine.Event{Stream: fmt.Sprintf("s%d", (k*1000+i*7)%n),
				Time: now.Add(-time.Duration(1+(2*i+7*k)%2879) * time.Minute), Outcome: outcome}
		}
		return out
	}
	batches := make([][]engine.Event, 64)
	for k := range batches {
		batches[k] = batch(k)
	}
	// Every SLO with data, evaluated once before the timing.
	for k := 0; k < 10; k++ {
		if err := e.Ingest(ctx, batches[k]); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Evaluate(ctx); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var ingested atomic.Int64
	var wg sync.WaitGroup
	took := make([][]time.Duration, 8) // each client's batches' latency
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := c; ; k += 8 {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if err := e.Ingest(ctx, batches[k%len(batches)]); err != nil {
					b.Error(err)
					return
				}
				took[c] = append(took[c], time.Since(start))
				ingested.Add(1000)
			}
		}()
	}
	b.ResetTimer()
	waited := engine.EvalLockWait(e)
	for b.Loop() {
		if err := e.Evaluate(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	waited = engine.EvalLockWait(e) - waited
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
	b.ReportMetric(float64(ingested.Load())/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(waited.Milliseconds())/float64(b.N), "lock-wait-ms/cycle")
	all := slices.Concat(took...)
	if len(all) > 0 {
		slices.Sort(all)
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-batch-ms")
	}
}

// BenchmarkSeriesAddMany adds one point to each of 1,000 series with
// 30-day windows and two days of data, as an ingested batch of 1,000
// events does: "current" at the newest minute, "sparse" each on its own
// minute of the two days (the i-th series' point of the k-th batch
// (2i + 7k) mod 2,879 minutes back), good or, one in 97, bad. An op is
// one batch. "backlog" is one series given the sparse backlog's 1,500
// scattered points one at a time from empty, as the backlog benchmark of
// accord serve gives each of its series, rings growing as they go: an op
// is the series' whole backlog.
func BenchmarkSeriesAddMany(b *testing.B) {
	const head = int64(29_000_000)
	b.Run("backlog", func(b *testing.B) {
		point := make([]engine.MinuteCounts, 1)
		for b.Loop() {
			s := engine.NewSeries(30 * 24 * time.Hour)
			for k := range 1500 {
				point[0] = engine.MinuteCounts{Minute: head - int64(1+(2*7+7*k)%2879), Counts: engine.Counts{Good: 1, Total: 1}}
				s.AddMany(point)
			}
		}
	})
	for _, mode := range []string{"current", "sparse"} {
		b.Run(mode, func(b *testing.B) {
			series := make([]*engine.Series, 1000)
			for i := range series {
				series[i] = engine.NewSeries(30 * 24 * time.Hour)
				series[i].Add(head-2879, engine.Counts{Good: 1, Total: 1})
				series[i].Add(head, engine.Counts{Good: 1, Total: 1})
			}
			point := make([]engine.MinuteCounts, 1)
			k := 0
			for b.Loop() {
				for i, s := range series {
					m := head
					if mode == "sparse" {
						m = head - int64(1+(2*i+7*k)%2879)
					}
					point[0] = engine.MinuteCounts{Minute: m, Counts: engine.Counts{Good: float64(1 - (i+k)%97/96), Total: 1}}
					s.AddMany(point)
				}
				k++
			}
		})
	}
}
