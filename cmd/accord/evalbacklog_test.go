package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// sparseBody10k is the k-th batch of a sparse back-dated backlog over the
// 10,000 streams of scaleSpec(100, 100): 1,000 events, each on its own
// minute of the last two days, no two batches alike.
func sparseBody10k(k int, now time.Time) []byte {
	var b bytes.Buffer
	for i := 0; i < 1000; i++ {
		at := now.Add(-time.Duration(1+(2*i+7*k)%2879) * time.Minute)
		stream := (i*7 + k*1013) % 10_000
		outcome := "good"
		if (i+k)%97 == 0 {
			outcome = "bad"
		}
		fmt.Fprintf(&b, `{"stream":"s%03d-%03d","time":%q,"outcome":%q}`+"\n", stream/100, stream%100, at.Format(time.RFC3339), outcome)
	}
	return b.Bytes()
}

// evaluations reads the count and total seconds of accord serve's full
// evaluations from one scrape of /metrics (which takes seconds at 10,000
// SLOs on a busy machine: two scrapes stretched the windows measured).
func evaluations(t *testing.T, base string) (n, seconds float64) {
	v := metricValues(t, base, "accord_evaluation_duration_seconds_count", "accord_evaluation_duration_seconds_sum")
	return v[0], v[1]
}

// TestEvaluate10kSLOsUnderBacklog measures, from outside, how long a real
// accord serve of 10,000 SLOs takes to evaluate them all (its
// accord_evaluation_duration_seconds, every 5 s) idle, and then while 8
// clients push a sparse back-dated backlog over all their streams as fast
// as it takes it. With ACCORD_BASE_BIN it runs that binary the same way,
// alternating, ACCORD_SCALE_ROUNDS times (default 1), for a side-by-side
// ratio. A benchmark, not part of go test ./...: ACCORD_SCALE=1
// (docs/benchmarks.md).
func TestEvaluate10kSLOsUnderBacklog(t *testing.T) {
	if os.Getenv("ACCORD_SCALE") == "" {
		t.Skip("a benchmark: set ACCORD_SCALE=1 to run it")
	}
	rounds := 1
	if n, _ := strconv.Atoi(os.Getenv("ACCORD_SCALE_ROUNDS")); n > 0 {
		rounds = n
	}
	bins, order := scaleBinaries(t)
	spec := []byte(scaleSpec(100, 100))
	const idle, loaded = 20 * time.Second, 40 * time.Second
	for round := 0; round < rounds; round++ {
		for _, name := range order {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), spec, 0o644); err != nil {
				t.Fatal(err)
			}
			addr := testenv.FreeAddr(t)
			base := "http://" + addr
			p := serveWithin(t, bins[name], dir, addr, 5*time.Minute, "--eval-interval", "5s")
			now := time.Now().UTC()
			// Every SLO with data, then evaluations with no ingest.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			push := func(k int) error {
				req, _ := http.NewRequest("POST", base+"/api/v1/events", bytes.NewReader(sparseBody10k(k, now)))
				req.Header.Set("Authorization", "Bearer t0ken")
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					return fmt.Errorf("batch %d: %s", k, resp.Status)
				}
				return nil
			}
			for k := 0; k < 10; k++ {
				if err := push(k); err != nil {
					t.Fatal(err)
				}
			}
			n0, s0 := evaluations(t, base)
			idleFrom := time.Now()
			time.Sleep(idle)
			n1, s1 := evaluations(t, base)
			idleFor := time.Since(idleFrom)
			idleLoad := loadAverage()
			var sent atomic.Int64
			var wg sync.WaitGroup
			stop := time.Now().Add(loaded)
			for c := 0; c < 8; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 10 + c; time.Now().Before(stop); k += 8 {
						if err := push(k); err != nil {
							t.Error(err)
							return
						}
						sent.Add(1000)
					}
				}()
			}
			wg.Wait()
			n2, s2 := evaluations(t, base)
			t.Logf("%s round %d: idle %.0f evaluations in %s, %.0f ms each (load %s); under a sparse backlog of %.0f events/s, %.0f evaluations, %.0f ms each (load %s)",
				name, round+1, n1-n0, idleFor.Round(time.Second), 1000*(s1-s0)/max(n1-n0, 1), idleLoad,
				float64(sent.Load())/loaded.Seconds(), n2-n1, 1000*(s2-s1)/max(n2-n1, 1), loadAverage())
			_ = p.Cmd.Process.Signal(syscall.SIGTERM)
			_ = p.Cmd.Wait()
		}
	}
}
