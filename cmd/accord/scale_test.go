package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// scaleSpec is services×perService pushed SLOs with 30-day windows, owned
// by twenty teams.
func scaleSpec(services, perService int) string {
	var b strings.Builder
	for s := 0; s < services; s++ {
		fmt.Fprintf(&b, "---\napiVersion: accord/v1\nkind: Service\nmetadata: {name: svc-%03d}\nspec:\n  owners: {team: team-%02d}\n  slos:\n", s, s%20)
		for i := 0; i < perService; i++ {
			fmt.Fprintf(&b, "    - {name: slo-%03d, objective: 99.9, window: 30d, indicator: {ratio: {stream: s%03d-%03d}}}\n", i, s, i)
		}
	}
	return b.String()
}

// scaleBinaries builds the accord under test ("now") and, with
// ACCORD_BASE_BIN set, adds that binary ("before"), run first, so a scale
// test measures both side by side in one run.
func scaleBinaries(t *testing.T) (bins map[string]string, order []string) {
	bins = map[string]string{"now": buildAccord(t)}
	order = []string{"now"}
	if b := os.Getenv("ACCORD_BASE_BIN"); b != "" {
		bins["before"] = b
		order = []string{"before", "now"}
	}
	return bins, order
}

// rss is a process's resident memory in MiB, from /proc.
func rss(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestScale10kSLOs measures a 10,000-SLO accord serve holding an hour of
// data: start to ready, resident memory after list calls, one page of 100
// SLOs, and accord status over all of them. It is a benchmark, not part of
// go test ./...: run it with ACCORD_SCALE=1 (see docs/benchmarks.md).
func TestScale10kSLOs(t *testing.T) {
	if os.Getenv("ACCORD_SCALE") == "" {
		t.Skip("a benchmark: set ACCORD_SCALE=1 to run it")
	}
	const services, perService = 100, 100
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(scaleSpec(services, perService)), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	p := serveWithin(t, bin, dir, addr, 5*time.Minute)

	// An hour of data: a pre-counted event per SLO per minute.
	now := time.Now().UTC().Truncate(time.Minute)
	pushStart := time.Now()
	for m := 60; m >= 1; m-- {
		var body bytes.Buffer
		at := now.Add(-time.Duration(m) * time.Minute).Format(time.RFC3339)
		for s := 0; s < services; s++ {
			for i := 0; i < perService; i++ {
				fmt.Fprintf(&body, `{"stream":"s%03d-%03d","time":%q,"good":%d,"total":1000}`+"\n", s, i, at, 1000-(s+i+m)%7)
			}
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/events", &body)
		req.Header.Set("Authorization", "Bearer t0ken")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 202 {
			t.Fatalf("push minute -%d: %v %v", m, err, resp)
		}
		resp.Body.Close()
	}
	t.Logf("pushed 600,000 events (60 requests of 10,000) in %s", time.Since(pushStart).Round(time.Millisecond))

	// Restart: start to ready over the stored hour.
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = p.Cmd.Wait()
	started := time.Now()
	p = serveWithin(t, bin, dir, addr, 5*time.Minute)
	t.Logf("start to ready: %s; RSS when ready: %.0f MiB", time.Since(started).Round(time.Millisecond), rss(t, p.Cmd.Process.Pid))

	// List calls: every SLO, a page of 100 at a time, three times over.
	var pageTimes []time.Duration
	for round := 0; round < 3; round++ {
		cursor := ""
		n := 0
		for {
			start := time.Now()
			resp, err := http.Get(base + "/api/v1/slos?limit=100" + cursor)
			if err != nil {
				t.Fatal(err)
			}
			var page struct {
				SLOs []json.RawMessage `json:"slos"`
				Next string            `json:"next"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			pageTimes = append(pageTimes, time.Since(start))
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.SLOs)
			if page.Next == "" {
				break
			}
			cursor = "&cursor=" + page.Next
		}
		if n != services*perService {
			t.Fatalf("paged through %d SLOs, want %d", n, services*perService)
		}
	}
	slices.Sort(pageTimes)
	t.Logf("one page of 100 SLOs (%d pages): median %s, p90 %s, max %s", len(pageTimes),
		pageTimes[len(pageTimes)/2].Round(time.Microsecond*100), pageTimes[len(pageTimes)*9/10].Round(time.Microsecond*100),
		pageTimes[len(pageTimes)-1].Round(time.Microsecond*100))
	t.Logf("RSS after %d list calls: %.0f MiB", len(pageTimes), rss(t, p.Cmd.Process.Pid))

	start := time.Now()
	out, err := exec.Command(bin, "status", "--server", base).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(out), "\n")
	t.Logf("accord status: %d lines in %s", lines, time.Since(start).Round(time.Millisecond))
	if lines != services*perService+1 {
		t.Errorf("accord status printed %d lines, want a header and %d SLOs", lines, services*perService)
	}
	start = time.Now()
	if _, err := exec.Command(bin, "status", "--server", base, "--limit", "20").Output(); err != nil {
		t.Fatal(err)
	}
	t.Logf("accord status --limit 20: %s", time.Since(start).Round(time.Millisecond))
	t.Logf("RSS after accord status: %.0f MiB", rss(t, p.Cmd.Process.Pid))
}
