package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
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

// benchBody is n single events, each a minute apart going back from at
// over span (0: all at at), each line led by pad spaces.
func benchBody(n int, at time.Time, span time.Duration, pad int) []byte {
	var body bytes.Buffer
	minutes := max(int(span/time.Minute), 1)
	for i := 0; i < n; i++ {
		t := at.Add(-time.Duration(i%minutes) * time.Minute)
		body.WriteString(strings.Repeat(" ", pad))
		fmt.Fprintf(&body, `{"stream":"payments","time":%q,"labels":{"store":"s%d"},"outcome":"good","latency_ms":%d}`+"\n",
			t.Format(time.RFC3339), i%140, 50+i%400)
	}
	return body.Bytes()
}

// backlogStreams is how many streams the back-dated benchmark spreads its
// events over, each measured by one ratio SLO with a 7-day window.
const backlogStreams = 1000

// backlogSpec is the back-dated benchmark's SLOs: one per stream.
func backlogSpec() string {
	var b strings.Builder
	b.WriteString("apiVersion: accord/v1\nkind: Service\nmetadata: {name: tills}\nspec:\n  owners: {team: pos}\n  slos:\n")
	for i := 0; i < backlogStreams; i++ {
		fmt.Fprintf(&b, "    - {name: till-%03d, objective: 99.9, window: 7d, indicator: {ratio: {stream: till-%03d}}}\n", i, i)
	}
	return b.String()
}

// backlogBody is the k-th batch of 1,000 events of a mode, every event on
// a stream of its own out of 1,000 (shifted by k, so no two batches are
// alike). Current events are stamped now; a dense backlog's batch is one
// minute up to two days back; in a sparse backlog the j-th event sent
// (j = 1000k + i) is 7919·j mod 2880 minutes back: 7919 is prime to 2880,
// so any 2,880 consecutive events, and so each batch's 1,000, fall on
// minutes of their own over the whole two days.
func backlogBody(mode string, k int64, now time.Time) []byte {
	var b bytes.Buffer
	for i := int64(0); i < 1000; i++ {
		at := now
		switch mode {
		case "back-dated-dense":
			at = now.Add(-time.Duration(1+(45*k)%2879) * time.Minute)
		case "back-dated-spread":
			at = now.Add(-time.Duration((7919*(1000*k+i))%2880) * time.Minute)
		}
		outcome := "good"
		if (i+k)%97 == 0 {
			outcome = "bad"
		}
		fmt.Fprintf(&b, `{"stream":"till-%03d","time":%q,"outcome":%q}`+"\n", (i+k)%backlogStreams, at.Format(time.RFC3339), outcome)
	}
	return b.Bytes()
}

// The back-dated benchmark's input is what its name and docs say: 1,000
// streams in every batch, batches all different, and in the sparse
// backlog each event of a batch on its own minute, the minutes reaching
// over the two days.
func TestBacklogBenchmarkInputIsWhatItSays(t *testing.T) {
	now := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	for _, mode := range []string{"current", "back-dated-dense", "back-dated-spread"} {
		bodies := map[[32]byte]bool{}
		allMinutes := map[time.Time]bool{}
		for k := int64(0); k < 1000; k++ {
			body := backlogBody(mode, k, now)
			bodies[sha256.Sum256(body)] = true
			if k > 2 && k%97 != 0 {
				continue // three batches in a row cover the two days; a sample of the rest
			}
			events, err := decodeBenchBody(body)
			if err != nil {
				t.Fatal(err)
			}
			streams, minutes := map[string]bool{}, map[time.Time]bool{}
			for _, ev := range events {
				streams[ev.Stream] = true
				minutes[ev.Time] = true
				allMinutes[ev.Time] = true
				if age := now.Sub(ev.Time); age < 0 || age >= 48*time.Hour {
					t.Fatalf("%s batch %d: an event %s old, want within two days", mode, k, age)
				}
			}
			if len(events) != 1000 || len(streams) != backlogStreams {
				t.Fatalf("%s batch %d: %d events on %d streams, want 1,000 on 1,000", mode, k, len(events), len(streams))
			}
			if mode == "back-dated-spread" && len(minutes) != 1000 {
				t.Fatalf("%s batch %d: %d distinct minutes, want each event on its own", mode, k, len(minutes))
			}
		}
		if len(bodies) != 1000 {
			t.Errorf("%s: %d distinct bodies among 1,000 batches, want all different", mode, len(bodies))
		}
		if mode == "back-dated-spread" && len(allMinutes) != 2880 {
			t.Errorf("%s: the batches cover %d minutes, want all 2,880 of two days", mode, len(allMinutes))
		}
	}
}

