package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
	"github.com/accord-slo/accord/internal/testenv"
)

const paymentsSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, onCall: {receiver: pos-pager, labels: {route: pos}}}
  runbook: https://runbooks.test/checkout
  slos:
    - name: payments
      displayName: Card payments succeed
      objective: 99.9
      window: 30d
      indicator: {ratio: {stream: payments}}
`

// hook is a webhook receiver that records what it is sent.
type hook struct {
	mu  sync.Mutex
	got []engine.Notification
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg notify.WebhookMessage
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, msg.Notifications...)
	h.mu.Unlock()
}

func (h *hook) states() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, n := range h.got {
		if n.Kind == engine.NotifyAlert {
			out = append(out, n.Alert.Rule+":"+string(n.Alert.State))
		}
	}
	return out
}

func (h *hook) all() []engine.Notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]engine.Notification(nil), h.got...)
}

// waitHook waits for the webhook to have received something.
func waitHook(t *testing.T, cond func() bool) {
	t.Helper()
	testenv.WaitFor(t, 10*time.Second, "the webhook notification", cond)
}

func writeSpec(t testing.TB, body string) string {
	t.Helper()
	return writeSpecIn(t, t.TempDir(), body)
}

// writeSpecIn writes a spec file into dir and returns its path.
func writeSpecIn(tb testing.TB, dir, body string) string {
	tb.Helper()
	path := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func startApp(t testing.TB, opts app.Options) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func push(t *testing.T, a *app.App, events []engine.Event) {
	t.Helper()
	if err := a.Engine.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

func minuteOf(at time.Time, good, total float64) engine.Event {
	return engine.Event{Stream: "payments", Time: at, Good: &good, Total: &total}
}

// TestOutagePagesAlertmanagerOnceAcrossARestart runs a full outage through
// Accord and a real Alertmanager: the fast page fires within the detection
// time the SRE Workbook predicts, Alertmanager notifies its receiver once,
// Accord restarts while the alert fires, and the resolution is sent once.
func TestOutagePagesAlertmanagerOnceAcrossARestart(t *testing.T) {
	am := testenv.StartAlertmanager(t)
	h := &hook{}
	rcv := httptest.NewServer(h)
	defer rcv.Close()

	// A day of healthy traffic that ends a little before the wall clock.
	outageStart := time.Now().Truncate(time.Minute).Add(-30 * time.Minute)
	clock := engine.NewManualClock(outageStart.Add(-24 * time.Hour))
	opts := app.Options{SpecPaths: []string{writeSpec(t, paymentsSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		AlertmanagerURLs: []string{am.URL}, WebhookURLs: []string{rcv.URL}, Clock: clock, Manual: true}
	a := startApp(t, opts)
	var day []engine.Event
	for at := clock.Now(); at.Before(outageStart); at = at.Add(time.Minute) {
		day = append(day, minuteOf(at, 1000, 1000))
	}
	clock.Set(outageStart)
	push(t, a, day)

	// A full outage: every payment fails. Burn rate 1/0.001 = 1000, so the
	// fast page (14.4× over 1h and 5m) should fire once the hour holds
	// 14.4/1000 of an hour of errors: 52 seconds, i.e. within the first
	// minute evaluated after it.
	detect := time.Duration(float64(time.Hour) * 14.4 / 1000)
	var firedAt time.Time
	for m := 0; m < 10 && firedAt.IsZero(); m++ {
		at := outageStart.Add(time.Duration(m) * time.Minute)
		clock.Set(at.Add(59 * time.Second))
		push(t, a, []engine.Event{minuteOf(at, 0, 1000)})
		if err := a.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, al := range a.Engine.Alerts(time.Time{}) {
			if al.Rule == "fast" && al.State == engine.AlertFiring {
				firedAt = al.FiredAt
			}
		}
	}
	if firedAt.IsZero() {
		t.Fatal("the fast page never fired during a full outage")
	}
	if took := firedAt.Sub(outageStart); took > detect.Truncate(time.Minute)+time.Minute {
		t.Errorf("the page fired %s into the outage; the Workbook predicts %s (plus one evaluation)", took, detect)
	}
	testenv.WaitFor(t, 20*time.Second, "Alertmanager to notify the page", func() bool {
		for _, n := range am.Received() {
			if n.Labels["burn_window"] == "1h/5m" && n.Status == "firing" {
				return true
			}
		}
		return false
	})
	got := am.Received()[0]
	for k, want := range map[string]string{"slo": "payments", "service": "checkout", "team": "pos-platform", "severity": "page", "route": "pos"} {
		if got.Labels[k] != want {
			t.Errorf("Alertmanager alert label %s = %q, want %q (labels %v)", k, got.Labels[k], want, got.Labels)
		}
	}

	// A second minute of the outage spends the rest of the budget of a
	// day's traffic: the policy's change reaches Alertmanager as its own
	// alert, labelled with the people the policy names.
	next := clock.Now().Truncate(time.Minute).Add(time.Minute)
	clock.Set(next.Add(59 * time.Second))
	push(t, a, []engine.Event{minuteOf(next, 0, 1000)})
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 20*time.Second, "Alertmanager to notify the policy state", func() bool {
		for _, n := range am.Received() {
			if n.Labels["alertname"] == "ErrorBudgetPolicy" && n.Status == "firing" && n.Labels["policy_state"] == "exhausted" &&
				n.Labels["notify_on_call"] == "pos-pager" && n.Labels["notify_team"] == "pos-platform" {
				return true
			}
		}
		return false
	})

	// Links in notifications lead to the SLO's page on the address the
	// server really listens on (port 0 picked one).
	waitHook(t, func() bool {
		for _, n := range h.all() {
			if n.Kind == engine.NotifyAlert && n.Alert.State == engine.AlertFiring {
				if want := a.URL() + "/slos/checkout/payments"; n.URL != want || n.Annotations["slo_url"] != want {
					t.Errorf("notification links to %q (slo_url %q), want %q", n.URL, n.Annotations["slo_url"], want)
				}
				return true
			}
		}
		return false
	})

	// Restart while the page fires: nothing is sent again.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = startApp(t, opts)
	defer a.Close()
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The outage ends; the 5-minute window clears within minutes.
	end := clock.Now().Truncate(time.Minute).Add(time.Minute)
	resolved := false
	for m := 0; m < 15 && !resolved; m++ {
		at := end.Add(time.Duration(m) * time.Minute)
		clock.Set(at.Add(59 * time.Second))
		push(t, a, []engine.Event{minuteOf(at, 1000, 1000)})
		if err := a.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
		resolved = true
		for _, al := range a.Engine.Alerts(time.Time{}) {
			if al.Severity == "page" && al.State != engine.AlertResolved {
				resolved = false // the slow tickets may go on; the pages must end
			}
		}
	}
	if !resolved {
		t.Fatal("the pages did not resolve after the outage ended")
	}
	testenv.WaitFor(t, 20*time.Second, "Alertmanager to notify the resolution", func() bool {
		for _, n := range am.Received() {
			if n.Labels["burn_window"] == "1h/5m" && n.Status == "resolved" {
				return true
			}
		}
		return false
	})
	var fast []string
	for _, n := range am.Received() {
		if n.Labels["burn_window"] == "1h/5m" {
			fast = append(fast, n.Status)
		}
	}
	if len(fast) != 2 || fast[0] != "firing" || fast[1] != "resolved" {
		t.Errorf("Alertmanager notified the fast page as %v, want [firing resolved]", fast)
	}
	var webhook []string
	for _, s := range h.states() {
		if strings.HasPrefix(s, "fast:") {
			webhook = append(webhook, s)
		}
	}
	if len(webhook) != 2 || webhook[0] != "fast:firing" || webhook[1] != "fast:resolved" {
		t.Errorf("the webhook got %v, want [fast:firing fast:resolved]", webhook)
	}
}
