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
	"github.com/accord-slo/accord/internal/web"
)

// TestNoDataIsAStateNotAFullBudget reads an SLO that has never had an
// event, and one that has, through the JSON API and /metrics: the empty
// one is in state "no data", with no remaining budget and a policy that
// has not judged it, and exports no budget gauge; the other is "met",
// with its budget and a judged policy.
func TestNoDataIsAStateNotAFullBudget(t *testing.T) {
	e, store, clock := mustEngine(t, testSpec+`    - name: refunds
      objective: 99.9
      window: 30d
      indicator: {ratio: {stream: refunds}}
`, time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC))
	s := web.New(e, store, web.Options{Auth: mustAuth(t, store, clock)})
	s.SetReady(true)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, engine: e, clock: clock}
	var events []engine.Event
	for range 400 { // enough for the policy to judge a 99% budget
		events = append(events, engine.Event{Stream: "payments", Labels: map[string]string{"store": "s1"}, Outcome: "good"})
	}
	if err := f.engine.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	// refunds has no stream feeding it.
	f.clock.Set(f.clock.Now().Add(time.Minute))
	if err := f.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) []byte {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	type view struct {
		State  string `json:"state"`
		Status struct {
			Budget map[string]any `json:"budget"`
		} `json:"status"`
		Policy struct {
			State  string `json:"state"`
			Judged bool   `json:"judged"`
		} `json:"policy"`
	}
	read := func(id string) view {
		var v view
		if err := json.Unmarshal(get("/api/v1/slos/"+id), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	empty := read("checkout/refunds")
	if empty.State != "no data" {
		t.Errorf("an SLO without data reads state %q, want \"no data\"", empty.State)
	}
	if rf, ok := empty.Status.Budget["remainingFraction"]; !ok || rf != nil {
		t.Errorf("an SLO without data has remainingFraction %v, want null", rf)
	}
	if rt, ok := empty.Status.Budget["remainingTime"]; !ok || rt != nil {
		t.Errorf("an SLO without data has remainingTime %v, want null", rt)
	}
	if empty.Policy.Judged {
		t.Errorf("the policy of an SLO without data says it judged it (%s)", empty.Policy.State)
	}
	paid := read("checkout/payments")
	if paid.State != "met" || paid.Status.Budget["remainingFraction"] != 1.0 || !paid.Policy.Judged {
		t.Errorf("an SLO with 400 good events reads %+v, want met with its whole budget, judged", paid)
	}
	metrics := string(get("/metrics"))
	if strings.Contains(metrics, `accord_slo_error_budget_remaining_ratio{service="checkout",slo="refunds"`) {
		t.Error("/metrics exports a remaining budget for an SLO without data")
	}
	if !strings.Contains(metrics, `accord_slo_error_budget_remaining_ratio{service="checkout",slo="payments"`) {
		t.Error("/metrics lacks the remaining budget of an SLO with data")
	}
}
