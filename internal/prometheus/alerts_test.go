package prometheus

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAlertsQuery(t *testing.T) {
	tests := []struct{ selector, want, err string }{
		{"", `timestamp(ALERTS{alertstate="firing"})`, ""},
		{`{severity="page"}`, `timestamp(ALERTS{alertstate="firing", severity="page"})`, ""},
		{` alertname=~"Disk.*", team="pos" `, `timestamp(ALERTS{alertstate="firing", alertname=~"Disk.*", team="pos"})`, ""},
		{`ALERTS{severity="page"}`, `timestamp(ALERTS{alertstate="firing", severity="page"})`, ""},
		{`{severity=}`, "", `alert selector "{severity=}"`},
		{`up`, "", `alert selector "up"`},
	}
	for _, tt := range tests {
		got, err := AlertsQuery(tt.selector)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("AlertsQuery(%q) error = %v, want %q", tt.selector, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("AlertsQuery(%q) = %q, %v; want %q", tt.selector, got, err, tt.want)
		}
	}
}

// TestFiredAlertsJoinsSamplesIntoEpisodes serves ALERTS as Prometheus does
// for backfilled rules: each step sees the newest sample of the last five
// minutes, so a resolved alert lingers in the answers but adds no new
// sample time.
func TestFiredAlertsJoinsSamplesIntoEpisodes(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	minutes := 12_000 // two range queries
	to := from.Add(time.Duration(minutes) * time.Minute)
	// Samples at 17 seconds past the minutes each alert fired in.
	firing := map[string][][2]int{
		"DiskFull": {{10, 20}, {21, 30}, {40, 45}, {50, 55}}, // one missed evaluation is one episode; five are two
		"HighCPU":  {{9_990, 10_010}, {11_990, minutes}},     // across the queries' seam; still firing at the end
	}
	samples := func(name string, ts int64) (int64, bool) {
		var newest int64
		found := false
		for _, r := range firing[name] {
			for m := r[0]; m < r[1]; m++ {
				s := from.Unix() + int64(m)*60 + 17
				if s <= ts && s > ts-300 && s > newest {
					newest, found = s, true
				}
			}
		}
		return newest, found
	}
	f := newFakeProm(t)
	f.handle(`timestamp(ALERTS{alertstate="firing", severity="page"})`, func(ts int64) []sample {
		var out []sample
		for _, name := range []string{"DiskFull", "HighCPU"} {
			if s, ok := samples(name, ts); ok {
				out = append(out, sample{labels: map[string]string{"alertname": name, "alertstate": "firing", "severity": "page"}, value: float64(s)})
			}
		}
		return out
	})
	got, err := FiredAlerts(context.Background(), http.DefaultClient, f.srv.URL, `{severity="page"}`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	at := func(m int) time.Time { return from.Add(time.Duration(m)*time.Minute + 17*time.Second) }
	want := []struct {
		name            string
		fired, resolved time.Time
	}{
		{"DiskFull", at(10), at(30)}, // last sample at 29:17, resolved a minute on
		{"DiskFull", at(40), at(45)},
		{"DiskFull", at(50), at(55)},
		{"HighCPU", at(9_990), at(10_010)},
		{"HighCPU", at(11_990), time.Time{}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d episodes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Labels["alertname"] != w.name || !g.FiredAt.Equal(w.fired) || !g.ResolvedAt.Equal(w.resolved) {
			t.Errorf("episode %d: %s fired %s resolved %s; want %s fired %s resolved %s", i,
				g.Labels["alertname"], g.FiredAt, g.ResolvedAt, w.name, w.fired, w.resolved)
		}
		if _, ok := g.Labels["alertstate"]; ok {
			t.Errorf("episode %d keeps the alertstate label: %v", i, g.Labels)
		}
	}
	if reqs := f.take(); len(reqs) != 2 {
		t.Errorf("%d requests, want 2 range queries of at most 10,000 steps", len(reqs))
	}
}
