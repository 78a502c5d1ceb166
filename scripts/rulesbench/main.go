// Command rulesbench makes the inputs of scripts/rulesbench/run.sh, which
// measures Accord's generated Prometheus rules against Sloth's in real
// Prometheus servers over the same data:
//
//	rulesbench spec N > slos.yaml         N Sloth SLOs, 100 per service
//	rulesbench openmetrics N DAYS > data  DAYS of their counters, one sample a minute
//	rulesbench serve N ADDR               the same counters, live, on ADDR/metrics
//
// Each SLO counts http_requests_total{slo="sNNNNN", code="200"|"500"}: 10
// requests a second, 0.05% to 0.15% of them failing. The counters are a
// function of time, so the backfilled history and the live series join.
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rulesbench spec N | openmetrics N DAYS | serve N ADDR")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "N:", err)
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	switch os.Args[1] {
	case "spec":
		spec(w, n)
	case "openmetrics":
		days, _ := strconv.Atoi(os.Args[3])
		openmetrics(w, n, days)
	case "serve":
		http.HandleFunc("/metrics", func(rw http.ResponseWriter, _ *http.Request) {
			b := bufio.NewWriter(rw)
			write(b, n, time.Now().Unix(), false)
			b.Flush()
		})
		if err := http.ListenAndServe(os.Args[3], nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// spec writes n SLOs as Sloth prometheus/v1 documents, 100 per service.
func spec(w *bufio.Writer, n int) {
	for i := range n {
		if i%100 == 0 {
			fmt.Fprintf(w, "---\nversion: prometheus/v1\nservice: svc-%03d\nlabels: {owner: team-%03d}\nslos:\n", i/100, i/100)
		}
		fmt.Fprintf(w, `  - name: s%05d
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{slo="s%05d",code="500"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{slo="s%05d"}[{{.window}}]))
    alerting:
      name: SLOBurn
      page_alert: {labels: {severity: page}}
      ticket_alert: {labels: {severity: ticket}}
`, i, i, i)
	}
}

// counts are SLO i's good and bad requests up to unix time t: 10 a second,
// a share of 0.05% to 0.15% failing, steady.
func counts(i int, t int64) (good, bad int64) {
	total := t * 10
	bad = total * int64(5+i%11) / 10000
	return total - bad, bad
}

func write(w *bufio.Writer, n int, t int64, withTime bool) {
	ts := ""
	if withTime {
		ts = " " + strconv.FormatInt(t, 10)
	}
	for i := range n {
		good, bad := counts(i, t)
		fmt.Fprintf(w, "http_requests_total{slo=\"s%05d\",code=\"200\"} %d%s\n", i, good, ts)
		fmt.Fprintf(w, "http_requests_total{slo=\"s%05d\",code=\"500\"} %d%s\n", i, bad, ts)
	}
}

// openmetrics writes days of the counters up to now, one sample a minute,
// in OpenMetrics text for promtool tsdb create-blocks-from openmetrics.
func openmetrics(w *bufio.Writer, n, days int) {
	end := time.Now().Unix() / 60 * 60
	fmt.Fprintln(w, "# TYPE http_requests_total counter")
	for t := end - int64(days)*86400; t <= end; t += 60 {
		write(w, n, t, true)
	}
	fmt.Fprintln(w, "# EOF")
}
