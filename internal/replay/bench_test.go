package replay_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/testenv"
)

// benchServices is how many services the benchmark's history holds; each
// has ten SLOs.
const benchServices = 10

// benchHistory writes 33 days of request counters for benchServices
// services, scraped every 30 seconds: 1,000 requests a minute, 0.03%
// failing, and one 20-minute outage per service.
func benchHistory(start time.Time, days int) func(io.Writer) error {
	return func(w io.Writer) error {
		fmt.Fprintln(w, "# TYPE bench_requests counter")
		for s := 0; s < benchServices; s++ {
			outage := 24*60*(3+s*3) + 600 // minute of the service's outage
			for _, code := range []string{"200", "500"} {
				cum := 0.0
				for i := 0; i <= days*24*60; i++ {
					bad := 0.3
					if i >= outage && i < outage+20 {
						bad = 200
					}
					count := 1000 - bad
					if code == "500" {
						count = bad
					}
					ts := start.Unix() + int64(i)*60
					fmt.Fprintf(w, "bench_requests_total{service=\"svc-%d\",code=\"%s\"} %s %d\n", s, code, strconv.FormatFloat(cum, 'f', -1, 64), ts)
					fmt.Fprintf(w, "bench_requests_total{service=\"svc-%d\",code=\"%s\"} %s %d\n", s, code, strconv.FormatFloat(cum+count/2, 'f', -1, 64), ts+30)
					cum += count
				}
			}
		}
		_, err := fmt.Fprintln(w, "# EOF")
		return err
	}
}

// benchSpec is 100 SLOs, ten per service, with objectives from 99% to
// 99.95% and 30-day windows.
func benchSpec() string {
	var b strings.Builder
	objectives := []string{"99", "99.5", "99.9", "99.95"}
	for s := 0; s < benchServices; s++ {
		fmt.Fprintf(&b, "---\napiVersion: accord/v1\nkind: Service\nmetadata: {name: svc-%d}\nspec:\n  owners: {team: team-%d}\n  slos:\n", s, s)
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&b, "    - name: slo-%d\n      objective: %s\n      window: 30d\n      indicator:\n        ratio:\n", i, objectives[i%len(objectives)])
			fmt.Fprintf(&b, "          bad: {counter: 'bench_requests_total{service=\"svc-%d\",code=\"500\"}'}\n", s)
			fmt.Fprintf(&b, "          total: {counter: 'bench_requests_total{service=\"svc-%d\"}'}\n", s)
		}
	}
	return b.String()
}

// BenchmarkReplay100SLOs30Days replays 30 days of 100 SLOs against a real
// Prometheus holding 33 days of their counters (the three before the
// replay load as the windows' history). Building the history with promtool
// takes a while before the timer starts.
func BenchmarkReplay100SLOs30Days(b *testing.B) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 33)
	url := testenv.StartPrometheusOn(b, testenv.History{OpenMetrics: benchHistory(start, 33), Start: start, End: end})
	cat := mustCatalog(b, benchSpec())
	if len(cat.SLOs) != 100 {
		b.Fatalf("%d SLOs, want 100", len(cat.SLOs))
	}
	defer debug.SetGCPercent(debug.SetGCPercent(replay.GCPercent)) // as accord replay runs
	// CPU time, as well as the time it took: the machine may be shared.
	ownCPU, promCPU := cpuSeconds(b), prometheusCPU(b, url)
	for b.Loop() {
		res, err := replay.Run(context.Background(), replay.Options{Catalog: cat, From: end.AddDate(0, 0, -30), To: end,
			PrometheusURL: url, Now: end.Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if s := res.Scores[0]; s.Alerts == 0 || s.HurtPeriods != benchServices {
			b.Fatalf("replay found %d pages and %d hurt periods, want some pages and one hurt period per service", s.Alerts, s.HurtPeriods)
		}
	}
	n := float64(b.N)
	b.ReportMetric(b.Elapsed().Seconds()/n, "s/replay")
	b.ReportMetric((cpuSeconds(b)-ownCPU)/n, "replay-cpu-s/replay")
	b.ReportMetric((prometheusCPU(b, url)-promCPU)/n, "prometheus-cpu-s/replay")
}

// cpuSeconds is the CPU time this process has used.
func cpuSeconds(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// prometheusCPU is the CPU time Prometheus reports it has used.
func prometheusCPU(tb testing.TB, url string) float64 {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_cpu_seconds_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return f
		}
	}
	tb.Fatalf("no process_cpu_seconds_total in %s/metrics", url)
	return 0
}
