package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/web"
)

// BenchmarkIngestHTTP pushes batches of 1,000 single events over HTTP to a
// server that stores them durably (SQLite, fsync per group commit) before
// answering 202. It reports events/s.
func BenchmarkIngestHTTP(b *testing.B) {
	e, store, _ := mustEngine(b, testSpec, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock())}))
	defer srv.Close()
	var body bytes.Buffer
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&body, `{"stream":"payments","time":"2026-11-02T11:%02d:%02dZ","labels":{"store":"s%d"},"outcome":"good","latency_ms":%d}`+"\n",
			i%60, i%60, i%140, 50+i%400)
	}
	batch := body.Bytes()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/events", bytes.NewReader(batch))
			req.Header.Set("Authorization", "Bearer "+token)
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
}
