package rules_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/sqlite"
)

// groupedSpec is a grouped SLO with labels at every level the engine
// merges, one of them named like the group-by label.
const groupedSpec = `    - name: pay
      displayName: Payments
      objective: 99.9
      window: 30d
      groupBy: [store]
      labels: {journey: pay, store: not-this}
      indicator: {ratio: {bad: {counter: e}, total: {counter: t}}}
      alerting:
        name: PaymentsBurn
        labels: {tier: "1"}
        annotations: {summary: 'Payments fail in store {{ $labels.store }}'}
        page: {labels: {urgency: high}}
        burnRates:
          - {severity: page, factor: 14.4, longWindow: 1h, shortWindow: 5m}
          - {severity: ticket, factor: 1, longWindow: 3d, shortWindow: 6h, for: 1h}
`

// TestAlertsCarryTheEnginesLabels checks that each alert rule, with the
// group's labels its series bring, gives exactly the labels the engine's
// alert for the same rule and group has.
func TestAlertsCarryTheEnginesLabels(t *testing.T) {
	cat := catalogOf(t, serviceSpec(groupedSpec))
	res := mustGenerate(t, cat)
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	clock := engine.NewManualClock(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	e := engine.New(engine.Options{Catalog: *cat, Store: store, Clock: clock})
	if err := e.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	group := engine.GroupKey(map[string]string{"store": "s1"})
	for m := range 120 { // two hours of errors: both rules fire
		at := clock.Now()
		if err := e.Record(ctx, []engine.Count{{SLO: "shop/pay", Group: group, Kind: engine.KindEvents,
			Minute: engine.UnixMinute(at), Counts: engine.Counts{Good: 0, Total: 10}}}); err != nil {
			t.Fatal(err)
		}
		clock.Set(at.Add(time.Minute))
		if err := e.Evaluate(ctx); err != nil {
			t.Fatalf("minute %d: %v", m, err)
		}
	}
	engineLabels := map[string]map[string]string{}
	for _, a := range e.Alerts(time.Time{}) {
		if a.State == engine.AlertFiring && a.Group == group {
			engineLabels[a.Windows] = a.Labels
		}
	}
	var alerts int
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Alert == "" {
			continue
		}
		alerts++
		got := maps.Clone(r.Labels)
		got["alertname"], got["store"] = r.Alert, "s1" // what Prometheus adds
		want, ok := engineLabels[r.Labels["burn_window"]]
		if !ok {
			t.Errorf("the engine has no firing alert for %s", r.Labels["burn_window"])
			continue
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s labels:\n got %v\nwant %v (the engine's)", r.Labels["burn_window"], got, want)
		}
		if r.Annotations["summary"] != "Payments fail in store {{ $labels.store }}" {
			t.Errorf("a templated summary is Prometheus' to render, got %q", r.Annotations["summary"])
		}
		if r.Annotations["runbook_url"] != "https://runbooks.test/shop" {
			t.Errorf("runbook_url = %q, want the service's runbook", r.Annotations["runbook_url"])
		}
	}
	if alerts != 2 {
		t.Errorf("%d alert rules, want 2", alerts)
	}
	if f := findRule(t, res, "3d/6h").For; f != "1h" {
		t.Errorf("the 3d/6h rule waits %q, want 1h", f)
	}
}

func findRule(t *testing.T, res *rules.Result, window string) rules.Rule {
	t.Helper()
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Alert != "" && r.Labels["burn_window"] == window {
			return r
		}
	}
	t.Fatalf("no alert for %s", window)
	return rules.Rule{}
}
