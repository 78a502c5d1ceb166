package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/testenv"
)

// fill30Days stores 30 days of counts for every SLO of scaleSpec: three
// days of one-minute counts up to now and 27 days of hourly ones before
// them, as a server that has run a month and compacted its old minutes
// holds them.
func fill30Days(t *testing.T, dataDir string, services, perService int, now time.Time) {
	t.Helper()
	st, err := sqlite.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	nowMin := engine.UnixMinute(now)
	var batch []engine.Count
	flush := func() {
		if err := st.AddCounts(ctx, batch); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	for s := 0; s < services; s++ {
		for i := 0; i < perService; i++ {
			id := fmt.Sprintf("svc-%03d/slo-%03d", s, i)
			add := func(m, n int64) {
				total := float64(n * (1 + (m*7919+int64(s*perService+i)*104729)%1000))
				batch = append(batch, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: m,
					Counts: engine.Counts{Good: total - float64(m%3), Total: total}})
			}
			for m := nowMin - 30*1440; m < nowMin-3*1440; m += 60 {
				add(m, 60)
			}
			for m := nowMin - 3*1440; m < nowMin; m++ {
				add(m, 1)
			}
			if len(batch) > 200_000 {
				flush()
			}
		}
		if err := st.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// metricValue reads one unlabelled sample from a /metrics answer.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	return metricValues(t, base, name)[0]
}

// metricValues reads unlabelled samples from one /metrics answer, 0 for
// those it lacks.
func metricValues(t *testing.T, base string, names ...string) []float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := make([]float64, len(names))
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		for i, name := range names {
			if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
				out[i], _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return out
}

// loadAverage is the machine's load over the last 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func pageBytes(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return int(n)
}

// TestScale1kSLOs30Days measures accord serve holding 1,000 SLOs with 30
// days of data against the same server without data: resident memory
// (from /proc, so from outside the Go runtime), live heap, start-up time
// and the overview's size. With ACCORD_BASE_BIN set it runs that binary
// the same way, alternating, for a side-by-side ratio. A benchmark, not
// part of go test ./...: ACCORD_SCALE=1 (see docs/benchmarks.md).
func TestScale1kSLOs30Days(t *testing.T) {
	if os.Getenv("ACCORD_SCALE") == "" {
		t.Skip("a benchmark: set ACCORD_SCALE=1 to run it")
	}
	services, perService := 10, 100
	if n, _ := strconv.Atoi(os.Getenv("ACCORD_SCALE_SERVICES")); n > 0 {
		services = n
	}
	n := services * perService
	bins, order := scaleBinaries(t)
	root := t.TempDir()
	spec := []byte(scaleSpec(services, perService))
	now := time.Now().UTC().Truncate(time.Minute)
	// ACCORD_SCALE_STOPPED=1h stores data that ends that long before the
	// start, as after a server was down: the first prune then folds that
	// hour's minutes into hours.
	if d, err := time.ParseDuration(os.Getenv("ACCORD_SCALE_STOPPED")); err == nil {
		now = now.Add(-d)
	}
	// ACCORD_SCALE_SEED keeps the stored data between runs (it takes
	// minutes to write); it is refilled when older than an hour, or than
	// ACCORD_SCALE_SEED_AGE. ACCORD_SCALE_FILL_ONLY=1 stops once it is
	// written, so the data of a long run can be written ahead (with
	// ACCORD_SCALE_STOPPED=-1h it then ends an hour after it was written).
	seed := os.Getenv("ACCORD_SCALE_SEED")
	if seed == "" {
		seed = filepath.Join(root, "seed")
	}
	maxAge := time.Hour
	if d, err := time.ParseDuration(os.Getenv("ACCORD_SCALE_SEED_AGE")); err == nil {
		maxAge = d
	}
	if fi, err := os.Stat(filepath.Join(seed, "accord.db")); err != nil || time.Since(fi.ModTime()) > maxAge {
		if err := os.RemoveAll(seed); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(seed, 0o755); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		how := "through the store"
		if os.Getenv("ACCORD_SCALE_FILL") == "sql" {
			fill30DaysSQL(t, seed, services, perService, now)
			how = "by SQL"
		} else {
			fill30Days(t, seed, services, perService, now)
		}
		t.Logf("stored 30 days of %d SLOs %s in %s", n, how, time.Since(started).Round(time.Second))
	}
	var dbBytes int64
	filepath.Walk(seed, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			dbBytes += fi.Size()
		}
		return nil
	})
	t.Logf("database on disk: %.0f MiB", float64(dbBytes)/(1<<20))
	if os.Getenv("ACCORD_SCALE_FILL_ONLY") != "" {
		return
	}
	run := func(name string, withData bool) (rssMiB, heapMiB float64) {
		dir := filepath.Join(root, fmt.Sprintf("%s-%v-%d", name, withData, time.Now().UnixNano()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), spec, 0o644); err != nil {
			t.Fatal(err)
		}
		if withData {
			if out, err := exec.Command("cp", "-r", seed, filepath.Join(dir, "data")).CombinedOutput(); err != nil {
				t.Fatalf("cp: %v %s", err, out)
			}
		}
		addr := testenv.FreeAddr(t)
		base := "http://" + addr
		started := time.Now()
		p := serveWithin(t, bins[name], dir, addr, 30*time.Minute, "--eval-interval", "5s")
		ready := time.Since(started)
		readyRSS := rss(t, p.Cmd.Process.Pid)
		overviewStart := time.Now()
		overview := pageBytes(t, base+"/")
		overviewTime := time.Since(overviewStart)
		evalCount, evalSum := evaluations(t, base)
		settled := time.Now()
		// Settle: a few evaluation cycles and a scrape, as a running server.
		for i := 0; i < 6; i++ {
			time.Sleep(5 * time.Second)
			metricValue(t, base, "go_memstats_heap_alloc_bytes")
		}
		evalCount2, evalSum2 := evaluations(t, base)
		// The scrapes take seconds at 10,000 SLOs on a busy machine: the
		// evaluations are counted over the time that really passed.
		if evals := evalCount2 - evalCount; evals > 0 {
			t.Logf("%s, data %v: %.0f evaluations of every SLO in the %s after ready, %.0f ms each on average (load average %s)",
				name, withData, evals, time.Since(settled).Round(time.Second), 1000*(evalSum2-evalSum)/evals, loadAverage())
		}
		rssMiB = rss(t, p.Cmd.Process.Pid)
		heapMiB = metricValue(t, base, "go_memstats_heap_alloc_bytes") / (1 << 20)
		goSys := metricValue(t, base, "go_memstats_sys_bytes") / (1 << 20)
		released := metricValue(t, base, "go_memstats_heap_released_bytes") / (1 << 20)
		t.Logf("%s, data %v: ready in %s (RSS %.0f MiB then), after 30 s RSS %.1f MiB, heap in use %.1f MiB (Go runtime's memory %.1f MiB less %.1f released); overview %d KB in %s",
			name, withData, ready.Round(time.Millisecond), readyRSS, rssMiB, heapMiB, goSys, released, overview/1000, overviewTime.Round(time.Millisecond))
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		_ = p.Cmd.Wait()
		return rssMiB, heapMiB
	}
	for _, name := range order {
		emptyRSS, emptyHeap := run(name, false)
		fullRSS, fullHeap := run(name, true)
		t.Logf("%s: RSS growth %.1f KB per SLO, heap growth %.1f KB per SLO, RSS/heap with data %.2f",
			name, (fullRSS-emptyRSS)*1024*1.024/float64(n), (fullHeap-emptyHeap)*1024*1.024/float64(n), fullRSS/fullHeap)
	}
}
