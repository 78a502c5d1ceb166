package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/testenv"
)

const gateSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, productOwner: maria.jensen}
  policy: strict
  slos:
    - {name: payments, objective: 99, window: 7d, indicator: {ratio: {stream: payments}}}
---
apiVersion: accord/v1
kind: Policy
metadata: {name: strict}
spec:
  states:
    - name: exhausted
      when: {budgetRemainingAtMost: 0}
      actions: [{freeze-releases: {except: [security]}}]
    - name: healthy
  exceptionApprovers: [head-of-it]
`

// startInProcess runs Accord in-process on a free port, on a simulated
// clock at 2026-11-02 12:00 UTC with the token "tok", until the test ends.
func startInProcess(t *testing.T, spec, dataDir string) *app.App {
	t.Helper()
	clock := engine.NewManualClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	a, err := app.New(context.Background(), app.Options{SpecPaths: []string{spec}, DataDir: dataDir,
		Addr: "127.0.0.1:0", Token: "tok", Clock: clock, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// startAccord runs Accord in-process on a simulated clock with one SLO
// whose budget is spent ten times over, and returns its URL.
func startAccord(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	spec := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(spec, []byte(gateSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startInProcess(t, spec, filepath.Join(dir, "data"))
	good, total := 270.0, 300.0 // the 300 events a 99% policy needs before it judges
	if err := a.Engine.Ingest(context.Background(), []engine.Event{{Stream: "payments", Good: &good, Total: &total}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a.URL()
}

func TestGateExitsOneOnDenyAndZeroOnAllow(t *testing.T) {
	url := startAccord(t)
	out, _, err := run(t, "gate", "--service", "checkout", "--server", url)
	if !errors.As(err, new(exitError)) || !strings.HasPrefix(out, "deny: releases of checkout are frozen: SLO checkout/payments is exhausted") {
		t.Errorf("exhausted: %q %v, want a denial with exit 1", out, err)
	}
	out, _, err = run(t, "gate", "--service", "checkout", "--change", "security", "--server", url)
	if err != nil || !strings.HasPrefix(out, "allow:") {
		t.Errorf("a security change: %q %v, want allowed", out, err)
	}
	approver := createToken(t, url, "head-of-it", "operator")
	someone := createToken(t, url, "someone", "operator")
	_, _, err = run(t, "exception", "grant", "--service", "checkout", "--until", "1h", "--reason", "fix", "--server", url, "--token", someone)
	if err == nil || !strings.Contains(err.Error(), "someone may not grant exceptions for checkout: its policy names head-of-it") {
		t.Errorf("grant by a non-approver: %v, want refused naming the approvers", err)
	}
	_, _, err = run(t, "exception", "grant", "--service", "checkout", "--until", "1h", "--reason", "fix", "--by", "head-of-it", "--server", url, "--token", someone)
	if err == nil || !strings.Contains(err.Error(), "--by is gone") {
		t.Errorf("grant --by: %v, want --by refused", err)
	}
	out, _, err = run(t, "exception", "grant", "--service", "checkout", "--until", "1h", "--reason", "fix", "--server", url, "--token", approver)
	if err != nil || !strings.Contains(out, "granted by head-of-it") {
		t.Fatalf("grant: %q %v", out, err)
	}
	out, _, err = run(t, "gate", "--service", "checkout", "--server", url)
	if err != nil || !strings.Contains(out, "exception 1 granted by head-of-it") {
		t.Errorf("with an exception: %q %v, want allowed by it", out, err)
	}
	if out, _, err := run(t, "exception", "revoke", "1", "--server", url, "--token", someone); err != nil || !strings.Contains(out, "revoked by someone") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if _, _, err := run(t, "gate", "--service", "checkout", "--server", url); !errors.As(err, new(exitError)) {
		t.Errorf("after revoking the exception the gate allows: %v", err)
	}
}

// createToken creates a token through the CLI with the bootstrap token
// and returns its secret.
func createToken(t *testing.T, url, name, role string) string {
	t.Helper()
	out, errOut, err := run(t, "token", "create", name, "--role", role, "--server", url, "--token", "tok")
	if err != nil || !strings.Contains(errOut, "token "+name+" ("+role+") created") {
		t.Fatalf("token create %s: %v %s", name, err, errOut)
	}
	secret := strings.TrimSpace(out)
	if !strings.HasPrefix(secret, "accord_") || strings.Contains(secret, "\n") {
		t.Fatalf("token create printed %q on stdout, want the secret alone", out)
	}
	return secret
}

func TestTokensThroughTheCLI(t *testing.T) {
	url := startAccord(t)
	ci := createToken(t, url, "ci", "ingest")
	createToken(t, url, "maria.jensen", "operator")
	if _, _, err := run(t, "token", "create", "x", "--role", "root", "--server", url, "--token", "tok"); err == nil || !strings.Contains(err.Error(), "read, ingest, operator, admin") {
		t.Errorf("an unknown role: %v, want the roles listed", err)
	}
	if _, _, err := run(t, "token", "create", "x", "--role", "read", "--server", url, "--token", ci); err == nil || !strings.Contains(err.Error(), "needs the admin role") {
		t.Errorf("an ingest token creating a token: %v, want refused", err)
	}
	if _, _, err := run(t, "token", "revoke", "ci", "--server", url, "--token", "tok"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "token", "list", "--server", url, "--token", "tok")
	if err != nil || strings.Contains(out, "ci ") || !strings.Contains(out, "maria.jensen  operator") || strings.Contains(out, "accord_") {
		t.Errorf("token list: %v\n%s\nwant maria.jensen and not the revoked ci, and no secret", err, out)
	}
	out, _, err = run(t, "token", "list", "--all", "--server", url, "--token", "tok")
	if err != nil || !strings.Contains(out, " by bootstrap") || !strings.HasPrefix(strings.Split(out, "\n")[1], "ci ") {
		t.Errorf("token list --all: %v\n%s\nwant the revoked ci first", err, out)
	}
	if _, _, err := run(t, "annotate", "deploy", "--service", "checkout", "--server", url, "--token", ci); err == nil || !strings.Contains(err.Error(), "unknown or revoked") {
		t.Errorf("a revoked token: %v, want refused", err)
	}
}

func TestGateFailsClosedUnlessToldToFailOpen(t *testing.T) {
	dead := "http://" + testenv.FreeAddr(t)
	out, _, err := run(t, "gate", "--service", "checkout", "--server", dead)
	if !errors.As(err, new(exitError)) || !strings.HasPrefix(out, "deny: Accord cannot be reached") {
		t.Errorf("unreachable: %q %v, want deny", out, err)
	}
	out, _, err = run(t, "gate", "--service", "checkout", "--server", dead, "--fail-open")
	if err != nil || !strings.HasPrefix(out, "allow: Accord cannot be reached") {
		t.Errorf("unreachable with --fail-open: %q %v, want allow", out, err)
	}
}

func TestAnnotateAndReportThroughTheCLI(t *testing.T) {
	url := startAccord(t)
	out, _, err := run(t, "annotate", "deploy", "--service", "checkout", "--version", "2026.11.3", "--server", url, "--token", "tok")
	if err != nil || !strings.Contains(out, "deploy 2026.11.3 on checkout") {
		t.Fatalf("annotate: %q %v", out, err)
	}
	if _, _, err := run(t, "annotate", "deploy", "--service", "checkout", "--by", "ci", "--server", url, "--token", "tok"); err == nil || !strings.Contains(err.Error(), "--by is gone") {
		t.Errorf("annotate --by: %v, want --by refused", err)
	}
	_, _, err = run(t, "annotate", "outage", "--service", "checkout", "--server", url, "--token", "tok")
	if err == nil || !strings.Contains(err.Error(), `kind: "outage"`) {
		t.Errorf("annotate outage: %v, want the kind refused", err)
	}
	out, _, err = run(t, "report", "--period", "2026-11-02..2026-11-03", "--server", url)
	if err != nil || !strings.Contains(out, "# SLO report: 2026-11-02..2026-11-03") || !strings.Contains(out, "1 missed") {
		t.Errorf("report: %v\n%s", err, out)
	}
}

// TestMarkdownReportEscapesWhatPeopleTyped records a deploy, an incident
// and an exception whose words carry HTML and Markdown through a real
// server, and checks the Markdown report shows them as text.
func TestMarkdownReportEscapesWhatPeopleTyped(t *testing.T) {
	url := startAccord(t)
	approver := createToken(t, url, "head-of-it", "operator") // the approver the policy names
	payload := `<img src=x onerror=alert(1)>`
	for _, args := range [][]string{
		{"annotate", "deploy", "--service", "checkout", "--version", payload},
		{"annotate", "incident", "--service", "checkout", "--text", "<script>alert(2)</script>\n# not a heading"},
		{"exception", "grant", "--service", "checkout", "--until", "1h", "--reason", "fix | [x](javascript:alert(3))"},
	} {
		if _, _, err := run(t, append(args, "--server", url, "--token", approver)...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	out, _, err := run(t, "report", "--period", "2026-11-02..2026-11-03", "--format", "md", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<img", "<script", "\n# not a heading", "[x](javascript"} {
		if strings.Contains(out, bad) {
			t.Errorf("the Markdown report has %q raw:\n%s", bad, out)
		}
	}
	for _, want := range []string{`deploy &lt;img src=x onerror=alert(1)&gt;`, `incident: &lt;script&gt;alert(2)&lt;/script&gt; \# not a heading`,
		`fix \| \[x\](javascript:alert(3))`} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown report lacks %q:\n%s", want, out)
		}
	}
}
