package app_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

var pg = testenv.NewPostgres()

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// TestFollowerServesWhatTheLeaderDecided runs two replicas on one
// PostgreSQL on a simulated clock, stepped by hand: events pushed to the
// follower count on the leader, the leader's freeze and page show on the
// follower's gate and alerts, an exception or a maintenance window
// recorded on one replica holds on the other, and when the leader shuts
// down the follower takes over where it stopped. The follower also shows
// the leader's view of a failing Prometheus.
func TestFollowerServesWhatTheLeaderDecided(t *testing.T) {
	h := &hook{}
	rcv := httptest.NewServer(h)
	defer rcv.Close()
	url := pg.Database(t)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	// The second SLO is measured from a Prometheus that does not answer.
	spec := writeSpec(t, gateSpec+`    - name: card-auth
      objective: 99
      window: 7d
      indicator:
        ratio:
          bad: {counter: 'auth_total{outcome="error"}'}
          total: {counter: auth_total}
`)
	replica := func() *app.App {
		return startApp(t, app.Options{SpecPaths: []string{spec}, Database: url, Addr: "127.0.0.1:0", Token: "tok",
			WebhookURLs: []string{rcv.URL}, Clock: clock, Manual: true, PrometheusURL: "http://127.0.0.1:1"})
	}
	leader, follower := replica(), replica()
	defer follower.Close()
	if !leader.Leading() || follower.Leading() {
		t.Fatalf("leading: first %v, second %v; want the first replica to lead alone", leader.Leading(), follower.Leading())
	}
	ctx := context.Background()
	step := func(as ...*app.App) {
		t.Helper()
		for _, a := range as {
			if err := a.Step(ctx); err != nil && !strings.Contains(err.Error(), "card-auth") {
				t.Fatal(err) // only the dead Prometheus may fail
			}
		}
	}
	// An hour at 50% errors, pushed to the follower.
	var evs []engine.Event
	for m := 0; m < 60; m++ {
		evs = append(evs, minuteOf(start.Add(time.Duration(m)*time.Minute), 500, 1000))
	}
	push(t, follower, evs)
	step(leader, follower)
	lv, _ := leader.Engine.SLO("checkout/payments")
	if lv.Status.Counts.Total != 60_000 || lv.Policy.State != "exhausted" {
		t.Fatalf("leader: %v events, policy %q; want the follower's 60,000 events and an exhausted budget", lv.Status.Counts.Total, lv.Policy.State)
	}
	waitHook(t, func() bool { return len(h.all()) > 0 })
	delivered := len(h.all())

	if d := askGate(t, follower); d.Allow || !strings.Contains(d.Reason, "exhausted") {
		t.Errorf("the follower's gate: %+v; want the leader's freeze", d)
	}
	var alerts struct {
		Alerts []engine.Alert `json:"alerts"`
	}
	api(t, follower, "GET", "/api/v1/alerts", "", "", &alerts)
	if len(alerts.Alerts) == 0 || alerts.Alerts[0].State != engine.AlertFiring || alerts.Alerts[0].Labels["team"] != "pos-platform" {
		t.Errorf("the follower's alerts: %+v; want the leader's firing page", alerts.Alerts)
	}
	if v, _ := follower.Engine.SLO("checkout/card-auth"); !v.Source.Stale || !strings.Contains(v.Source.Error, "127.0.0.1:1") {
		t.Errorf("the follower's card-auth source: %+v; want it stale, as the leader found it", v.Source)
	}
	if got := h.all(); len(got) != delivered {
		t.Errorf("the follower's step delivered %d more notifications; only the leader delivers", len(got)-delivered)
	}

	// An exception granted through the follower opens the leader's gate.
	grant := `{"service": "checkout", "until": "2h", "reason": "fix"}`
	if code := api(t, follower, "POST", "/api/v1/exceptions", "tok", grant, nil); code != 201 {
		t.Fatalf("grant on the follower: %d", code)
	}
	if d := askGate(t, leader); !d.Allow || d.Exception == nil {
		t.Errorf("the leader's gate after the follower's exception: %+v; want allow", d)
	}

	// A maintenance window recorded on the leader takes the hour out of
	// both replicas' budgets, and later events in it count on neither.
	maint := `{"kind": "maintenance", "service": "checkout", "start": "2026-11-01T00:00:00Z", "end": "2026-11-01T01:00:00Z", "excludeFromBudget": true}`
	if code := api(t, leader, "POST", "/api/v1/annotations", "tok", maint, nil); code != 201 {
		t.Fatalf("maintenance on the leader: %d", code)
	}
	step(follower)
	push(t, follower, []engine.Event{minuteOf(start.Add(30*time.Minute), 0, 10)})
	step(leader, follower)
	for name, a := range map[string]*app.App{"leader": leader, "follower": follower} {
		if v, _ := a.Engine.SLO("checkout/payments"); v.Status.Counts.Total != 0 {
			t.Errorf("%s counts %v events after the maintenance window was excluded, want 0", name, v.Status.Counts.Total)
		}
	}

	// The leader shuts down and hands over; the follower delivers on from
	// where it stopped, repeating nothing.
	before := len(h.all())
	if err := leader.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	push(t, follower, []engine.Event{minuteOf(clock.Now().Add(-time.Minute), 0, 5000)})
	step(follower)
	if !follower.Leading() {
		t.Fatal("after the leader resigned the follower does not lead")
	}
	waitHook(t, func() bool { return len(h.all()) > before })
	if n := h.all()[before]; n.Kind != engine.NotifyAlert || n.Alert.State != engine.AlertFiring {
		t.Errorf("the new leader's first notification: %+v; want the page firing again", n)
	}
	seen := map[int64]bool{}
	for _, n := range h.all() {
		if seen[n.ID] {
			t.Errorf("notification %d delivered twice across a graceful handover", n.ID)
		}
		seen[n.ID] = true
	}
}
