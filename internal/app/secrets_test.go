package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
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
)

// twoPoliciesSpec has two services under a policy that notifies when the
// budget is spent.
const twoPoliciesSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  policy: strict
  slos:
    - {name: payments, objective: 99, window: 7d, indicator: {ratio: {stream: payments}}}
---
apiVersion: accord/v1
kind: Service
metadata: {name: loyalty}
spec:
  owners: {team: crm}
  policy: strict
  slos:
    - {name: points, objective: 99, window: 7d, indicator: {ratio: {stream: points}}}
---
apiVersion: accord/v1
kind: Policy
metadata: {name: strict}
spec:
  states:
    - name: exhausted
      when: {budgetRemainingAtMost: 0}
      actions: [{freeze-releases: {}}]
    - name: healthy
`

// signedHook keeps each request's body and whether it verified under the
// secret it holds now.
type signedHook struct {
	mu     sync.Mutex
	secret string
	got    []string // "ok BODY" or "bad BODY"
}

func (h *signedHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write([]byte(r.Header.Get("X-Accord-Timestamp") + "." + string(body)))
	verdict := "bad "
	if hmac.Equal([]byte(r.Header.Get("X-Accord-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil)))) {
		verdict = "ok "
	}
	h.got = append(h.got, verdict+string(body))
}

// about returns the verdicts of the requests that mention text.
func (h *signedHook) about(text string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, g := range h.got {
		if strings.Contains(g, text) {
			out = append(out, g[:strings.IndexByte(g, ' ')])
		}
	}
	return out
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSecretFilesAreReadAgainOnReload: the bootstrap token and webhook
// secrets come from files; a webhook with its own secret and one with
// the shared secret both sign what they send; after the files are
// rotated and the server reloads, the old token is refused, the new one
// works, and notifications are signed with the new secrets.
func TestSecretFilesAreReadAgainOnReload(t *testing.T) {
	own, shared := &signedHook{secret: "own-1"}, &signedHook{secret: "shared-1"}
	ownSrv, sharedSrv := httptest.NewServer(own), httptest.NewServer(shared)
	defer ownSrv.Close()
	defer sharedSrv.Close()
	dir := t.TempDir()
	tokenFile, secretFile := filepath.Join(dir, "token"), filepath.Join(dir, "webhook-secrets")
	writeFile(t, tokenFile, "first-token\n")
	writeFile(t, secretFile, "# shared, then the receiver's own\nshared-1\n"+ownSrv.URL+"=own-1\n")
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, twoPoliciesSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		TokenFile: tokenFile, WebhookSecretFile: secretFile, WebhookURLs: []string{ownSrv.URL, sharedSrv.URL}, Clock: clock, Manual: true})
	defer a.Close()
	ctx := context.Background()
	badHour := func(stream string) {
		t.Helper()
		var evs []engine.Event
		for m := 0; m < 60; m++ {
			ev := minuteOf(start.Add(time.Duration(m)*time.Minute), 50, 100)
			ev.Stream = stream
			evs = append(evs, ev)
		}
		clock.Set(start.Add(time.Hour - time.Second))
		push(t, a, evs)
		if err := a.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if code := api(t, a, "GET", "/api/v1/tokens", "first-token", "", nil); code != 200 {
		t.Fatalf("the token from --token-file: GET /api/v1/tokens answered %d", code)
	}
	badHour("payments")
	for name, h := range map[string]*signedHook{"own": own, "shared": shared} {
		waitHook(t, func() bool { return len(h.about("checkout/payments")) > 0 })
		if v := h.about("checkout/payments"); v[0] != "ok" {
			t.Errorf("the %s-secret webhook got a request that does not verify", name)
		}
	}

	writeFile(t, tokenFile, "second-token\n")
	writeFile(t, secretFile, "shared-2\n"+ownSrv.URL+"=own-2\n")
	own.mu.Lock()
	own.secret = "own-2"
	own.mu.Unlock()
	shared.mu.Lock()
	shared.secret = "shared-2"
	shared.mu.Unlock()
	if _, err := a.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if code := api(t, a, "GET", "/api/v1/tokens", "first-token", "", nil); code != http.StatusUnauthorized {
		t.Errorf("the rotated-out token answered %d, want 401", code)
	}
	if code := api(t, a, "GET", "/api/v1/tokens", "second-token", "", nil); code != 200 {
		t.Errorf("the new token answered %d, want 200", code)
	}
	badHour("points")
	for name, h := range map[string]*signedHook{"own": own, "shared": shared} {
		waitHook(t, func() bool { return len(h.about("loyalty/points")) > 0 })
		if v := h.about("loyalty/points"); v[0] != "ok" {
			t.Errorf("after the rotation the %s-secret webhook got a request that does not verify with the new secret", name)
		}
	}
}

// TestSecretFileErrorsNameTheFileNotTheSecret: a webhook secret for a URL
// that is no webhook, and a token file beside --token, are refused at
// start, and the message shows no secret.
func TestSecretFileErrorsNameTheFileNotTheSecret(t *testing.T) {
	dir := t.TempDir()
	secretFile, tokenFile := filepath.Join(dir, "secrets"), filepath.Join(dir, "token")
	writeFile(t, secretFile, "https://elsewhere.example/hook=topsecret-value\n")
	writeFile(t, tokenFile, "file-token\n")
	for _, c := range []struct {
		opts app.Options
		want string
	}{
		{app.Options{WebhookSecretFile: secretFile, WebhookURLs: []string{"https://receiver.example/hook"}}, "which is no --webhook-url"},
		{app.Options{TokenFile: tokenFile, Token: "flag-token"}, "--token and --token-file"},
	} {
		opts := c.opts
		opts.SpecPaths, opts.DataDir, opts.Addr = []string{writeSpec(t, twoPoliciesSpec)}, t.TempDir(), "127.0.0.1:0"
		_, err := app.New(context.Background(), opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one saying %q", err, c.want)
			continue
		}
		for _, secret := range []string{"topsecret-value", "file-token", "flag-token"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows a secret: %v", err)
			}
		}
	}
}
