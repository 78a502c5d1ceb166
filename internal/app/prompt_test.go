package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// TestPushedEventsAreEvaluatedPromptly runs Accord with its background
// loops and an hour between full evaluations: an outage pushed over HTTP
// pages within seconds, and a read right after a push shows it.
func TestPushedEventsAreEvaluatedPromptly(t *testing.T) {
	h := &hook{}
	rcv := httptest.NewServer(h)
	defer rcv.Close()
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, paymentsSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Token: "tok", WebhookURLs: []string{rcv.URL}, EvalInterval: time.Hour})
	defer a.Close()

	// An hour of good payments, evaluated by whichever evaluation comes
	// first; after it, only a prompt evaluation can see the next push.
	now := time.Now().UTC().Truncate(time.Minute)
	var body bytes.Buffer
	for m := 60; m >= 2; m-- {
		fmt.Fprintf(&body, `{"stream":"payments","time":%q,"good":1000,"total":1000}`+"\n", now.Add(-time.Duration(m)*time.Minute).Format(time.RFC3339))
	}
	postEvents(t, a, body.String())
	testenv.WaitFor(t, 10*time.Second, "the first push to be evaluated", func() bool { return !a.Engine.Pending() })

	// A minute in which every payment fails pages at once (burn rate 16.7
	// over the hour, 200 over five minutes), an hour before the next full
	// evaluation.
	postEvents(t, a, fmt.Sprintf(`{"stream":"payments","time":%q,"good":0,"total":1000}`, now.Add(-time.Minute).Format(time.RFC3339)))
	waitHook(t, func() bool {
		for _, n := range h.all() {
			if n.Kind == engine.NotifyAlert && n.Alert.Rule == "fast" && n.Alert.State == engine.AlertFiring {
				return true
			}
		}
		return false
	})
	if n := scrapeMetric(t, a.URL(), "accord_prompt_evaluations_total"); n < 1 {
		t.Errorf("accord_prompt_evaluations_total is %g after a push was evaluated promptly", n)
	}

	// A read right after a push sees it, whatever the loops are doing.
	for i := 1; i <= 5; i++ {
		postEvents(t, a, `{"stream":"payments","outcome":"good"}`)
		var v engine.SLOView
		getJSON(t, a.URL()+"/api/v1/slos/checkout/payments", &v)
		// 59 good minutes, the failing one, and the single events so far.
		if want := float64(60*1000 + i); v.Status.Counts.Total != want {
			t.Fatalf("after push %d the API counts %v events, want %v", i, v.Status.Counts.Total, want)
		}
	}
}

// postEvents pushes an NDJSON body through the ingest API.
func postEvents(t *testing.T, a *app.App, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push answered %s", resp.Status)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s answered %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// scrapeMetric reads one unlabelled sample from /metrics.
func scrapeMetric(t testing.TB, base, name string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}
