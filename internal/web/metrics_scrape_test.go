package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
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

// TestMetricsScrapeIsAValidExpositionInEveryFormat scrapes a catalog
// with grouped SLOs and firing alerts as text and as protobuf: each
// parses, and in each family every sample has its own
// label set, with names in order, as a registry would check.
func TestMetricsScrapeIsAValidExpositionInEveryFormat(t *testing.T) {
	s := mustSeed(t, catalogOf1000())
	for _, accept := range []string{"text/plain;version=0.0.4",
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", accept, rec.Code)
		}
		dec := expfmt.NewDecoder(rec.Body, expfmt.ResponseFormat(rec.Result().Header))
		families := map[string]bool{}
		for {
			var f dto.MetricFamily
			err := dec.Decode(&f)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", accept, err)
			}
			if families[f.GetName()] {
				t.Errorf("%s: family %s twice", accept, f.GetName())
			}
			families[f.GetName()] = true
			seen := map[string]bool{}
			for _, m := range f.GetMetric() {
				var sig []string
				for _, l := range m.GetLabel() {
					sig = append(sig, l.GetName()+"="+l.GetValue())
				}
				if !sort.SliceIsSorted(m.GetLabel(), func(i, j int) bool { return m.GetLabel()[i].GetName() < m.GetLabel()[j].GetName() }) {
					t.Errorf("%s: %s%v: labels out of order", accept, f.GetName(), sig)
				}
				if k := strings.Join(sig, ","); seen[k] {
					t.Errorf("%s: %s{%s} twice", accept, f.GetName(), k)
				} else {
					seen[k] = true
				}
			}
		}
		for _, want := range []string{"accord_slo_sli_ratio", "accord_slo_burn_rate", "accord_slo_alert_firing", "accord_slo_policy_state",
			"accord_slo_groups", "accord_events_ingested_total"} {
			if !families[want] {
				t.Errorf("%s: no family %s", accept, want)
			}
		}
	}
}
