package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
)

const gateSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, productOwner: maria.jensen, onCall: {receiver: pos-pager}}
  slos:
    - name: payments
      objective: 99
      window: 7d
      indicator: {ratio: {stream: payments}}
`

// api calls the running server and decodes its JSON answer.
func api(t *testing.T, a *app.App, method, path, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL()+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// createToken creates a token with the bootstrap token and returns its
// secret.
func createToken(t *testing.T, a *app.App, name, role string) string {
	t.Helper()
	var out struct{ Secret string }
	if code := api(t, a, "POST", "/api/v1/tokens", a.Token(), `{"name": "`+name+`", "role": "`+role+`"}`, &out); code != 201 || out.Secret == "" {
		t.Fatalf("create token %s (%s): %d", name, role, code)
	}
	return out.Secret
}

func askGate(t *testing.T, a *app.App) gate.Decision {
	t.Helper()
	var d gate.Decision
	if code := api(t, a, "GET", "/api/v1/gate?service=checkout", "", "", &d); code != 200 {
		t.Fatalf("gate answered %d", code)
	}
	return d
}

// TestIncidentFreezesReleasesUntilTheBudgetRecovers walks the policy
// through an incident on a simulated clock: the budget is exhausted, the
// policy change reaches a webhook, the gate denies, an exception lets
// releases through until it expires, and once the incident leaves the
// window the gate allows again.
func TestIncidentFreezesReleasesUntilTheBudgetRecovers(t *testing.T) {
	h := &hook{}
	rcv := httptest.NewServer(h)
	defer rcv.Close()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, gateSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Token: "tok", WebhookURLs: []string{rcv.URL}, Clock: clock, Manual: true})
	defer a.Close()
	ctx := context.Background()
	hourOf := func(at time.Time, good, total float64) {
		var evs []engine.Event
		for m := 0; m < 60; m++ {
			evs = append(evs, minuteOf(at.Add(time.Duration(m)*time.Minute), good/60, total/60))
		}
		for i := range evs {
			evs[i].Stream = "payments"
		}
		clock.Set(at.Add(time.Hour - time.Second))
		push(t, a, evs)
		if err := a.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A healthy day.
	for h := 0; h < 24; h++ {
		hourOf(start.Add(time.Duration(h)*time.Hour), 60_000, 60_000)
	}
	if d := askGate(t, a); !d.Allow {
		t.Fatalf("healthy: gate denies: %s", d.Reason)
	}
	// The incident: two hours at 50% errors spend 60,000 bad events of a
	// budget of about 1% of 1.56 M events.
	incident := start.Add(24 * time.Hour)
	hourOf(incident, 30_000, 60_000)
	hourOf(incident.Add(time.Hour), 30_000, 60_000)
	v, _ := a.Engine.SLO("checkout/payments")
	if v.Policy.State != "exhausted" {
		t.Fatalf("after the incident the policy state is %q (budget %.2f), want exhausted", v.Policy.State, v.Worst.Budget.RemainingFraction)
	}
	var policy *engine.PolicyChange
	waitHook(t, func() bool {
		for _, n := range h.all() {
			if n.Kind == engine.NotifyPolicy && n.Policy.To == "exhausted" {
				policy = n.Policy
				return true
			}
		}
		return false
	})
	for role, who := range map[string]string{"team": "pos-platform", "product-owner": "maria.jensen", "on-call": "pos-pager"} {
		if policy.Recipients[role] != who {
			t.Errorf("policy notification recipients %v lack %s=%s", policy.Recipients, role, who)
		}
	}
	d := askGate(t, a)
	if d.Allow || !strings.Contains(d.Reason, "exhausted") || len(d.Blocking) != 1 {
		t.Fatalf("exhausted: gate %+v, want a denial naming the exhausted SLO", d)
	}
	var changeOK gate.Decision
	api(t, a, "GET", "/api/v1/gate?service=checkout&change=security", "", "", &changeOK)
	if !changeOK.Allow {
		t.Errorf("a security fix is denied during the freeze: %s", changeOK.Reason)
	}

	// An exception lets releases through, and only with a token; it is
	// granted by the token's name.
	maria := createToken(t, a, "maria.jensen", "operator")
	grant := `{"service": "checkout", "until": "2h", "reason": "card terminal firmware fix"}`
	if code := api(t, a, "POST", "/api/v1/exceptions", "", grant, nil); code != 401 {
		t.Errorf("grant without a token: %d, want 401", code)
	}
	if code := api(t, a, "POST", "/api/v1/exceptions", maria, grant, nil); code != 201 {
		t.Fatalf("grant: %d", code)
	}
	if d := askGate(t, a); !d.Allow || d.Exception == nil || !strings.Contains(d.Reason, "maria.jensen") {
		t.Fatalf("with an exception: gate %+v, want allow by maria.jensen's exception", d)
	}
	clock.Advance(3 * time.Hour) // the exception expires
	if d := askGate(t, a); d.Allow {
		t.Fatalf("after the exception expired the gate allows: %s", d.Reason)
	}

	// Good traffic until the incident leaves the 7-day window.
	for at := incident.Add(3 * time.Hour).Truncate(time.Hour); at.Before(incident.Add(7*24*time.Hour + 4*time.Hour)); at = at.Add(time.Hour) {
		hourOf(at, 60_000, 60_000)
	}
	v, _ = a.Engine.SLO("checkout/payments")
	if d := askGate(t, a); !d.Allow || v.Policy.State != "healthy" {
		t.Fatalf("after recovery: gate %+v, state %s, budget %.2f", d, v.Policy.State, v.Worst.Budget.RemainingFraction)
	}
	var back bool
	for _, n := range h.all() {
		back = back || n.Kind == engine.NotifyPolicy && n.Policy.Healthy
	}
	if !back {
		t.Error("the webhook never heard that the SLO is healthy again")
	}
}
