package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/web"
)

// fixedStory is a demo story halfway through, for the overview's story
// panel.
type fixedStory struct{ at time.Time }

func (s fixedStory) Story() web.StoryView {
	return web.StoryView{Title: "The FreshMart story", ResourceAlerts: map[string]int{"cpu": 3}, ResourceTotal: 3, SLOPages: 2,
		Milestones: []web.Milestone{
			{Name: "deploy", At: s.at.Add(-95 * time.Minute), Text: "Deploy: payments-gateway 2026.11.4 goes out to every store. Unnoticed, it breaks a quarter of card payments in berlin-042."},
			{Name: "page", At: s.at.Add(-80 * time.Minute), Text: "Page: Card payments succeed burns its error budget 250× too fast in store berlin-042; pos-platform-pager is paged."},
		}}
}

// layout is what the browser measures of a page.
type layout struct {
	// ScrollWidth and ViewWidth are the document's and the viewport's
	// widths in CSS pixels.
	ScrollWidth, ViewWidth float64
	// Policy are the Policy column's cells.
	Policy []box
	// Found is the innermost element showing the text looked for.
	Found *box
	// Cut are the table cells drawn past an edge of the viewport.
	Cut []box
}

type box struct {
	Left, Right, Width, Height float64
	Text                       string
}

// measure reads a page's layout and where it shows text (whitespace
// collapsed) as visible text.
const measure = `((text) => {
  const rect = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width, height: r.height, text: e.innerText.replace(/\s+/g, " ").trim()}; };
  const policy = [];
  document.querySelectorAll("main table").forEach(t => {
    const i = [...t.querySelectorAll("thead th")].findIndex(th => th.innerText.trim().toLowerCase() === "policy");
    if (i >= 0) t.querySelectorAll("tbody tr").forEach(tr => policy.push(rect(tr.children[i])));
  });
  let found = null;
  for (const e of document.querySelectorAll("main *")) {
    if (e.innerText && e.innerText.replace(/\s+/g, " ").includes(text)) found = e; // document order: the last is the innermost
  }
  // Table cells drawn past either edge: cut off, or only seen by
  // scrolling a table sideways.
  const vw = document.documentElement.clientWidth;
  const cut = [...document.querySelectorAll("main td")].map(rect).filter(r => r.width > 1 && (r.left < -0.5 || r.right > vw + 0.5));
  return {scrollWidth: document.documentElement.scrollWidth, viewWidth: vw,
    policy: policy, found: found && rect(found), cut: cut};
})(%q)`

// TestBrowserPagesFitTheScreen opens the overview, a journey's page and a
// team page whose releases are frozen on a 1400 px laptop screen, at
// 1101 px (the narrowest that still shows the SLO table as a table) and on
// a 390 px phone: no page scrolls sideways, every Policy cell is on
// screen, and why releases are frozen and which team is to act on the
// journey are written in the page, not only in a tooltip. Screenshots go
// to testdata/out/fit-*.png.
func TestBrowserPagesFitTheScreen(t *testing.T) {
	end := time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC)
	clock := engine.NewManualClock(end.Add(-3 * 24 * time.Hour))
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, groceryChainSpec+journeySpec)}, DataDir: t.TempDir(),
		Addr: "127.0.0.1:0", Clock: clock, Manual: true, Story: fixedStory{end}})
	defer a.Close()
	seedGroceryChain(t, a, clock, end)
	var g gate.Decision
	getJSON(t, a.URL()+"/api/v1/gate?service=checkout", &g)
	_, why, ok := strings.Cut(g.Reason, "frozen: ")
	if g.Allow || !ok {
		t.Fatalf("the gate of checkout answers %+v, want releases frozen", g)
	}

	ctx := startBrowser(t, 120*time.Second)
	// The overview and the team page have the Policy column and say why
	// releases are frozen; every other page must fit too.
	pages := []fitPage{
		{"overview", "/", why},
		{"team", "/teams/pos-platform", "Releases of checkout are frozen"},
		{"teams", "/teams", ""},
		{"alerts", "/alerts", "pos-platform → pos-pager"},
		{"reports", "/reports?period=this-week", "Who changed what"},
		{"journey", "/slos/checkout/customer-checks-out", "The team to act: crm"},
	}
	pages = append(pages, everySLOAndTeam(a)...)
	checkFit(t, ctx, a.URL(), pages, 1400, 1101, 390)
}

// journeySpec is a checkout journey over the grocery chain's payments and
// scans and another team's loyalty points, which spend most of its budget.
const journeySpec = `
---
apiVersion: accord/v1
kind: SLO
metadata: {name: customer-checks-out, displayName: A customer checks out}
spec:
  service: checkout
  objective: 99
  window: 30d
  composite:
    components:
      - {slo: payments}
      - {slo: scan-latency}
      - {slo: loyalty/points-booked, weight: 2}
`

