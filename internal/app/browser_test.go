package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/accord-slo/accord/internal/testenv"
)

// startBrowser starts headless Chromium for the test and returns a tab's
// context; the browser's output is logged if the test fails, and the test
// fails if Chromium reports a Content Security Policy violation on any
// page it opened.
func startBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx := openBrowser(t, timeout)
	violations := watchCSP(t, ctx)
	t.Cleanup(func() {
		for _, v := range violations() {
			t.Errorf("Chromium reports a Content Security Policy violation: %s", v)
		}
	})
	return ctx
}

// openBrowser starts headless Chromium and returns a tab's context.
func openBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	chromium := testenv.Binary(t, "chromium", "chromium")
	var browserLog bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
		chromedp.CombinedOutput(&browserLog),
	)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chromium output:\n%s", browserLog.String())
		}
	})
	return ctx
}

// watchCSP collects what Chromium reports of Content Security Policy
// violations in the tab (it logs each one); every browser test fails on
// any, so each page it opens is checked against the policy.
func watchCSP(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			seen = append(seen, e.Entry.URL+": "+e.Entry.Text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser's log: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// screenshot saves a full-page screenshot as testdata/out/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	out := filepath.Join("testdata", "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(out, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
