//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// BenchmarkSparseBacklog stores a sparse back-dated backlog as accord
// serve does: 8 clients commit batches of 1,000 counts, one of each of
// 1,000 series, each on its own minute of the last two days (the k-th
// batch's i-th count (2i + 7k) mod 2,879 minutes back, so no two batches
// are alike), while the store merges them in the background; the last
// merge is timed too. An op is the whole backlog, into a new store; it
// reports the time and the process's CPU time per count, which a busy
// machine inflates less than the wall time.
func BenchmarkSparseBacklog(b *testing.B) {
	for _, batches := range []int{1500} { // 1.5 million counts, as the serve benchmark's
		b.Run(fmt.Sprintf("batches=%d", batches), func(b *testing.B) {
			ctx := context.Background()
			const now = 29_000_000 // a Unix minute
			bodies := make([][]engine.Count, batches)
			for k := range bodies {
				bodies[k] = make([]engine.Count, 1000)
				for i := range bodies[k] {
					s := (i*7 + k*13) % 1000
					bodies[k][i] = engine.Count{SLO: fmt.Sprintf("svc-%d/slo-%02d", s/100, s%100), Group: "{}", Kind: engine.KindEvents,
						Minute: now - int64(1+(2*i+7*k)%2879), Counts: engine.Counts{Good: float64(1 - (i+k)%97/96), Total: 1}}
				}
			}
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				s, err := Open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				before := testenv.ProcessCPU()
				b.StartTimer()
				var wg sync.WaitGroup
				next := make(chan []engine.Count)
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for counts := range next {
							if err := s.AddCounts(ctx, counts); err != nil {
								b.Error(err)
							}
						}
					}()
				}
				for _, counts := range bodies {
					next <- counts
				}
				close(next)
				wg.Wait()
				if err := s.Flush(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += testenv.ProcessCPU() - before
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batches*1000), "ns/count")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*batches*1000), "cpu-ns/count")
		})
	}
}
