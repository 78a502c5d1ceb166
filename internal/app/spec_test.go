package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

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
	// Read before Start: only New has logged yet, and no goroutine writes.
	var logs bytes.Buffer
	ctx := context.Background()
	a, err := app.New(ctx, app.Options{SpecPaths: []string{writeSpec(t, mixedSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Token: "tok", Clock: engine.NewManualClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)), Manual: true,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, want := range []string{
		`level=WARN msg="spec: objective 50% lets 50% of events fail`,
		`level=WARN msg="spec: SLO \"basket\" is not measured (source kind Datadog)`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Step(ctx); err != nil {
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

// TestServeLeavesOutExcludedSpecs: --exclude keeps a file of a spec
// directory out, at start and on reload, as validate does.
func TestServeLeavesOutExcludedSpecs(t *testing.T) {
	dir := t.TempDir()
	writeSpecIn(t, dir, gateSpec)
	broken := filepath.Join(dir, "draft.yaml")
	if err := os.WriteFile(broken, []byte("apiVersion: accord/v1\nkind: Service\nmetadata: {name: draft}\nspec: {slos: [{name: x}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := app.Options{SpecPaths: []string{dir}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Token: "tok", Manual: true,
		Clock: engine.NewManualClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))}
	if _, err := app.New(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "draft.yaml") {
		t.Fatalf("without --exclude the draft's errors stop the start: %v", err)
	}
	opts.SpecExclude = []string{"draft.yaml"}
	a := startApp(t, opts)
	if _, err := a.Reload(context.Background()); err != nil {
		t.Fatalf("reload with the draft excluded: %v", err)
	}
	if _, ok := a.Engine.SLO("checkout/payments"); !ok || len(a.Catalog.SLOs) != 1 {
		t.Errorf("SLOs %d, want checkout/payments alone", len(a.Catalog.SLOs))
	}
}
