package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
)

// BenchmarkIngestPostgres pushes batches of 1,000 single events over HTTP
// to one or three replicas on one PostgreSQL, which store them durably
// (fsync per commit) before answering 202; clients take the replicas in
// turn. Each event counts for two SLOs, one grouped by 140 stores. It
// reports events/s.
func BenchmarkIngestPostgres(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			url := pg.Database(b)
			spec := writeSpec(b, benchSpec)
			var urls []string
			for i := 0; i < n; i++ {
				a := startApp(b, app.Options{SpecPaths: []string{spec}, Database: url, Addr: "127.0.0.1:0", Token: "tok",
					EvalInterval: time.Second})
				b.Cleanup(func() { a.Close() })
				urls = append(urls, a.URL())
			}
			pushParallel(b, urls, ingestBatch(false))
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
		})
	}
}
