package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// shopWithFiller is a journey "checks-out" over a scan and a payment
// grouped by store, nested in a journey "visit", beside filler SLOs of
// another team; stores is how many stores pay, filler how many SLOs
// stand beside the journeys; with fillerJourneys, every tenth of those is
// a journey over the two before it.
func shopWithFiller(filler, stores int, fillerJourneys bool) seed {
	var b strings.Builder
	b.WriteString(`apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: tills}
  slos:
    - {name: scan, objective: 99, window: 7d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 7d, groupBy: [store], indicator: {ratio: {stream: pay}}}
    - name: checks-out
      objective: 99
      window: 7d
      composite: {components: [{slo: scan}, {slo: pay}]}
    - name: visit
      objective: 99
      window: 7d
      composite: {components: [{slo: checks-out}, {slo: scan}]}
---
apiVersion: accord/v1
kind: Service
metadata: {name: filler}
spec:
  owners: {team: others}
  slos:
`)
	for i := range filler {
		if fillerJourneys && i%10 == 9 {
			fmt.Fprintf(&b, "    - {name: f-%d, objective: 99, window: 7d, composite: {components: [{slo: f-%d}, {slo: f-%d}]}}\n", i, i-1, i-2)
			continue
		}
		fmt.Fprintf(&b, "    - {name: f-%d, objective: 99, window: 7d, indicator: {ratio: {stream: f}}}\n", i)
	}
	flows := []flow{steady("scan", 100, 0), steady("f", 10, 0)}
	for i := range stores {
		f := steady("pay", 10, 0)
		if i == 0 {
			f = steady("pay", 10, 0.5)
		}
		f.labels = map[string]string{"store": fmt.Sprintf("store-%03d", i)}
		flows = append(flows, f)
	}
	return seed{spec: b.String(), span: time.Hour, step: 10 * time.Minute, flows: flows}
}

// TestJourneyPagesDoTheSameWorkInAnyCatalog counts the allocations of a
// journey's page, a component's page and the overview of the journeys'
// team: they must not grow with the SLOs beside them (once, each page
// indexed the whole catalog to describe a journey's components).
func TestJourneyPagesDoTheSameWorkInAnyCatalog(t *testing.T) {
	paths := []string{"/slos/shop/visit", "/slos/shop/checks-out", "/slos/shop/scan", "/?team=tills"}
	cost := func(filler, stores int) map[string]float64 {
		s := mustSeed(t, shopWithFiller(filler, stores, false))
		if page := s.mustGet(t, "/slos/shop/visit"); !strings.Contains(page, "pay") || !strings.Contains(page, "tills") {
			t.Fatalf("the visit's page does not name pay and its team:\n%s", page)
		}
		out := map[string]float64{}
		for _, path := range paths {
			out[path] = testing.AllocsPerRun(5, func() {
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: %d", path, rec.Code)
				}
			})
		}
		return out
	}
	small, wide := cost(20, 2), cost(2020, 2)
	for _, path := range paths {
		// 2,000 more SLOs: an index of them costs at least one
		// allocation each. The margin is for the store's background
		// work, which allocates meanwhile.
		if d := wide[path] - small[path]; d > 500 {
			t.Errorf("GET %s: %.0f allocations among 20 other SLOs, %.0f among 2,020: it indexes the catalog", path, small[path], wide[path])
		}
	}
	t.Logf("allocations per page: 20 others %v; 2,020 others %v", small, wide)
}

// BenchmarkJourneyPages10k answers the pages that describe journeys
// among 10,000 SLOs, 1,000 of them journeys (each over two SLOs): a
// journey's page (nested, whose cause is followed down), a component's
// page, the overview of the journeys' team, and a scrape of /metrics,
// which has every journey's components.
func BenchmarkJourneyPages10k(b *testing.B) {
	s := mustSeed(b, shopWithFiller(9996, 2, true))
	for _, path := range []string{"/slos/shop/visit", "/slos/shop/scan", "/?team=tills", "/metrics"} {
		b.Run(strings.NewReplacer("/", "_", "?", "_").Replace(path), func(b *testing.B) {
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, rec.Code)
				}
			}
			b.ReportMetric(float64((testenv.ProcessCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
