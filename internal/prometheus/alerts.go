package prometheus

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/engine"
)

// FiredAlert is one episode of an alert Prometheus evaluated, read back
// from its ALERTS series.
type FiredAlert struct {
	// Labels are the alert's labels, alertname among them; alertstate is
	// left out.
	Labels map[string]string
	// FiredAt is the time of the episode's first firing sample.
	FiredAt time.Time
	// ResolvedAt is a minute after its last firing sample (rules are
	// evaluated at least once a minute); zero when the alert still fired
	// at the end of the range read.
	ResolvedAt time.Time
}

// alertGap is how long an alert's firing samples may pause and still be
// one episode: rules evaluated every two minutes leave gaps that long.
const alertGap = 2 * time.Minute

// AlertsQuery is the PromQL that finds the firing alerts selector picks:
// selector is a series selector's matchers, with or without braces
// (`{severity="page"}`, `alertname=~"Disk.*"`), or empty for every alert.
func AlertsQuery(selector string) (string, error) {
	inner := strings.TrimSpace(selector)
	if strings.HasPrefix(inner, "ALERTS") {
		inner = strings.TrimSpace(strings.TrimPrefix(inner, "ALERTS"))
	}
	inner = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(inner, "{"), "}"))
	matchers := `alertstate="firing"`
	if inner != "" {
		matchers += ", " + inner
	}
	expr := "ALERTS{" + matchers + "}"
	if _, err := parser.NewParser(parser.Options{}).ParseMetricSelector(expr); err != nil {
		return "", fmt.Errorf("alert selector %q: %w", selector, err)
	}
	return "timestamp(" + expr + ")", nil
}

// FiredAlerts reads every episode of the alerts selector picks (see
// AlertsQuery) that fired between from and to, from the ALERTS series of
// the Prometheus-compatible API at url, oldest first.
//
// It asks for the timestamp of the newest ALERTS sample once a minute, so
// a sample seen again by Prometheus' five-minute lookback (backfilled
// rules leave no staleness markers) does not stretch an episode.
func FiredAlerts(ctx context.Context, hc *http.Client, url, selector string, from, to time.Time) ([]FiredAlert, error) {
	expr, err := AlertsQuery(selector)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = defaultHTTPClient()
	}
	c := newClient(hc, url)
	first, last := engine.UnixMinute(from), engine.UnixMinute(to)-1
	samples := map[string]map[int64]bool{} // sample times (Unix seconds) by series
	labels := map[string]map[string]string{}
	for start := first; start <= last; start += maxPoints {
		end := min(start+maxPoints-1, last)
		ss, err := c.minutes(ctx, expr, start, end)
		if err != nil {
			return nil, fmt.Errorf("read alerts %s from %s to %s: %w", expr, minuteTime(start), minuteTime(end+1), err)
		}
		for _, s := range ss {
			l := maps.Clone(s.metric)
			delete(l, "alertstate")
			delete(l, "__name__")
			k := engine.GroupKey(l)
			if samples[k] == nil {
				samples[k], labels[k] = map[int64]bool{}, l
			}
			for _, p := range s.points {
				if ts := int64(p.v); ts >= from.Unix() && ts < to.Unix() {
					samples[k][ts] = true
				}
			}
		}
	}
	var out []FiredAlert
	for _, k := range slices.Sorted(maps.Keys(samples)) {
		out = append(out, episodes(labels[k], slices.Sorted(maps.Keys(samples[k])), to)...)
	}
	slices.SortStableFunc(out, func(a, b FiredAlert) int { return a.FiredAt.Compare(b.FiredAt) })
	return out, nil
}

// episodes joins one alert's firing sample times (Unix seconds, sorted)
// into episodes; one whose last sample is within alertGap of end still
// fires.
func episodes(labels map[string]string, times []int64, end time.Time) []FiredAlert {
	var out []FiredAlert
	gap := int64(alertGap / time.Second)
	for i := 0; i < len(times); {
		j := i
		for j+1 < len(times) && times[j+1]-times[j] <= gap {
			j++
		}
		a := FiredAlert{Labels: labels, FiredAt: time.Unix(times[i], 0).UTC()}
		if lastSeen := time.Unix(times[j], 0).UTC(); end.Sub(lastSeen) > alertGap {
			a.ResolvedAt = lastSeen.Add(time.Minute)
		}
		out = append(out, a)
		i = j + 1
	}
	return out
}
