package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

// TestADatabaseOutageAnswers503Everywhere runs Accord on a PostgreSQL of
// its own, stops the database and asks every route that needs it: each
// answers 503 with Retry-After and a JSON message (a page, for the UI's
// pages), never 500; the routes
// the engine answers alone go on answering; `accord gate` says in words
// that Accord cannot decide, fails closed and honours --fail-open.
func TestADatabaseOutageAnswers503Everywhere(t *testing.T) {
	own := testenv.NewPostgres()
	defer own.Stop()
	url := own.Database(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(spec, []byte(gateSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Options{SpecPaths: []string{spec}, Database: url, Addr: "127.0.0.1:0", Token: "tok",
		Clock: engine.NewManualClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)), Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	approver := createToken(t, a.URL(), "head-of-it", "operator")
	if _, _, err := run(t, "gate", "--service", "checkout", "--server", a.URL()); err != nil {
		t.Fatalf("with the database up the gate: %v", err)
	}

	own.Stop()

	do := func(method, path, token, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, a.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}
	for _, c := range []struct{ method, path, token, body string }{
		{"GET", "/api/v1/gate?service=checkout", "tok", ""},
		{"GET", "/api/v1/exceptions", "tok", ""},
		{"POST", "/api/v1/exceptions", approver, `{"service": "checkout", "until": "1h", "reason": "fix"}`}, // a named token
		{"GET", "/api/v1/annotations", "tok", ""},
		{"POST", "/api/v1/annotations", "tok", `{"service": "checkout", "kind": "deploy", "text": "v2"}`},
		{"GET", "/api/v1/report?service=checkout", "tok", ""},
		{"GET", "/api/v1/slos/checkout/payments/notifications", "tok", ""},
		{"GET", "/api/v1/audit", "tok", ""},
		{"GET", "/api/v1/tokens", "tok", ""},
		{"POST", "/api/v1/events", "tok", `{"stream": "payments", "outcome": "good"}`},
		{"GET", "/api/v1/services", "tok", ""},
		{"GET", "/readyz", "", ""},
	} {
		resp := do(c.method, c.path, c.token, c.body)
		var body struct {
			Error struct{ Code, Message string }
		}
		err := json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s %s with the database down: %d %+v, want 503", c.method, c.path, resp.StatusCode, body)
			continue
		}
		if c.path == "/readyz" {
			continue
		}
		if resp.Header.Get("Retry-After") == "" || err != nil || body.Error.Code != "unavailable" || body.Error.Message == "" {
			t.Errorf("%s %s: Retry-After %q, body %+v (%v); want Retry-After and an unavailable error with a message",
				c.method, c.path, resp.Header.Get("Retry-After"), body, err)
		}
	}
	// The pages that read the database say so on a page of their own,
	// rather than showing what they read as if there were none of it.
	for _, path := range []string{"/", "/slos/checkout/payments", "/teams/pos-platform", "/reports?period=last-week"} {
		resp := do("GET", path, "tok", "")
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "10" || err != nil ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(page), "Accord cannot show this page now") || !strings.Contains(string(page), "database") {
			t.Errorf("page %s with the database down: %d, Retry-After %q, %s (%v):\n%s\nwant 503, Retry-After 10 and a page saying the database does not answer",
				path, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), err, page)
		}
	}
	// What the engine answers alone still answers.
	for _, path := range []string{"/api/v1/slos", "/api/v1/slos/checkout/payments/history", "/healthz", "/teams", "/alerts"} {
		if resp := do("GET", path, "tok", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the database down: %d, want 200 from memory", path, resp.StatusCode)
		}
	}

	out, _, err := run(t, "gate", "--service", "checkout", "--server", a.URL())
	if !errors.As(err, new(exitError)) || !strings.HasPrefix(out, "deny: Accord cannot decide now") || !strings.Contains(out, "database") || !strings.Contains(out, "retry after 10s") {
		t.Errorf("gate with the database down: %q %v; want a denial saying why", out, err)
	}
	out, _, err = run(t, "gate", "--service", "checkout", "--fail-open", "--server", a.URL())
	if err != nil || !strings.HasPrefix(out, "allow: Accord cannot decide now and --fail-open is set") {
		t.Errorf("gate --fail-open with the database down: %q %v; want allowed", out, err)
	}
}
