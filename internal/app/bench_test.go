package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

// benchSpec is the web package's ingest benchmark spec: every event counts
// for a per-store ratio SLO and a latency SLO.
const benchSpec = `apiVersion: accord/v1
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

// BenchmarkIngestHTTPServing is BenchmarkIngestHTTP of internal/web against
// the whole server as accord serve runs it: the background loops run and
// every push is evaluated promptly beside the ingest. It reports events/s
// and how many prompt evaluations the pushes caused.
func BenchmarkIngestHTTPServing(b *testing.B) {
	clock := engine.NewManualClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	dir := b.TempDir()
	a, err := app.New(b.Context(), app.Options{SpecPaths: []string{writeSpecIn(b, dir, benchSpec)}, DataDir: dir,
		Addr: "127.0.0.1:0", Token: "tok", Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	batch := ingestBatch(true)
	before := scrapeMetric(b, a.URL(), "accord_prompt_evaluations_total")
	pushParallel(b, []string{a.URL()}, batch)
	b.StopTimer()
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric((scrapeMetric(b, a.URL(), "accord_prompt_evaluations_total")-before)/float64(b.N), "evals/push")
}

// ingestBatch is the body of one push: 1,000 events of 140 stores with
// their latencies, at minutes of 11:00 to 11:59 of the benchmarks' day
// when timed, else at the server's now.
func ingestBatch(timed bool) []byte {
	var body bytes.Buffer
	for i := 0; i < 1000; i++ {
		at := ""
		if timed {
			at = fmt.Sprintf(`"time":"2026-11-02T11:%02d:%02dZ",`, i%60, i%60)
		}
		fmt.Fprintf(&body, `{"stream":"payments",%s"labels":{"store":"s%d"},"outcome":"good","latency_ms":%d}`+"\n", at, i%140, 50+i%400)
	}
	return body.Bytes()
}

// pushParallel pushes batch b.N times from 8 goroutines per CPU, each
// goroutine to one of urls in turn, and fails on any answer but 202.
func pushParallel(b *testing.B, urls []string, batch []byte) {
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
}
