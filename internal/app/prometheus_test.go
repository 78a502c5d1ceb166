package app_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/testenv"
)

// exporter serves counters that grow by 1,000 requests per scrape, 2% of
// them errors, so any increase Prometheus computes has an error ratio of
// exactly 2%, whatever the scrape timing.
type exporter struct {
	mu      sync.Mutex
	scrapes int
}

func (e *exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.scrapes++
	n := e.scrapes
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# TYPE shop_requests_total counter\n")
	fmt.Fprintf(w, "shop_requests_total{code=\"200\",store=\"s1\"} %d\n", n*980)
	fmt.Fprintf(w, "shop_requests_total{code=\"500\",store=\"s1\"} %d\n", n*20)
}

const shopSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: availability
      objective: 99
      window: 1d
      indicator:
        ratio:
          bad: {counter: 'shop_requests_total{code=~"5.."}'}
          total: {counter: 'shop_requests_total'}
`

// TestPrometheusSLIMatchesTheExporter has a real Prometheus scrape an
// exporter with a known 2% error rate; Accord's SLI and budget must agree
// within 0.1 percentage points.
func TestPrometheusSLIMatchesTheExporter(t *testing.T) {
	exp := httptest.NewServer(&exporter{})
	defer exp.Close()
	promURL := testenv.StartPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, shopSpec)}, DataDir: t.TempDir(),
		Addr: "127.0.0.1:0", PrometheusURL: promURL, SourceLag: 2 * time.Second, Manual: true})
	defer a.Close()

	// Prometheus needs a whole minute of scrapes before the first minute's
	// increase exists; the source records complete minutes only.
	testenv.WaitFor(t, 150*time.Second, "Accord to measure a complete minute", func() bool {
		_ = a.Step(context.Background()) // a failing first query marks the SLO stale, then retries
		v, _ := a.Engine.SLO("shop/availability")
		return v.Status.SLI != nil && v.Status.Counts.Total >= 1000
	})
	v, _ := a.Engine.SLO("shop/availability")
	if sli := *v.Status.SLI; math.Abs(sli-0.98) > 0.001 {
		t.Errorf("SLI %.4f, want 0.98 within 0.1 pp (counts %+v)", sli, v.Status.Counts)
	}
	// 2% errors against a 1% budget: twice the budget spent.
	if rem := v.Status.Budget.RemainingFraction; math.Abs(rem-(-1)) > 0.1 {
		t.Errorf("budget remaining %.3f, want -1 (2%% errors spend a 1%% budget twice)", rem)
	}
	if v.Source.Stale {
		t.Errorf("the source is stale after a successful query: %+v", v.Source)
	}
}
