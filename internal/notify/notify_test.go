package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/store"
)

// receiver is a webhook endpoint that fails its first failures requests.
type receiver struct {
	mu       sync.Mutex
	failures int
	got      []engine.Notification
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.failures--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var msg notify.WebhookMessage
	if err := json.NewDecoder(req.Body).Decode(&msg); err != nil || msg.Version != "1" {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	r.got = append(r.got, msg.Notifications...)
}

func (r *receiver) rules() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.got {
		out = append(out, n.Alert.Rule+":"+string(n.Alert.State))
	}
	return out
}

func note(rule string, state engine.AlertState) engine.Notification {
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	return engine.Notification{At: at, Alert: engine.Alert{SLO: "checkout/payments", Group: "{}", Rule: rule, Severity: "page", State: state, FiredAt: at},
		Labels: map[string]string{"alertname": "ErrorBudgetBurn", "severity": "page"}}
}

func TestWebhookDeliveryRetriesAndResumesWithoutRepeats(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{failures: 1}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	hook := &notify.Webhook{URL: srv.URL}
	d, err := notify.NewDispatcher(ctx, notify.Options{Outbox: store, Channels: []notify.Channel{hook}, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveAlerts(ctx, nil, []engine.Notification{note("fast", engine.AlertFiring)}); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx); err == nil {
		t.Fatal("the first delivery met a 503 but Deliver reported no error")
	}
	if got := rcv.rules(); len(got) != 0 {
		t.Fatalf("a failed request delivered %v", got)
	}
	// Retry once the backoff has passed.
	deadline := time.Now().Add(5 * time.Second)
	for len(rcv.rules()) == 0 && time.Now().Before(deadline) {
		_ = d.Deliver(ctx)
	}
	if got := rcv.rules(); len(got) != 1 || got[0] != "fast:firing" {
		t.Fatalf("after retry the receiver has %v, want [fast:firing]", got)
	}

	// Restart: a new store and dispatcher over the same database resume
	// after what was delivered.
	store.Close()
	store, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	d, err = notify.NewDispatcher(ctx, notify.Options{Outbox: store, Channels: []notify.Channel{hook}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveAlerts(ctx, nil, []engine.Notification{note("fast", engine.AlertResolved)}); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rcv.rules(); len(got) != 2 || got[1] != "fast:resolved" {
		t.Fatalf("after restart the receiver has %v, want [fast:firing fast:resolved]", got)
	}
}

// TestALapsedLeaseSendsNothing: notifications claimed while the lease held
// are not sent once it has run out (the process paused between claiming
// and sending), nor counted as a failing channel; once it leads again
// they are.
func TestALapsedLeaseSendsNothing(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	var leads atomic.Bool
	d, err := notify.NewDispatcher(ctx, notify.Options{Outbox: s, Channels: []notify.Channel{&notify.Webhook{URL: srv.URL}}, Leads: leads.Load})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAlerts(ctx, nil, []engine.Notification{note("fast", engine.AlertFiring)}); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("delivery without the lease: %v; want ErrNotLeader", err)
	}
	if got := rcv.rules(); len(got) != 0 {
		t.Fatalf("sent %v without the lease", got)
	}
	leads.Store(true)
	if err := d.Deliver(ctx); err != nil { // no backoff was taken
		t.Fatal(err)
	}
	if got := rcv.rules(); len(got) != 1 {
		t.Fatalf("once leading the receiver has %v, want the one notification", got)
	}
}
