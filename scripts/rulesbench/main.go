// Command rulesbench makes the inputs of scripts/rulesbench/run.sh and
// takes its measurements. run.sh measures Accord's generated Prometheus
// rules against Sloth's in two real Prometheus servers over the same data:
//
//	rulesbench spec N > slos.yaml            N Sloth SLOs, 100 per service
//	rulesbench serve N ADDR                  their counters, live, on ADDR/metrics
//	rulesbench series URL RULES > FILE       the series RULES (accord or sloth) record on the server at
//	                                         URL, and their groups' evaluation offsets
//	rulesbench backfill N END RULES FILE     their history before END (unix ms), in OpenMetrics:
//	                                         3 days of counters every 15 s and, for RULES accord or
//	                                         sloth, the recordings of FILE the rules read over ranges
//	                                         (30 days for the longest)
//	rulesbench wait URL QUERY COUNT          waits until QUERY returns COUNT series; prints the seconds
//	rulesbench measure ROUNDS MINUTES HZ NAME=PID@URL NAME=PID@URL
//	                                         process CPU and rule-group time of both, per round, and the ratio
//	rulesbench accuracy N ACCORD_URL SLOTH_URL
//	                                         every window's error ratio against the true one, and the windows' fill
//
// Each SLO counts http_requests_total{slo="sNNNNN", code="200"|"500"}: 10
// requests a second on average, swinging ±50% over the day, of which a
// fixed 0.05% to 0.15% fail. The counters are a function of time, so the
// backfilled history and the live series join, and the true error ratio
// of every window is known.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rulesbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: see the package comment of scripts/rulesbench")
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	n, err := strconv.Atoi(args[1]) // N for most commands
	switch {
	case args[0] == "spec" && err == nil:
		spec(w, n)
		return nil
	case args[0] == "serve" && len(args) == 3 && err == nil:
		return serve(n, args[2])
	case args[0] == "series" && len(args) == 3:
		series, err := seriesOf(args[1], args[2])
		if err != nil {
			return err
		}
		writeSeries(w, series)
		return nil
	case args[0] == "backfill" && len(args) == 5 && err == nil:
		end, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil {
			return fmt.Errorf("END: %w", err)
		}
		series, err := readSeries(args[4])
		if err != nil {
			return err
		}
		return backfill(w, n, end, args[3], series)
	case args[0] == "wait" && len(args) == 4:
		count, err := strconv.Atoi(args[3])
		if err != nil {
			return fmt.Errorf("COUNT: %w", err)
		}
		return wait(w, args[1], args[2], count)
	case args[0] == "measure" && len(args) == 6:
		return measureArgs(args[1:])
	case args[0] == "accuracy" && len(args) == 4 && err == nil:
		return accuracy(w, args[2], args[3], n)
	}
	return fmt.Errorf("unknown command or arguments %q", strings.Join(args, " "))
}

// measureArgs runs measure with ROUNDS MINUTES HZ NAME=PID@URL NAME=PID@URL.
func measureArgs(args []string) error {
	rounds, err1 := strconv.Atoi(args[0])
	minutes, err2 := strconv.ParseFloat(args[1], 64)
	hz, err3 := strconv.ParseFloat(args[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("ROUNDS MINUTES HZ: %q %q %q", args[0], args[1], args[2])
	}
	var servers []server
	for _, a := range args[3:] {
		name, rest, ok1 := strings.Cut(a, "=")
		pid, url, ok2 := strings.Cut(rest, "@")
		p, err := strconv.Atoi(pid)
		if !ok1 || !ok2 || err != nil {
			return fmt.Errorf("server %q: want NAME=PID@URL", a)
		}
		servers = append(servers, server{name: name, pid: p, base: url})
	}
	return measure(os.Stdout, servers, rounds, time.Duration(minutes*float64(time.Minute)), hz)
}

// wait polls q every second until it returns count series, and prints how
// many seconds that took. It gives up after an hour.
func wait(w *bufio.Writer, base, q string, count int) error {
	start := time.Now()
	for time.Since(start) < time.Hour {
		res, err := query(base, q)
		if err == nil && len(res) == count {
			fmt.Fprintf(w, "%.0f\n", time.Since(start).Seconds())
			return nil
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("%s: %q did not return %d series within an hour", base, q, count)
}
