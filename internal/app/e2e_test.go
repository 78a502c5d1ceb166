package app_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

// groceryChainSpec has two services of two teams: checkout's payments, split
// per store, and its scan latency; loyalty's points and coupons. The UI's
// handler tests read the same file.
var groceryChainSpec = func() string {
	b, err := os.ReadFile("../web/testdata/grocery.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// seedGroceryChain pushes three days of traffic, a minute at a time, and
// evaluates: store berlin-042 fails 10% of payments over the last 90
// minutes (its budget is spent and pages fire), loyalty points fail 0.4%
// (at risk), scans are 0.1% slow (met), and coupons have no data.
func seedGroceryChain(t *testing.T, a *app.App, clock *engine.ManualClock, end time.Time) {
	t.Helper()
	var events []engine.Event
	add := func(stream string, at time.Time, labels map[string]string, good, total float64) {
		events = append(events, engine.Event{Stream: stream, Time: at, Labels: labels, Good: &good, Total: &total})
	}
	for at := end.Add(-3 * 24 * time.Hour); !at.After(end); at = at.Add(time.Minute) {
		berlinBad := 0.0
		if end.Sub(at) < 90*time.Minute {
			berlinBad = 10
		}
		add("payments", at, map[string]string{"store": "berlin-042"}, 100-berlinBad, 100)
		add("payments", at, map[string]string{"store": "hamburg-007"}, 100, 100)
		add("payments", at, map[string]string{"store": "munich-013"}, 100, 100)
		add("scans", at, nil, 999, 1000)
		add("points", at, nil, 996, 1000)
	}
	clock.Set(end.Add(59 * time.Second))
	push(t, a, events)
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserFollowsASpentBudgetToItsTeamAndAlerts drives headless
// Chromium through the UI as a person on call would: from the overview to
// the SLO whose budget is spent, on to its team's page, and to the alerts.
// It writes a full-page screenshot of every page to testdata/out/.
func TestBrowserFollowsASpentBudgetToItsTeamAndAlerts(t *testing.T) {
	end := time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC)
	clock := engine.NewManualClock(end.Add(-3 * 24 * time.Hour))
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, groceryChainSpec)}, DataDir: t.TempDir(),
		Addr: "127.0.0.1:0", Clock: clock, Manual: true})
	defer a.Close()
	seedGroceryChain(t, a, clock, end)

	ctx := startBrowser(t, 30*time.Second)
	shoot := func(name string) {
		t.Helper()
		screenshot(t, ctx, "e2e-"+name)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	// follow clicks a link and waits for the page it opens.
	follow := func(sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		if resp.Status != 200 {
			t.Fatalf("click %s: %s answers %d", sel, resp.URL, resp.Status)
		}
	}

	// The overview puts the spent budget first.
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/"))
	if err != nil {
		t.Fatalf("open the overview: %v", err)
	}
	if resp.Status != 200 {
		t.Fatalf("overview answers %d", resp.Status)
	}
	shoot("1-overview")
	if first := text("tbody tr"); !strings.HasPrefix(first, "exhausted") || !strings.Contains(first, "Card payments succeed") {
		t.Errorf("the overview's first row reads %q, want the exhausted payments SLO", first)
	}

	// The SLO page says the budget is spent and draws its charts.
	follow(`tbody tr:first-child a[href="/slos/checkout/payments"]`)
	shoot("2-slo")
	if h1 := text("h1"); h1 != "Card payments succeed exhausted" {
		t.Errorf("SLO page heading %q", h1)
	}
	if badge := text("h1 .badge"); badge != "exhausted" {
		t.Errorf("SLO page badge %q, want exhausted", badge)
	}
	charts, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("svg.chart")))
	if err != nil || len(charts) != 3 {
		t.Errorf("SLO page has %d charts (%v), want 3", len(charts), err)
	}
	// A chart that the browser lays out has a size; one it cannot parse
	// does not.
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.min(...[...document.querySelectorAll("svg.chart")].map(s => s.getBoundingClientRect().width))`))
	if err != nil || width < 300 {
		t.Errorf("the narrowest chart is %.0f px wide (%v), want at least 300", width, err)
	}

	// The team page says what the policy asks.
	follow(`dl.facts a[href="/teams/pos-platform"]`)
	shoot("3-team")
	if asks := text(".asks"); !strings.Contains(asks, "Releases of checkout are frozen") || !strings.Contains(asks, "Reliability work first") {
		t.Errorf("the team's asks read %q, want a release freeze of checkout and reliability work first", asks)
	}

	// The alerts page lists the firing page with its team.
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/alerts")); err != nil {
		t.Fatalf("open the alerts: %v", err)
	}
	shoot("4-alerts")
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`))
	if err != nil {
		t.Fatalf("read the alerts: %v", err)
	}
	var fast string
	for _, r := range rows {
		if strings.Contains(r, "1h/5m") {
			fast = r
		}
	}
	for _, want := range []string{"firing", "page", "Card payments succeed", "store=berlin-042", "pos-platform"} {
		if !strings.Contains(fast, want) {
			t.Errorf("the fast page's row reads %q, want %q in it (rows %q)", fast, want, rows)
		}
	}

	// The teams page shows the ownership gaps; the reports page the review.
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/teams")); err != nil {
		t.Fatalf("open the teams: %v", err)
	}
	shoot("5-teams")
	if got := text("main"); !strings.Contains(got, "Ownership gaps") || !strings.Contains(got, "pos-platform") {
		t.Errorf("the teams page reads %q, want the teams and the ownership gaps", got)
	}
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/reports?period=last-week")); err != nil {
		t.Fatalf("open the reports: %v", err)
	}
	shoot("6-reports")
	if got := text("main"); !strings.Contains(got, "SLO report: last week") {
		t.Errorf("the reports page reads %q, want last week's report", got)
	}
}
