package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// server is one Prometheus of the comparison: its process and its API.
type server struct {
	name string
	pid  int
	base string
}

// reading is what a server has spent so far: process CPU, and the rule
// groups' evaluation time and the iterations they missed, from its own
// metrics.
type reading struct {
	cpu, groups, missed, compactions float64
}

// read takes a server's reading: utime + stime from /proc (in clock ticks
// of hz a second) and the counters of its /metrics.
func read(s server, hz float64) (reading, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return reading{}, fmt.Errorf("read CPU of %s: %w", s.name, err)
	}
	// The fields after the command's closing parenthesis; utime and stime
	// are the 14th and 15th of the whole line.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	m, err := metrics(s.base)
	if err != nil {
		return reading{}, err
	}
	return reading{
		cpu:         (ut + st) / hz,
		groups:      m["prometheus_rule_group_duration_seconds_sum"],
		missed:      m["prometheus_rule_group_iterations_missed_total"],
		compactions: m["prometheus_tsdb_compactions_total"] + m["prometheus_tsdb_vertical_compactions_total"],
	}, nil
}

// metrics reads a server's /metrics, summing each metric over its labels.
func metrics(base string) (map[string]float64, error) {
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("read metrics of %s: %w", base, err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 64<<20))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '{'); i >= 0 && i < len(name) {
			name = line[:i]
			rest = line[strings.LastIndexByte(line, '}')+2:]
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

// measure takes rounds of d each, over which it reads every server's CPU
// and rule-group time, and prints them per minute and as the ratio of the
// first server to the second; then the median and range of the ratios.
func measure(w io.Writer, servers []server, rounds int, d time.Duration, hz float64) error {
	if len(servers) != 2 {
		return fmt.Errorf("measure compares two servers, not %d", len(servers))
	}
	var cpuRatios, groupRatios []float64
	for r := 1; r <= rounds; r++ {
		var before, after [2]reading
		for i, s := range servers {
			var err error
			if before[i], err = read(s, hz); err != nil {
				return err
			}
		}
		time.Sleep(d)
		for i, s := range servers {
			var err error
			if after[i], err = read(s, hz); err != nil {
				return err
			}
		}
		min := d.Minutes()
		fmt.Fprintf(w, "round %d (%s):", r, d)
		var cpu, groups [2]float64
		for i, s := range servers {
			cpu[i] = (after[i].cpu - before[i].cpu) / min
			groups[i] = (after[i].groups - before[i].groups) / min
			fmt.Fprintf(w, "  %s CPU %.2f s/min, rule groups %.2f s/min, missed %.0f, compactions %.0f;", s.name, cpu[i], groups[i],
				after[i].missed-before[i].missed, after[i].compactions-before[i].compactions)
		}
		cpuRatios = append(cpuRatios, cpu[0]/cpu[1])
		groupRatios = append(groupRatios, groups[0]/groups[1])
		fmt.Fprintf(w, "  ratio %s/%s CPU %.3f, rule groups %.3f\n", servers[0].name, servers[1].name, cpu[0]/cpu[1], groups[0]/groups[1])
	}
	fmt.Fprintf(w, "ratio %s/%s over %d rounds: CPU median %.3f (%.3f–%.3f), rule groups median %.3f (%.3f–%.3f)\n",
		servers[0].name, servers[1].name, rounds, median(cpuRatios), slices.Min(cpuRatios), slices.Max(cpuRatios),
		median(groupRatios), slices.Min(groupRatios), slices.Max(groupRatios))
	return nil
}

// median is the middle of xs, or the mean of the middle two.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
