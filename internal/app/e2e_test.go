package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// staleSpec adds an SLO measured by a Prometheus that has stopped
// answering.
const staleSpec = `
---
apiVersion: accord/v1
kind: Service
metadata: {name: store-sync}
spec:
  owners: {team: store-systems}
  slos:
    - name: price-updates
      displayName: Price updates apply
      objective: 99.5
      window: 30d
      indicator:
        ratio:
          good: {counter: 'pos_price_updates_total{status="applied"}'}
          total: {counter: pos_price_updates_total}
`

// seedGroceryChain pushes three days of traffic, a minute at a time, and
// evaluates: store berlin-042 fails 10% of payments over the last 90
// minutes (its budget is spent and pages fire), loyalty points fail 0.4%
// (at risk), scans are 0.1% slow (met), and coupons start in the last 20
// minutes, 10 redemptions every other minute, one of them failing (a
// budget of one bad redemption spent ten times over: the newest data is
// all there is).
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
		if ago := end.Sub(at); ago < 20*time.Minute && ago%(2*time.Minute) == 0 {
			add("coupons", at, nil, 9, 10)
		}
	}
	clock.Set(end.Add(59 * time.Second))
	push(t, a, events)
	_ = a.Step(context.Background()) // a source may fail on purpose; evaluating must not
	if err := a.Engine.Evaluate(context.Background()); err != nil {
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
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"error","errorType":"unavailable","error":"Prometheus is restarting"}`))
	}))
	defer failing.Close()
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, groceryChainSpec+staleSpec)}, DataDir: t.TempDir(),
		Addr: "127.0.0.1:0", Clock: clock, Manual: true, PrometheusURL: failing.URL})
	defer a.Close()
	seedGroceryChain(t, a, clock, end)
	// What Prometheus answered before it failed: three good days of price
	// updates. The SLO's numbers read met, but they are not current.
	var prices []engine.Count
	for m := engine.UnixMinute(end.Add(-3 * 24 * time.Hour)); m <= engine.UnixMinute(end.Add(-time.Hour)); m++ {
		prices = append(prices, engine.Count{SLO: "store-sync/price-updates", Group: "{}", Kind: engine.KindEvents, Minute: m,
			Counts: engine.Counts{Good: 50, Total: 50}})
	}
	if err := a.Engine.Record(context.Background(), prices); err != nil {
		t.Fatal(err)
	}
	_ = a.Step(context.Background()) // the source fails, as it should here
	if v, _ := a.Engine.SLO("store-sync/price-updates"); !v.Source.Stale {
		t.Fatalf("the SLO of the failing Prometheus is not stale: %+v", v.Source)
	}

	ctx := startBrowser(t, 120*time.Second) // a bound for a stuck browser, not a speed check: the machine may be loaded
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
	if status := text(`tr:has(a[href="/slos/store-sync/price-updates"]) td:first-child`); status != "stale" {
		t.Errorf("the stale SLO's status reads %q, want stale (not met)", status)
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

	// The burn-down and SLI charts reach the newest minute.
	if x := lastX(t, ctx, 0); x < 583 {
		t.Errorf("the burn-down ends at x=%.1f, short of now at the plot's right edge (584)", x)
	}
	if x := lastX(t, ctx, 1); x < 583 {
		t.Errorf("the SLI chart ends at x=%.1f, short of now at the plot's right edge (584)", x)
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

	// An SLO whose data came in the last twenty minutes: the window's
	// charts, stepping three hours, still draw it.
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/slos/loyalty/coupons")); err != nil {
		t.Fatalf("open the coupons SLO: %v", err)
	}
	shoot("7-newest-data")
	if x := lastX(t, ctx, 0); x < 583 {
		t.Errorf("the new SLO's burn-down ends at x=%.1f, short of now (584)", x)
	}
	below, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const svg = document.querySelectorAll("svg.chart")[0];
		const ys = [...svg.querySelector("path.series.s1").getAttribute("d").matchAll(/[ML][\d.]+ ([\d.]+)/g)].map(m => +m[1]);
		return ys[ys.length - 1] > +svg.querySelector("g.ref.bad line").getAttribute("y1");
	})()`))
	if err != nil || !below {
		t.Errorf("the new SLO's burn-down does not fall below exhausted (%v)", err)
	}
	if dots, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart")[1].querySelector("path.series.s1").getAttribute("d").split("M").length - 1`)); err != nil || dots < 1 {
		t.Errorf("the new SLO's SLI chart draws %d points (%v)", dots, err)
	}

	// A stale SLO says so, and not met.
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(a.URL()+"/slos/store-sync/price-updates")); err != nil {
		t.Fatalf("open the stale SLO: %v", err)
	}
	shoot("8-stale")
	if h1 := text("h1"); h1 != "Price updates apply stale" {
		t.Errorf("the stale SLO's heading reads %q, want it stale", h1)
	}
	if got := text("main"); !strings.Contains(got, "not current") || !strings.Contains(got, "Prometheus is restarting") {
		t.Errorf("the stale SLO's page reads %q, want it to say its numbers are not current and why", got)
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

// lastX is the x of the last point of the first series of the page's
// n-th chart: 584 is now, at the right edge of a 600-wide chart's plot.
func lastX(t *testing.T, ctx context.Context, n int) float64 {
	t.Helper()
	x, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(() => {
		const d = document.querySelectorAll("svg.chart")[%d].querySelector("path.series.s1").getAttribute("d");
		const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map(m => +m[1]);
		return xs[xs.length - 1];
	})()`, n)))
	if err != nil {
		t.Fatalf("read chart %d: %v", n, err)
	}
	return x
}
