package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// backlogBody is the k-th batch of 1,000 events of a mode, over 1,000
// streams, no two batches alike: current events are stamped now; a dense
// backlog's batch is one minute up to two days back; a sparse backlog's
// events each fall on their own minute of the two days.
func backlogBody(mode string, k int, now time.Time) []byte {
	var b bytes.Buffer
	for i := 0; i < 1000; i++ {
		var at time.Time
		switch mode {
		case "current":
			at = now
		case "dense":
			at = now.Add(-time.Duration(1+(45*k)%2879) * time.Minute)
		default:
			at = now.Add(-time.Duration(1+(2*i+7*k)%2879) * time.Minute)
		}
		stream := (i*7 + k*13) % 1000
		outcome := "good"
		if (i+k)%97 == 0 {
			outcome = "bad"
		}
		fmt.Fprintf(&b, `{"stream":"s%03d-%03d","time":%q,"outcome":%q,"latency_ms":%d}`+"\n",
			stream/100, stream%100, at.Format(time.RFC3339), outcome, 20+(i*k)%500)
	}
	return b.Bytes()
}

// TestBacklogAgainstCurrent pushes batches of 1,000 events from 8 clients
// into a real accord serve of 1,000 SLOs: current events, then a dense
// and a sparse back-dated backlog, each into a new server, and reports
// events/s and the batches' latency. With ACCORD_BASE_BIN it runs that
// binary the same way, alternating, for a side-by-side ratio.
//
// With ACCORD_SCALE_PACE=f (say 0.5) the backlogs are not pushed as fast
// as 8 clients can but offered at f times the rate of current events (the
// mean of the binaries' in this run, so each gets the same load): a batch
// is sent every 1/rate seconds whatever the answers, by up to 64 clients,
// and its latency counts from when it was due, so a server that falls
// behind shows it. A benchmark, not part of go test ./...: ACCORD_SCALE=1
// (docs/benchmarks.md).
func TestBacklogAgainstCurrent(t *testing.T) {
	if os.Getenv("ACCORD_SCALE") == "" {
		t.Skip("a benchmark: set ACCORD_SCALE=1 to run it")
	}
	batches := 600
	if n, _ := strconv.Atoi(os.Getenv("ACCORD_SCALE_BATCHES")); n > 0 {
		batches = n
	}
	bins, order := scaleBinaries(t)
	pace, _ := strconv.ParseFloat(os.Getenv("ACCORD_SCALE_PACE"), 64)
	spec := []byte(scaleSpec(10, 100))
	rates := map[string]float64{}
	for _, mode := range []string{"current", "sparse", "dense"} {
		for _, name := range order {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), spec, 0o644); err != nil {
				t.Fatal(err)
			}
			addr := testenv.FreeAddr(t)
			p := serveWithin(t, bins[name], dir, addr, 5*time.Minute)
			now := time.Now().UTC().Add(-time.Minute)
			bodies := make([][]byte, batches)
			for k := range bodies {
				bodies[k] = backlogBody(mode, k, now)
			}
			clients, offered := 8, 0.0 // batches a second; 0: as fast as the clients go
			if pace > 0 && mode != "current" {
				var sum float64
				for _, n := range order {
					sum += rates["current/"+n]
				}
				clients, offered = 64, pace*sum/float64(len(order))/1000
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			latencies := make([]time.Duration, batches)
			var next atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						k := int(next.Add(1)) - 1
						if k >= batches {
							return
						}
						req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/events", bytes.NewReader(bodies[k]))
						req.Header.Set("Authorization", "Bearer t0ken")
						sent := time.Now()
						if offered > 0 {
							sent = start.Add(time.Duration(float64(k) / offered * float64(time.Second)))
							time.Sleep(time.Until(sent))
						}
						resp, err := client.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						resp.Body.Close()
						latencies[k] = time.Since(sent)
						if resp.StatusCode != http.StatusAccepted {
							t.Errorf("batch %d: %s", k, resp.Status)
							return
						}
					}
				}()
			}
			wg.Wait()
			took := time.Since(start)
			slices.Sort(latencies)
			rate := float64(batches*1000) / took.Seconds()
			rates[mode+"/"+name] = rate
			how := "8 clients"
			if offered > 0 {
				how = fmt.Sprintf("offered %.0f events/s", offered*1000)
			}
			load, _ := os.ReadFile("/proc/loadavg")
			t.Logf("%s %s (%s; load %s): %d batches in %s, %.0f events/s; batch latency p50 %s, p99 %s, max %s", name, mode, how,
				strings.Join(strings.Fields(string(load))[:3], " "), batches,
				took.Round(time.Millisecond), rate, latencies[batches/2].Round(time.Millisecond),
				latencies[batches*99/100].Round(time.Millisecond), latencies[batches-1].Round(time.Millisecond))
			_ = p.Cmd.Process.Signal(syscall.SIGTERM)
			_ = p.Cmd.Wait()
		}
	}
	for _, name := range order {
		t.Logf("%s: sparse backlog %.2f× current, dense %.2f×", name,
			rates["sparse/"+name]/rates["current/"+name], rates["dense/"+name]/rates["current/"+name])
	}
}
