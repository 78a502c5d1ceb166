package sqlite

import (
	"context"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// BenchmarkLoadCounts reads back what a restart restores: 200 series
// (100 SLOs' events and slices) of 5,000 minutes each, a million counts,
// with 2,000 of them still pending. It reports the time and the CPU time
// (both cores' worth) per count.
func BenchmarkLoadCounts(b *testing.B) {
	ctx := context.Background()
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const slos, minutes = 100, 5000
	fillCounts(b, s.write, slos, 1, minutes)
	var late []engine.Count
	for i := range 2000 {
		late = append(late, engine.Count{SLO: "svc/slo-0042", Group: `{"g":"0"}`, Kind: engine.KindEvents,
			Minute: int64(600000 + minutes + i), Counts: engine.Counts{Good: 1, Total: 1}})
	}
	if err := s.AddCounts(ctx, late); err != nil {
		b.Fatal(err)
	}
	want := 2*slos*minutes + len(late)
	b.ResetTimer()
	cpu := testenv.ProcessCPU()
	for range b.N {
		n := 0
		var total float64
		err := s.LoadCounts(ctx, 0, func(c engine.Count) error {
			n++
			total += c.Total
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != want || total == 0 {
			b.Fatalf("loaded %d counts (total %g), want %d", n, total, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want), "ns/count")
	b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Nanoseconds())/float64(b.N*want), "cpu-ns/count")
}
