package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
)

const ingestSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: payments
      objective: 99
      window: 7d
      indicator: {ratio: {stream: payments}}
      groupBy: [store]
    - name: latency
      objective: 95
      window: 7d
      indicator: {latency: {stream: payments, threshold: 300ms}}
`

// BenchmarkIngestPostgres pushes batches of 1,000 single events over HTTP
// to one or three replicas on one PostgreSQL, which store them durably
// (fsync per commit) before answering 202; clients take the replicas in
// turn. Each event counts for two SLOs, one grouped by 140 stores. It
// reports events/s.
func BenchmarkIngestPostgres(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			url := pg.Database(b)
			spec := writeSpec(b, ingestSpec)
			var urls []string
			for i := 0; i < n; i++ {
				a := startApp(b, app.Options{SpecPaths: []string{spec}, Database: url, Addr: "127.0.0.1:0", Token: "tok",
					EvalInterval: time.Second})
				b.Cleanup(func() { a.Close() })
				urls = append(urls, a.URL())
			}
			var body bytes.Buffer
			for i := 0; i < 1000; i++ {
				fmt.Fprintf(&body, `{"stream":"payments","labels":{"store":"s%d"},"outcome":"good","latency_ms":%d}`+"\n", i%140, 50+i%400)
			}
			batch := body.Bytes()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			next := make(chan int, 1)
			next <- 0
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := <-next
				next <- i + 1
				target := urls[i%len(urls)] + "/api/v1/events"
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(batch))
					req.Header.Set("Authorization", "Bearer tok")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
		})
	}
}