// fitPage is a page of the UI to lay out: its name, path, and a text it must
// show on screen (none when empty).
type fitPage struct{ name, path, reason string }

// everySLOAndTeam are the pages of every SLO and every team the app has.
func everySLOAndTeam(a *app.App) []fitPage {
	var out []fitPage
	teams := map[string]bool{}
	for _, v := range a.Engine.SLOs() {
		out = append(out, fitPage{"slo " + v.ID, "/slos/" + v.Service + "/" + v.Name, ""})
		if team := v.Owners.Team; team != "" && !teams[team] {
			teams[team] = true
			out = append(out, fitPage{"team " + team, "/teams/" + team, ""})
		}
	}
	return out
}

// checkFit opens every page at every width: none scrolls sideways, no
// table cell is cut off or hidden past an edge, every Policy cell is on
// screen, and where a page has a reason, it is written on screen.
// Screenshots of the pages with a reason go to testdata/out/fit-*.png.
func checkFit(t *testing.T, ctx context.Context, base string, pages []fitPage, widths ...int64) {
	t.Helper()
	for _, width := range widths {
		for _, p := range pages {
			name := fmt.Sprintf("%s at %d px", p.name, width)
			if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatalf("%s: set the viewport: %v", name, err)
			}
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+p.path))
			if err != nil || resp.Status != 200 {
				t.Fatalf("%s: open %s: %v %v", name, p.path, resp, err)
			}
			l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](fmt.Sprintf(measure, p.reason)))
			if err != nil {
				t.Fatalf("%s: measure: %v", name, err)
			}
			if l.ScrollWidth > l.ViewWidth {
				t.Errorf("%s: the page is %.0f px wide in a %.0f px viewport and scrolls sideways", name, l.ScrollWidth, l.ViewWidth)
			}
			for _, c := range l.Cut {
				t.Errorf("%s: the table cell %q spans %.0f–%.0f px of a %.0f px viewport", name, c.Text, c.Left, c.Right, l.ViewWidth)
			}
			for _, c := range l.Policy {
				if c.Left < 0 || c.Right > l.ViewWidth || c.Width == 0 || c.Text == "" {
					t.Errorf("%s: a Policy cell %q spans %.0f–%.0f px of a %.0f px viewport", name, c.Text, c.Left, c.Right, l.ViewWidth)
				}
			}
			if p.reason == "" {
				continue
			}
			screenshot(t, ctx, "fit-"+strings.NewReplacer("/", "-", " ", "-").Replace(p.name)+fmt.Sprintf("-%d", width))
			switch f := l.Found; {
			case f == nil:
				t.Errorf("%s: the page does not show %q", name, p.reason)
			case f.Left < 0 || f.Right > l.ViewWidth || f.Width == 0 || f.Height == 0:
				t.Errorf("%s: %q is shown at %.0f–%.0f px (%.0f×%.0f) of a %.0f px viewport", name, p.reason, f.Left, f.Right, f.Width, f.Height, l.ViewWidth)
			}
		}
	}
}

// TestBrowserExamplePagesFitTheScreen serves the examples a newcomer
// starts with, their Prometheus unreachable, and lays out every page at
// 1400 and 390 px: payment-success's stale message holds the long query
// URL of the failed request, which must wrap rather than widen the page;
// the checkout journey's page shows its components.
func TestBrowserExamplePagesFitTheScreen(t *testing.T) {
	dir := t.TempDir()
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Port 1 refuses at once: the data source fails without a DNS look-up.
		data = []byte(strings.ReplaceAll(string(data), "https://prometheus.stores.freshmart.example", "http://127.0.0.1:1"))
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clock := engine.NewManualClock(time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC))
	a := startApp(t, app.Options{SpecPaths: []string{dir}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Clock: clock, Manual: true})
	defer a.Close()
	_ = a.Step(context.Background()) // the source fails, as it should here
	v, ok := a.Engine.SLO("checkout/payment-success")
	if !ok || !v.Source.Stale || len(v.Source.Error) < 200 {
		t.Fatalf("checkout/payment-success is not stale with the failed request's URL: %+v", v.Source)
	}
	ctx := startBrowser(t, 120*time.Second)
	pages := []fitPage{
		{"example payment-success", "/slos/checkout/payment-success", "The data source fails since"},
		{"example journey", "/slos/checkout/customer-checks-out", "Components: who spent the journey's budget"},
		{"example overview", "/", ""}, {"example teams", "/teams", ""}, {"example alerts", "/alerts", ""}, {"example reports", "/reports", ""},
	}
	checkFit(t, ctx, a.URL(), append(pages, everySLOAndTeam(a)...), 1400, 390)
}
