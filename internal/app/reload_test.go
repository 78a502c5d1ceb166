package app_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

const reloadSpecBefore = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: payments, objective: 99.9, window: 7d, indicator: {ratio: {stream: payments}}}
    - {name: refunds, objective: 99.9, window: 7d, indicator: {ratio: {stream: refunds}}}
    - {name: scans, objective: 99, window: 7d, indicator: {ratio: {stream: scans}}}
`

// reloadSpecAfter keeps payments, removes refunds, lowers the objective of
// scans and adds returns.
const reloadSpecAfter = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: returns, objective: 99, window: 7d, indicator: {ratio: {stream: returns}}}
    - {name: payments, objective: 99.9, window: 7d, indicator: {ratio: {stream: payments}}}
    - {name: scans, objective: 95, window: 7d, indicator: {ratio: {stream: scans}}}
`

// TestReloadKeepsWhatIsUnchangedAndEndsWhatIsRemoved reloads specs through
// the API of a running server: a broken spec is refused and changes
// nothing; then an added SLO starts, a removed one stops and its firing
// page is resolved to the receiver, and the unchanged and changed ones
// keep their counts and their firing alerts.
func TestReloadKeepsWhatIsUnchangedAndEndsWhatIsRemoved(t *testing.T) {
	h := &hook{}
	rcv := httptest.NewServer(h)
	defer rcv.Close()
	spec := writeSpec(t, reloadSpecBefore)
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	a := serveLimited(t, app.Options{SpecPaths: []string{spec}, WebhookURLs: []string{rcv.URL}, Clock: clock})

	// An hour of failures on every stream: each SLO pages.
	var events []engine.Event
	for m := 0; m < 60; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		for _, stream := range []string{"payments", "refunds", "scans"} {
			good, total := 0.0, 100.0
			events = append(events, engine.Event{Stream: stream, Time: at, Good: &good, Total: &total})
		}
	}
	clock.Set(start.Add(time.Hour))
	push(t, a, events)
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	firing := func(id string) *engine.Alert {
		v, ok := a.Engine.SLO(id)
		if !ok {
			return nil
		}
		for _, al := range v.Alerts {
			if al.Rule == "fast" && al.State == engine.AlertFiring {
				return &al
			}
		}
		return nil
	}
	paymentsPage := firing("checkout/payments")
	if paymentsPage == nil || firing("checkout/refunds") == nil || firing("checkout/scans") == nil {
		t.Fatal("an hour of failures did not page every SLO")
	}
	waitHook(t, func() bool {
		fast := 0
		for _, n := range h.all() {
			if n.Alert.Rule == "fast" && n.Alert.State == engine.AlertFiring {
				fast++
			}
		}
		return fast == 3
	})

	// A broken spec changes nothing.
	broken := strings.Replace(reloadSpecAfter, "objective: 95", "objective: 950", 1)
	if err := os.WriteFile(spec, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/reload", ""); ans.status != 400 || !strings.Contains(ans.body, "slos.yaml:9") ||
		!strings.Contains(ans.body, "the running SLOs stay") {
		t.Errorf("reload of a broken spec: %d %s, want 400 naming the file and line", ans.status, ans.body)
	}
	if _, ok := a.Engine.SLO("checkout/refunds"); !ok {
		t.Error("a refused reload removed checkout/refunds")
	}
	if code := api(t, a, "POST", "/api/v1/reload", "", "", nil); code != 401 {
		t.Errorf("reload without the token: %d, want 401", code)
	}

	if err := os.WriteFile(spec, []byte(reloadSpecAfter), 0o644); err != nil {
		t.Fatal(err)
	}
	ans := call(t, "POST", a.URL()+"/api/v1/reload", "")
	var res engine.ReloadResult
	if err := json.Unmarshal([]byte(ans.body), &res); ans.status != 200 || err != nil {
		t.Fatalf("reload: %d %s", ans.status, ans.body)
	}
	if !slices.Equal(res.Added, []string{"checkout/returns"}) || !slices.Equal(res.Removed, []string{"checkout/refunds"}) ||
		!slices.Equal(res.Changed, []string{"checkout/scans"}) || res.Unchanged != 1 {
		t.Errorf("reload result %+v, want returns added, refunds removed, scans changed, one unchanged", res)
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"checkout/payments", "checkout/scans"} {
		v, _ := a.Engine.SLO(id)
		if v.Status.Counts.Total != 6000 {
			t.Errorf("%s counts %v events after the reload, want the 6000 before it", id, v.Status.Counts.Total)
		}
	}
	if p := firing("checkout/payments"); p == nil || !p.FiredAt.Equal(paymentsPage.FiredAt) {
		t.Errorf("the payments page after the reload: %+v, want it firing since %s", p, paymentsPage.FiredAt)
	}
	if firing("checkout/scans") == nil {
		t.Error("the changed scans SLO lost its firing page")
	}
	if _, ok := a.Engine.SLO("checkout/refunds"); ok {
		t.Error("the removed refunds SLO is still measured")
	}
	waitHook(t, func() bool {
		for _, n := range h.all() {
			if n.Alert.SLO == "checkout/refunds" && n.Alert.State == engine.AlertResolved {
				return true
			}
		}
		return false
	})
	for _, n := range h.all() {
		if n.Alert.SLO == "checkout/refunds" && n.Alert.State == engine.AlertResolved && n.Labels["slo"] != "refunds" {
			t.Errorf("the resolved notification of refunds carries labels %v", n.Labels)
		}
		if n.Alert.SLO != "checkout/refunds" && n.Alert.State == engine.AlertResolved {
			t.Errorf("the reload resolved %s %s, which still fires", n.Alert.SLO, n.Alert.Rule)
		}
	}

	// Events find the new stream and no longer the removed one.
	if ans := call(t, "POST", a.URL()+"/api/v1/events", `{"stream":"returns","outcome":"good"}`); ans.status != 202 {
		t.Errorf("an event for the added SLO: %d %s", ans.status, ans.body)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/events", `{"stream":"refunds","outcome":"good"}`); ans.status != 400 {
		t.Errorf("an event for the removed SLO: %d, want 400", ans.status)
	}
}
