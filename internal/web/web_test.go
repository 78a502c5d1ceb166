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

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/web"
)

const testSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: payments
      objective: 99
      window: 7d
      indicator: {ratio: {stream: payments}}
      groupBy: [store]
    - name: latency
      objective: 95
      window: 7d
      indicator: {latency: {stream: payments, threshold: 300ms}}
`

const token = "s3cret-token"

type fixture struct {
	srv    *httptest.Server
	engine *engine.Engine
	clock  *engine.ManualClock
}

// mustEngine starts an engine on the spec over a SQLite store in a
// temporary directory, its clock at now; both close when the test ends.
func mustEngine(tb testing.TB, yaml string, now time.Time) (*engine.Engine, *sqlite.Store, *engine.ManualClock) {
	tb.Helper()
	res := spec.LoadBytes("slos.yaml", []byte(yaml))
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		tb.Fatalf("spec errors:\n%s", strings.Join(lines, "\n"))
	}
	store, err := sqlite.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	clock := engine.NewManualClock(now)
	e := engine.New(engine.Options{Catalog: res.Catalog, Store: store, Clock: clock, ExternalURL: "http://accord.test"})
	if err := e.Restore(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e, store, clock
}

// mustAuth returns the auth service over the store, with token as the
// bootstrap admin token.
func mustAuth(tb testing.TB, store *sqlite.Store, clock engine.Clock) *auth.Service {
	tb.Helper()
	a, err := auth.New(auth.Options{Store: store, Clock: clock, Bootstrap: token})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e, store, clock := mustEngine(t, testSpec, time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC))
	s := web.New(e, store, web.Options{Auth: mustAuth(t, store, clock), MaxBodyBytes: 4096, MaxBatch: 10})
	s.SetReady(true)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, engine: e, clock: clock}
}

// post sends body to the events endpoint and returns the status and the
// decoded JSON answer.
func (f *fixture) post(t *testing.T, auth, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/events", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("answer Content-Type %q, want application/json", ct)
	}
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not JSON: %s", b)
	}
	return resp.StatusCode, out
}

// total returns the events counted for an SLO after an evaluation.
func (f *fixture) total(t *testing.T, id string) float64 {
	t.Helper()
	if err := f.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := f.engine.SLO(id)
	return v.Status.Counts.Total
}

func TestIngestCountsArraysAndNDJSON(t *testing.T) {
	f := newFixture(t)
	array := `[
	  {"stream": "payments", "time": "2026-11-02T12:00:00Z", "labels": {"store": "s1"}, "outcome": "good", "latency_ms": 120},
	  {"stream": "payments", "time": "2026-11-02T12:00:10Z", "labels": {"store": "s2"}, "outcome": "bad", "latency_ms": 900}
	]`
	if code, body := f.post(t, "Bearer "+token, "application/json", array); code != http.StatusAccepted || body["accepted"] != 2.0 {
		t.Fatalf("array: %d %v", code, body)
	}
	ndjson := `{"stream": "payments", "labels": {"store": "s1"}, "good": 97, "total": 100}` + "\n"
	if code, body := f.post(t, "Bearer "+token, "application/x-ndjson", ndjson); code != http.StatusAccepted {
		t.Fatalf("ndjson: %d %v", code, body)
	}
	if got := f.total(t, "checkout/payments"); got != 102 {
		t.Errorf("payments counted %v events, want 102", got)
	}
	v, _ := f.engine.SLO("checkout/latency")
	if v.Status.Counts.Total != 102 || v.Status.Counts.Good != 98 {
		t.Errorf("latency counted %+v, want 98 good of 102 (900 ms is over 300 ms)", v.Status.Counts)
	}
	p, _ := f.engine.SLO("checkout/payments")
	if len(p.Groups) != 2 || p.Groups[0].Labels["store"] != "s2" {
		t.Errorf("payments groups %+v, want s2 (the bad one) first of two", p.Groups)
	}
}

func TestBadRequestsGetJSONErrorsAndStoreNothing(t *testing.T) {
	f := newFixture(t)
	good := `{"stream": "payments", "labels": {"store": "s1"}, "outcome": "good"}`
	cases := []struct {
		name, auth, body string
		status           int
		message          string
		line             float64
	}{
		{"no token", "", good, 401, "bearer token", 0},
		{"wrong token", "Bearer nope", good, 401, "bearer token", 0},
		{"not bearer", "Basic " + token, good, 401, "bearer token", 0},
		{"unknown stream", "Bearer " + token, good + "\n" + `{"stream": "paymnets", "outcome": "good"}`, 400, `no SLO measures stream "paymnets"`, 2},
		{"missing group label", "Bearer " + token, good + "\n\n" + `{"stream": "payments", "outcome": "good"}`, 400, "labels.store: missing", 3},
		{"bad outcome", "Bearer " + token, `[` + good + `,` + "\n" + `{"stream": "payments", "labels": {"store": "s1"}, "outcome": "meh"}]`, 400, `outcome: "meh"`, 2},
		{"good over total", "Bearer " + token, `{"stream": "payments", "labels": {"store": "s1"}, "good": 5, "total": 4}`, 400, "0 <= good <= total", 1},
		{"future", "Bearer " + token, `{"stream": "payments", "time": "2026-11-03T00:00:00Z", "labels": {"store": "s1"}, "outcome": "good"}`, 400, "in the future", 1},
		{"unknown field", "Bearer " + token, good + "\n" + `{"stream": "payments", "outcom": "good"}`, 400, `unknown field "outcom"`, 2},
		{"broken JSON", "Bearer " + token, good + "\n" + `{"stream": "payments",`, 400, "line 2", 2},
		{"latency as a string", "Bearer " + token, good + "\n" + `{"stream": "payments", "labels": {"store": "s1"}, "outcome": "good", "latency_ms": "120"}`, 400, `line 2: field "latency_ms": want a number, got a JSON string`, 2},
		{"labels as a list", "Bearer " + token, `{"stream": "payments", "labels": ["s1"], "outcome": "good"}`, 400, `line 1: field "labels": want an object, got a JSON array`, 1},
		{"time not RFC 3339", "Bearer " + token, `{"stream": "payments", "time": "yesterday", "labels": {"store": "s1"}, "outcome": "good"}`, 400, `line 1: field "time": want an RFC 3339 time`, 1},
		{"empty", "Bearer " + token, "  ", 400, "no events", 0},
		{"too many", "Bearer " + token, strings.Repeat(good+"\n", 11), 400, "more than 10 events", 0},
		{"too big", "Bearer " + token, strings.Repeat(" ", 5000) + good, 413, "over 4096 bytes", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := f.post(t, c.auth, "application/json", c.body)
			e, _ := body["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if code != c.status || !strings.Contains(msg, c.message) {
				t.Errorf("got %d %q, want %d with %q", code, msg, c.status, c.message)
			}
			for _, goText := range []string{"json:", "Go ", "float64", "engine.Event", "parsing time"} {
				if strings.Contains(msg, goText) {
					t.Errorf("message %q shows Go's error text %q", msg, goText)
				}
			}
			if line, _ := e["line"].(float64); line != c.line {
				t.Errorf("line %v, want %v", line, c.line)
			}
		})
	}
	if got := f.total(t, "checkout/payments"); got != 0 {
		t.Errorf("rejected batches left %v events behind", got)
	}
}

func TestReadEndpoints(t *testing.T) {
	f := newFixture(t)
	if code, _ := f.post(t, "Bearer "+token, "application/json", `{"stream": "payments", "labels": {"store": "s1"}, "outcome": "bad", "latency_ms": 10}`); code != 202 {
		t.Fatal(code)
	}
	f.total(t, "checkout/payments")
	// With 299 payments more, 3 of them bad, the policy has the 300 events
	// it needs (a budget of 3 bad ones at 99%) and finds it spent.
	var more []engine.Event
	for i := 0; i < 299; i++ {
		outcome := "good"
		if i < 3 {
			outcome = "bad"
		}
		more = append(more, engine.Event{Stream: "payments", Labels: map[string]string{"store": "s1"}, Outcome: outcome})
	}
	if err := f.engine.Ingest(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	if err := f.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, map[string]any) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, body := get("/api/v1/services"); code != 200 {
		t.Errorf("services: %d", code)
	} else if svc := body["services"].([]any)[0].(map[string]any); svc["policyState"] != "exhausted" || svc["releasesFrozen"] != true {
		t.Errorf("the service whose payments budget is spent reads %v, want exhausted and frozen", svc)
	}
	if code, body := get("/api/v1/slos?team=pos-platform"); code != 200 || len(body["slos"].([]any)) != 2 {
		t.Errorf("slos by team: %d %v", code, body)
	}
	if code, body := get("/api/v1/slos?team=nobody"); code != 200 || len(body["slos"].([]any)) != 0 {
		t.Errorf("slos of another team: %d %v", code, body)
	}
	code, body := get("/api/v1/slos/checkout/payments")
	if code != 200 || body["status"].(map[string]any)["sli"] != 296.0/300 {
		t.Errorf("one SLO: %d %v", code, body)
	}
	code, body = get("/api/v1/slos/checkout/payments/history?from=2026-11-02T11:00:00Z&to=2026-11-02T12:00:00Z&step=30m")
	if pts, _ := body["points"].([]any); code != 200 || len(pts) != 3 {
		t.Errorf("history: %d %v", code, body)
	}
	code, body = get("/api/v1/slos/checkout/payments/history?group=store=s1&from=2026-11-02T11:00:00Z&to=2026-11-02T12:00:00Z&step=1h")
	if pts, _ := body["points"].([]any); code != 200 || len(pts) != 2 || pts[1].(map[string]any)["total"] != 300.0 {
		t.Errorf("history of group store=s1: %d %v", code, body)
	}
	if code, body = get("/api/v1/slos/checkout/payments/history?group=store=nowhere"); code != 404 {
		t.Errorf("history of an unknown group: %d %v", code, body)
	}
	if code, body = get("/api/v1/slos/checkout/payments/history?step=fast"); code != 400 {
		t.Errorf("bad step: %d %v", code, body)
	}
	if code, body = get("/api/v1/slos/checkout/nope"); code != 404 || body["error"] == nil {
		t.Errorf("unknown SLO: %d %v", code, body)
	}
	if code, _ = get("/readyz"); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`accord_slo_sli_ratio{service="checkout",slo="payments",team="pos-platform"} 0.98666`,
		`accord_slo_error_budget_remaining_ratio{service="checkout",slo="latency",team="pos-platform"} 1`,
		`accord_events_ingested_total 1`,
		`accord_http_request_duration_seconds_count{code="202",route="POST /api/v1/events"} 1`,
		`accord_slo_policy_state{policy="default",service="checkout",slo="payments",state="exhausted",team="pos-platform"} 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestEveryWriteEndpointRejectsMissingOrWrongTokens(t *testing.T) {
	f := newFixture(t)
	writes := []struct{ method, path, body string }{
		{"POST", "/api/v1/events", `{"stream": "payments", "labels": {"store": "s1"}, "outcome": "good"}`},
		{"POST", "/api/v1/exceptions", `{"service": "checkout", "until": "1h", "reason": "r"}`},
		{"DELETE", "/api/v1/exceptions/1", ``},
		{"POST", "/api/v1/annotations", `{"kind": "deploy", "service": "checkout", "version": "1.2"}`},
	}
	for _, w := range writes {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token} {
			req, _ := http.NewRequest(w.method, f.srv.URL+w.path, strings.NewReader(w.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || body["error"] == nil {
				t.Errorf("%s %s with %q: %d %v, want 401 with a JSON error", w.method, w.path, auth, resp.StatusCode, body)
			}
		}
	}
	// Nothing was written.
	resp, _ := http.Get(f.srv.URL + "/api/v1/annotations?from=2000-01-01T00:00:00Z")
	var anns map[string][]any
	_ = json.NewDecoder(resp.Body).Decode(&anns)
	resp.Body.Close()
	if len(anns["annotations"]) != 0 {
		t.Errorf("refused requests left annotations: %v", anns)
	}
}

func TestAnnotationsAndExceptionsAreCheckedWhole(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/annotations",
		strings.NewReader(`{"kind": "outage", "service": "nope", "excludeFromBudget": true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Error struct{ Message string } }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	for _, want := range []string{`kind: "outage"`, `service: no service "nope"`, "only maintenance windows"} {
		if resp.StatusCode != 400 || !strings.Contains(body.Error.Message, want) {
			t.Errorf("bad annotation: %d %q, want 400 listing %q", resp.StatusCode, body.Error.Message, want)
		}
	}
	req, _ = http.NewRequest("POST", f.srv.URL+"/api/v1/exceptions", strings.NewReader(`{"service": "checkout", "until": "2020-01-01T00:00:00Z", "by": "head-of-it"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	for _, want := range []string{"until: 2020-01-01T00:00:00Z is not in the future", "reason: missing", "by: Accord records who did it from the token"} {
		if resp.StatusCode != 400 || !strings.Contains(body.Error.Message, want) {
			t.Errorf("bad exception: %d %q, want 400 listing %q", resp.StatusCode, body.Error.Message, want)
		}
	}
}

func TestExcludedMaintenanceLeavesTheBudget(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	at := f.clock.Now().Add(-30 * time.Minute).Truncate(time.Minute)
	var evs []engine.Event
	for m := 0; m < 30; m++ {
		good := 10.0
		if m >= 10 && m < 20 {
			good = 0 // the maintenance: everything fails
		}
		total := 10.0
		evs = append(evs, engine.Event{Stream: "payments", Time: at.Add(time.Duration(m) * time.Minute), Labels: map[string]string{"store": "s1"}, Good: &good, Total: &total})
	}
	if err := f.engine.Ingest(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if got := f.total(t, "checkout/payments"); got != 300 {
		t.Fatalf("before: %v events", got)
	}
	body := `{"kind": "maintenance", "service": "checkout", "start": "` + at.Add(10*time.Minute).Format(time.RFC3339) +
		`", "end": "` + at.Add(20*time.Minute).Format(time.RFC3339) + `", "excludeFromBudget": true, "text": "card terminal swap"}`
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/annotations", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("annotate: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	_ = f.total(t, "checkout/payments")
	v, _ := f.engine.SLO("checkout/payments")
	if v.Status.Counts.Total != 200 || v.Status.Counts.Bad() != 0 {
		t.Errorf("after excluding the maintenance: %+v, want 200 good events and no bad ones", v.Status.Counts)
	}
	// Late events for the window are dropped too.
	late := []engine.Event{{Stream: "payments", Time: at.Add(15 * time.Minute), Labels: map[string]string{"store": "s1"}, Outcome: "bad"}}
	if err := f.engine.Ingest(ctx, late); err != nil {
		t.Fatal(err)
	}
	if got := f.total(t, "checkout/payments"); got != 200 {
		t.Errorf("a late event inside the maintenance counted: total %v", got)
	}
}
