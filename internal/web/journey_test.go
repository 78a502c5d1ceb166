package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/testenv"
	"github.com/accord-slo/accord/internal/web"
)

const stepsSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: scan
      objective: 99
      window: 7d
      indicator: {ratio: {stream: scan}}
    - name: pay
      objective: 99
      window: 7d
      indicator: {ratio: {stream: pay}}
`

// TestJourneyAnswersWithItsComponentsImpact serves a journey over scan
// and pay, built as the spec loader builds one, and reads it back over
// the API and /metrics.
func TestJourneyAnswersWithItsComponentsImpact(t *testing.T) {
	res := spec.LoadBytes("slos.yaml", []byte(stepsSpec))
	if res.Diags.HasErrors() {
		t.Fatalf("spec errors: %v", res.Diags.Items())
	}
	cat := res.Catalog
	j := cat.SLOs[0]
	j.Name, j.Indicator = "customer-checks-out", slo.Indicator{}
	j.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}, {SLO: "checkout/pay", Weight: 1}}}
	cat.SLOs = append(cat.SLOs, j)
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock})
	if err := e.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := web.New(e, store, web.Options{Auth: mustAuth(t, store, clock), MaxBodyBytes: 4096, MaxBatch: 10})
	s.SetReady(true)
	srv := httptest.NewServer(s)
	defer srv.Close()
	f := &fixture{srv: srv, engine: e, clock: clock}
	body := `{"stream": "scan", "good": 100, "total": 100}` + "\n" + `{"stream": "pay", "good": 90, "total": 100}`
	if code, out := f.post(t, "Bearer "+token, "application/x-ndjson", body); code != http.StatusAccepted {
		t.Fatalf("push: %d %v", code, out)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) []byte {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	var v testenv.JourneyAnswer
	if err := json.Unmarshal(get("/api/v1/slos/checkout/customer-checks-out"), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Journey || v.Status.SLI == nil || *v.Status.SLI != 0.95 {
		t.Fatalf("journey %v, SLI %v; want a journey at 0.95", v.Journey, v.Status.SLI)
	}
	if v.Status.Budget.Consumed != 10 || !near(v.Status.Budget.Total, 2, 1e-9) {
		t.Fatalf("budget %+v, want 10 consumed of 2 allowed (1%% of 200)", v.Status.Budget)
	}
	if len(v.Status.BurnRates) == 0 || !v.Status.BurnRates[0].HasData || !near(v.Status.BurnRates[0].Rate, 5, 1e-9) {
		t.Fatalf("burn rates %+v, want 5 (5%% bad against 1%%)", v.Status.BurnRates)
	}
	if len(v.Components) != 2 || v.Components[0].SLO != "checkout/scan" || v.Components[0].SpentShare != 0 ||
		v.Components[1].SLO != "checkout/pay" || v.Components[1].SpentShare != 1 || v.Components[1].Good != 90 ||
		v.Components[1].Total != 100 || *v.Components[1].SLI != 0.9 || v.Components[1].Weight != 1 {
		t.Fatalf("components %+v, want pay to have caused all the spent budget", v.Components)
	}
	var h struct {
		Points []struct {
			Good  float64 `json:"good"`
			Total float64 `json:"total"`
		} `json:"points"`
	}
	if err := json.Unmarshal(get("/api/v1/slos/checkout/customer-checks-out/history?step=1h"), &h); err != nil {
		t.Fatal(err)
	}
	var good, total float64
	for _, p := range h.Points {
		good, total = good+p.Good, total+p.Total
	}
	if good != 190 || total != 200 {
		t.Fatalf("history holds %v good of %v, want 190 of 200", good, total)
	}
	metrics := string(get("/metrics"))
	if !strings.Contains(metrics, `accord_slo_sli_ratio{service="checkout",slo="customer-checks-out",team="pos-platform"} 0.95`) {
		t.Fatalf("/metrics lacks the journey's SLI:\n%s", grepLines(metrics, "customer-checks-out"))
	}
}

func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
