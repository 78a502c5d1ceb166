package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
	"github.com/accord-slo/accord/internal/slo"
)

func TestSlackMessagesSayWhatThePolicyAsksAndOfWhom(t *testing.T) {
	var got notify.SlackMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			http.Error(w, err.Error(), 400)
		}
	}))
	defer srv.Close()
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	policy := engine.Notification{Kind: engine.NotifyPolicy, At: at, URL: "http://accord.test/slos/checkout/payments",
		Policy: &engine.PolicyChange{SLO: "checkout/payments", Policy: "default", From: "at-risk", To: "exhausted", BudgetRemaining: -0.1,
			Actions:    []slo.Action{{Kind: slo.ActionFreezeReleases, Except: []string{"reliability", "security"}}, {Kind: slo.ActionReliabilityFirst}},
			Recipients: map[string]string{"team": "pos-platform", "product-owner": "maria.jensen"}}}
	alert := note("fast", engine.AlertFiring)
	alert.Annotations = map[string]string{"summary": "Card payments burn 40× too fast", "runbook_url": "https://runbooks.test/pay"}
	if err := (&notify.Slack{URL: srv.URL}).Send(context.Background(), []engine.Notification{policy, alert}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got.Text, "\n")
	if len(lines) != 2 {
		t.Fatalf("message %q, want one line per notification", got.Text)
	}
	for _, want := range []string{"<http://accord.test/slos/checkout/payments|checkout/payments> is now *exhausted* (was at-risk)",
		"-10% of the error budget left", "releases are frozen except reliability, security; reliability work comes first",
		"For: product-owner maria.jensen, team pos-platform."} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("policy line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "[FIRING] page") || !strings.Contains(lines[1], "Card payments burn 40× too fast") || !strings.Contains(lines[1], "|runbook>") {
		t.Errorf("alert line %q", lines[1])
	}
}