// decodeBenchBody reads a benchmark's NDJSON body.
func decodeBenchBody(body []byte) ([]engine.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var out []engine.Event
	for dec.More() {
		var ev engine.Event
		if err := dec.Decode(&ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// BenchmarkIngestBackdated compares batches of 1,000 events stamped now
// with a backlog replayed after an outage, over HTTP to a durable store,
// all over 1,000 streams (one SLO each), no two batches alike (see
// backlogBody): batches each of one minute up to two days back (dense),
// and batches whose events each fall on their own minute of the two days
// (spread). Counts the store has yet to merge into its table are merged
// within the timing, so the rate is what a long backlog gets. It reports
// events/s and the CPU time per batch (client and server share the
// process), which a busy machine disturbs less.
func BenchmarkIngestBackdated(b *testing.B) {
	now := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	spec := backlogSpec()
	for _, mode := range []string{"current", "back-dated-dense", "back-dated-spread"} {
		b.Run(mode, func(b *testing.B) {
			e, store, _ := mustEngine(b, spec, now)
			srv := httptest.NewServer(web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock())}))
			defer srv.Close()
			bodies := make([][]byte, min(b.N, 1000))
			for k := range bodies {
				bodies[k] = backlogBody(mode, int64(k), now)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var next atomic.Int64
			b.SetParallelism(8)
			cpu := testenv.ProcessCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := bodies[(next.Add(1)-1)%int64(len(bodies))]
					if code := postBatch(client, srv.URL, body); code != http.StatusAccepted {
						b.Errorf("status %d", code)
						return
					}
				}
			})
			if err := store.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/batch")
		})
	}
}

// BenchmarkIngest100kBody times one request of 100,000 events, the most
// one may carry, as lines or padded with 200 spaces each.
func BenchmarkIngest100kBody(b *testing.B) {
	now := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	for _, pad := range []int{0, 200} {
		b.Run(fmt.Sprintf("pad-%d", pad), func(b *testing.B) {
			e, store, _ := mustEngine(b, testSpec, now)
			srv := httptest.NewServer(web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock()), MaxBodyBytes: 64 << 20}))
			defer srv.Close()
			body := benchBody(100_000, now, 48*time.Hour, pad)
			b.SetBytes(int64(len(body)))
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				if code := postBatch(http.DefaultClient, srv.URL, body); code != http.StatusAccepted {
					b.Fatalf("status %d", code)
				}
			}
			b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

func postBatch(client *http.Client, url string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// BenchmarkSLOPage10k answers one page of 100 SLOs among 10,000, each with
// data, evaluated: GET /api/v1/slos?limit=100 from the middle of the list,
// encoded whole.
func BenchmarkSLOPage10k(b *testing.B) {
	var spec strings.Builder
	for svc := 0; svc < 100; svc++ {
		fmt.Fprintf(&spec, "---\napiVersion: accord/v1\nkind: Service\nmetadata: {name: svc-%02d}\nspec:\n  owners: {team: team-%02d}\n  slos:\n", svc, svc%20)
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&spec, "    - {name: slo-%02d, objective: 99.9, window: 30d, indicator: {ratio: {stream: s%d-%d}}}\n", i, svc, i)
		}
	}
	now := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	e, store, _ := mustEngine(b, spec.String(), now)
	var counts []engine.Count
	for svc := 0; svc < 100; svc++ {
		for i := 0; i < 100; i++ {
			for m := int64(1); m <= 10; m++ {
				counts = append(counts, engine.Count{SLO: fmt.Sprintf("svc-%02d/slo-%02d", svc, i), Group: "{}", Kind: engine.KindEvents,
					Minute: engine.UnixMinute(now) - m, Counts: engine.Counts{Good: float64(1000 - (svc+i)%7), Total: 1000}})
			}
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		b.Fatal(err)
	}
	if err := store.Flush(context.Background()); err != nil { // not during the timing
		b.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock())})
	// The cursor of the 50th page.
	url := "/api/v1/slos?limit=100"
	for range 49 {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		var page struct{ Next string }
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Next == "" {
			b.Fatalf("a first page: %d %v", rec.Code, err)
		}
		url = "/api/v1/slos?limit=100&cursor=" + page.Next
	}
	cpu := testenv.ProcessCPU()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		b.SetBytes(int64(rec.Body.Len()))
	}
	b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
