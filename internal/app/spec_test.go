package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const mixedSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos, productOwner: maria}
  runbook: https://wiki.example.com/checkout
  slos:
    - name: receipts
      objective: 50
      window: 7d
      indicator: {ratio: {stream: receipts}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: basket, labels: {team: shop}}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: basket}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Datadog, spec: {query: "sum:basket.ok{*}"}}}
        total: {metricSource: {type: Datadog, spec: {query: "sum:basket.all{*}"}}}
  objectives: [{target: 0.99}]
`

// TestServeLogsSpecWarningsAndShowsWhatIsNotMeasured starts Accord on
// specs with an implausible objective and an SLO measured by Datadog: the
// warnings are logged at start, the Datadog SLO loads with the rest and is
// shown as not measured, in the API and the UI.
func TestServeLogsSpecWarningsAndShowsWhatIsNotMeasured(t *testing.T) {
	var logs syncBuffer
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, mixedSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Token: "tok", Clock: engine.NewManualClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)), Manual: true,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer a.Close()
	for _, want := range []string{
		`level=WARN msg="spec: objective 50% lets 50% of events fail`,
		`level=WARN msg="spec: SLO \"basket\" is not measured (source kind Datadog)`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, ok := a.Engine.SLO("checkout/basket")
	if !ok || v.Source.NotMeasured != "source kind Datadog" || v.Source.Stale {
		t.Errorf("basket source = %+v (found %v)", v.Source, ok)
	}
	if r, _ := a.Engine.SLO("checkout/receipts"); r.Source.NotMeasured != "" {
		t.Errorf("receipts is measured from pushed events, got %+v", r.Source)
	}
	for _, path := range []string{"/", "/slos/checkout/basket"} {
		resp, err := http.Get(a.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "source kind Datadog") {
			t.Errorf("%s does not say the SLO is not measured", path)
		}
	}
}
