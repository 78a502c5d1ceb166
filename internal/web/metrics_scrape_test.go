package web_test

import (
	"strings"
	"testing"
)

// TestMetricsScrapePaths scrapes the 1,000-SLO server whole, one team's
// SLOs, and everything but the SLOs: each holds what it says and no more.
func TestMetricsScrapePaths(t *testing.T) {
	s := mustSeed(t, catalogOf1000())
	lines := func(body, prefix string) (n int) {
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	scrape := func(path string) string {
		t.Helper()
		code, body := s.get(t, path)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		return body
	}
	all := scrape("/metrics")
	if n := lines(all, "accord_slo_objective_ratio{"); n != 1000 {
		t.Errorf("/metrics has %d objectives, want 1,000", n)
	}
	if lines(all, "accord_events_ingested_total") == 0 {
		t.Error("/metrics lacks the server's own metrics")
	}
	team := scrape("/metrics?team=team-03")
	if n := lines(team, "accord_slo_objective_ratio{"); n != 40 {
		t.Errorf("/metrics?team=team-03 has %d objectives, want the team's 40", n)
	}
	if strings.Contains(team, `team="team-04"`) || lines(team, "accord_events_") > 0 {
		t.Error("/metrics?team=team-03 holds more than the team's SLOs")
	}
	if len(team)*10 > len(all) {
		t.Errorf("one team's scrape is %d bytes of %d", len(team), len(all))
	}
	svc := scrape("/metrics?service=service-07")
	if n := lines(svc, "accord_slo_objective_ratio{"); n != 20 {
		t.Errorf("/metrics?service=service-07 has %d objectives, want 20", n)
	}
	rest := scrape("/metrics?slos=false")
	if lines(rest, "accord_slo_") > 0 || lines(rest, "accord_events_ingested_total") == 0 {
		t.Error("/metrics?slos=false should hold the server's metrics and no SLO's")
	}
	if code, _ := s.get(t, "/metrics?slos=maybe"); code != 400 {
		t.Errorf("/metrics?slos=maybe: %d, want 400", code)
	}
}
