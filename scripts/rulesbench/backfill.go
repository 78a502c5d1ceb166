package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The grids of the backfilled history, in milliseconds: raw samples every
// scrape interval, recordings at every evaluation.
const (
	scrapeMS = 15_000
	evalMS   = 60_000
)

// How far back each series is backfilled, beyond the longest range any
// rule reads it over, so that every window is full while it is measured.
const (
	margin     = 10 * time.Minute
	rawSpan    = 3*24*time.Hour + margin  // Sloth reads raw counters over up to 3d
	minuteSpan = 6*time.Hour + margin     // Accord's per-minute events, over up to 6h
	fiveSpan   = 3*24*time.Hour + margin  // Accord's 5-minute tiles, over up to 3d
	windowSpan = 30*24*time.Hour + margin // Accord's hourly tiles and Sloth's 5m ratios, over 30d
)

// backfill writes in OpenMetrics text, for promtool tsdb
// create-blocks-from openmetrics, the history a Prometheus server running
// the rules would hold before end (unix ms): the raw counters of n SLOs,
// scraped every 15 s, and, for rules "accord" or "sloth", every recorded
// series that a rule reads over a range, at the evaluation times of its
// group, with the values the rules record from the counters. series holds
// the recorded series and their groups' offsets, as seriesOf writes them.
// Series that are only read at an instant need no history.
func backfill(w *bufio.Writer, n int, end int64, rules string, series []recorded) error {
	history := map[string]func(*bufio.Writer, []recorded, int64){"accord": accordHistory, "sloth": slothHistory}[rules]
	if history == nil {
		return fmt.Errorf("unknown rules %q: accord or sloth", rules)
	}
	for t := align(end-rawSpan.Milliseconds(), scrapeMS); t < end; t += scrapeMS {
		for i := range n {
			good, bad := counts(i, float64(t)/1000)
			fmt.Fprintf(w, "http_requests_total{slo=%q,code=\"200\"} %s %s\n", sloName(i), float(good), stamp(t))
			fmt.Fprintf(w, "http_requests_total{slo=%q,code=\"500\"} %s %s\n", sloName(i), float(bad), stamp(t))
		}
	}
	history(w, series, end)
	fmt.Fprintln(w, "# EOF")
	return nil
}

// accordHistory writes Accord's per-minute events for 6 hours, its
// 5-minute tiles for 3 days and its hourly tiles for 30 days. A tile is
// followed a minute later by a 0 where Prometheus writes a stale marker
// (the rule yields nothing between tiles), which OpenMetrics cannot
// carry: it adds nothing to the sums the rules take and is read as a
// sample, as the marker is.
func accordHistory(w *bufio.Writer, series []recorded, end int64) {
	for _, s := range series {
		events := func(kind string, from, to int64) float64 {
			good0, bad0 := counts(s.i, float64(align(from, scrapeMS))/1000)
			good1, bad1 := counts(s.i, float64(align(to, scrapeMS))/1000)
			if kind == "error" {
				return bad1 - bad0
			}
			return good1 + bad1 - good0 - bad0
		}
		for _, kind := range []string{"total", "error"} {
			minute, five, hour := "slo:sli_"+kind+":increase1m"+s.labels, "slo:sli_"+kind+":increase5m"+s.labels,
				"slo:sli_events:increase1h"+with(s.labels, "events", kind)
			for e := first(end, minuteSpan, s.offset); e < end; e += evalMS {
				fmt.Fprintf(w, "%s %s %s\n", minute, float(events(kind, e-evalMS, e)), stamp(e))
			}
			for e := first(end, fiveSpan, s.offset); e < end; e += evalMS {
				tile(w, five, e, end, 5, events(kind, e-5*evalMS, e))
			}
			for e := first(end, windowSpan, s.offset); e < end; e += evalMS {
				tile(w, hour, e, end, 60, events(kind, e-60*evalMS, e))
			}
		}
	}
}

