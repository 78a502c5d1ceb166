package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/testenv"
	"github.com/accord-slo/accord/internal/web"
)

// TestSecurityHeadersOnEveryAnswer: UI pages, the stylesheet, API answers
// (errors too) and health carry the CSP, nosniff, no framing and a
// same-origin referrer policy.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Manual: true})
	defer a.Close()
	paths := []string{"/", "/teams", "/alerts", "/reports", "/slos/checkout/payments", "/api/v1/slos", "/api/v1/nothing", "/healthz", "/readyz", "/metrics"}
	resp, err := http.Get(a.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, p := range paths {
		resp, err := http.Get(a.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: Content-Security-Policy %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: nosniff %q, Referrer-Policy %q, X-Frame-Options %q", p, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("X-Frame-Options"))
		}
	}
}

// TestBrowserReportsCSPViolations proves the check every browser test
// makes: a page with an inline style and an inline script under Accord's
// policy is reported by Chromium, and a clean one is not.
func TestBrowserReportsCSPViolations(t *testing.T) {
	srv := httptest.NewServer(web.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/bad" {
			_, _ = w.Write([]byte(`<!doctype html><p style="color: red">inline</p><script>document.title = "ran"</script>`))
			return
		}
		_, _ = w.Write([]byte(`<!doctype html><p>clean</p>`))
	})))
	defer srv.Close()
	ctx := openBrowser(t, 30*time.Second)
	violations := watchCSP(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	if v := violations(); len(v) != 0 {
		t.Fatalf("a clean page reported: %v", v)
	}
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "Chromium to report both inline parts", func() bool {
		var style, script bool
		for _, v := range violations() {
			style = style || strings.Contains(v, "style")
			script = script || strings.Contains(v, "script")
		}
		return style && script
	})
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || title == "ran" {
		t.Fatalf("the inline script ran under the policy (title %q, %v)", title, err)
	}
}