// tile writes a tile at evaluation e when its minute is a multiple of
// every, and a 0 a minute later in place of the stale marker.
func tile(w *bufio.Writer, name string, e, end int64, every int64, v float64) {
	if (e/evalMS)%every != 0 {
		return
	}
	fmt.Fprintf(w, "%s %s %s\n", name, float(v), stamp(e))
	if e+evalMS < end {
		fmt.Fprintf(w, "%s 0 %s\n", name, stamp(e+evalMS))
	}
}

// slothHistory writes Sloth's 5-minute error ratios for 30 days, which its
// 30-day ratio averages: the errors over the total of the samples each
// rate() reads, whose extrapolation scales both alike.
func slothHistory(w *bufio.Writer, series []recorded, end int64) {
	for _, s := range series {
		name := "slo:sli_error:ratio_rate5m" + s.labels
		for e := first(end, windowSpan, s.offset); e < end; e += evalMS {
			from := float64(align(e-5*evalMS, scrapeMS)+scrapeMS) / 1000
			to := float64(align(e, scrapeMS)) / 1000
			fmt.Fprintf(w, "%s %s %s\n", name, float(trueRatio(s.i, from, to)), stamp(e))
		}
	}
}

// recorded is a series a rule records: its SLO, its labels in OpenMetrics
// form ({a="b",…}) and its group's evaluation offset within the minute.
type recorded struct {
	i      int
	labels string
	offset int64
}

// seriesOf finds every series the rules record (Accord's minute events,
// or Sloth's 5-minute ratios) on the live server at base, and when its
// group evaluates: Prometheus evaluates a group at a fixed offset within
// its interval, hashed from the group's name and file, and stamps what it
// records with it. A server loading the same file evaluates at the same
// offsets.
func seriesOf(base, rules string) ([]recorded, error) {
	name, sloLabel := "slo:sli_total:increase1m", "slo"
	if rules == "sloth" {
		name, sloLabel = "slo:sli_error:ratio_rate5m", "sloth_slo"
	}
	res, err := query(base, "timestamp("+name+")")
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("%s has recorded no %s yet", base, name)
	}
	out := make([]recorded, 0, len(res))
	for _, s := range res {
		i, err := sloIndex(s.labels[sloLabel])
		if err != nil {
			return nil, err
		}
		ms := int64(s.value*1000 + 0.5)
		out = append(out, recorded{i: i, labels: labelText(s.labels), offset: ms % evalMS})
	}
	slices.SortFunc(out, func(a, b recorded) int { return a.i - b.i })
	return out, nil
}

// writeSeries writes series one a line: SLO, offset (ms) and labels.
func writeSeries(w io.Writer, series []recorded) {
	for _, s := range series {
		fmt.Fprintf(w, "%d %d %s\n", s.i, s.offset, s.labels)
	}
}

// readSeries reads what writeSeries wrote.
func readSeries(path string) ([]recorded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read series: %w", err)
	}
	var out []recorded
	for line := range strings.Lines(string(data)) {
		var s recorded
		if _, err := fmt.Sscanf(line, "%d %d %s", &s.i, &s.offset, &s.labels); err != nil {
			return nil, fmt.Errorf("read series %s: %q: %w", path, line, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// first is the first evaluation at offset within the span before end.
func first(end int64, span time.Duration, offset int64) int64 {
	return align(end-span.Milliseconds()-offset, evalMS) + evalMS + offset
}

// align rounds t down to a multiple of step.
func align(t, step int64) int64 { return t - t%step }

// stamp writes unix ms as OpenMetrics seconds.
func stamp(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }

// labelText writes labels as {a="b",…}, sorted, without the metric name.
func labelText(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		if k != "__name__" {
			parts = append(parts, k+"="+strconv.Quote(l[k]))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// with adds a label to labels written by labelText.
func with(labels, name, value string) string {
	return strings.TrimSuffix(labels, "}") + "," + name + "=" + strconv.Quote(value) + "}"
}
