package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/demo"
	"github.com/accord-slo/accord/internal/gate"
)

// syncBuffer is a narration sink safe to read while the demo writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoPlaysTheWholeStory runs a compressed month of FreshMart: the
// week before the story, backfilled, and three weeks of it. Each milestone
// is checked through Accord's public API as well as in the narration.
func TestDemoPlaysTheWholeStory(t *testing.T) {
	if testing.Short() {
		t.Skip("plays two simulated weeks")
	}
	ctx := context.Background()
	out := &syncBuffer{}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d, err := demo.New(ctx, demo.Options{Addr: "127.0.0.1:0", Start: start, DataDir: t.TempDir(), Out: out, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	get := func(path string, v any) {
		t.Helper()
		resp, err := http.Get(d.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	gateNow := func() gate.Decision {
		var g gate.Decision
		get("/api/v1/gate?service=checkout", &g)
		return g
	}
	if g := gateNow(); !g.Allow {
		t.Fatalf("before the story the gate is closed: %s", g.Reason)
	}
	// The customer's checkout, a journey over scanning, paying and the
	// receipt: before the bad deploy what little it spent, slow scans
	// spent most of.
	journeyShares := func() map[string]float64 {
		t.Helper()
		var j struct {
			Journey    bool `json:"journey"`
			Components []struct {
				SLO        string  `json:"slo"`
				SpentShare float64 `json:"spentShare"`
			} `json:"components"`
		}
		get("/api/v1/slos/checkout/customer-checks-out", &j)
		if !j.Journey || len(j.Components) != 3 {
			t.Fatalf("checkout/customer-checks-out is no journey of three components: %+v", j)
		}
		out := map[string]float64{}
		for _, c := range j.Components {
			out[c.SLO] = c.SpentShare
		}
		return out
	}
	if sh := journeyShares(); sh["checkout/payments"] >= 0.5 || sh["checkout/scan-latency"] <= sh["checkout/payments"] {
		t.Errorf("before the bad deploy the journey's spent budget is shared %v: want scans, not payments, to have spent most", sh)
	}

	// The story waits for someone to look: the overview starts it and
	// reloads itself while it plays.
	select {
	case <-d.Viewed():
		t.Fatal("the story started before anyone opened the overview")
	default:
	}
	overview := func() string {
		t.Helper()
		resp, err := http.Get(d.URL() + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		return string(page)
	}
	if page := overview(); !strings.Contains(page, `<meta http-equiv="refresh" content="5">`) ||
		!strings.Contains(page, "Playing: an hour of FreshMart every 10s") {
		t.Errorf("while the story plays the overview neither reloads nor says how fast it plays:\n%s", page)
	}
	select {
	case <-d.Viewed():
	default:
		t.Error("opening the overview did not start the story")
	}

	// Up to the middle of the incident: paged, budget spent, gate closed.
	if err := d.Advance(ctx, start.Add(4*time.Hour+30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{demo.MilestoneDeploy, demo.MilestonePage, demo.MilestoneExhausted, demo.MilestoneGateDeny} {
		if !d.Reached(m) {
			t.Errorf("by 13:30 the story has not reached %q; narration:\n%s", m, out)
		}
	}
	if g := gateNow(); g.Allow || !strings.Contains(g.Reason, "exhausted") {
		t.Errorf("mid-incident the gate answers %+v, want a denial", g)
	}
	var alerts struct {
		Alerts []struct{ SLO, Severity, State string } `json:"alerts"`
	}
	get("/api/v1/alerts", &alerts)
	paged := false
	for _, a := range alerts.Alerts {
		paged = paged || a.SLO == "checkout/payments" && a.Severity == "page" && a.State == "firing"
	}
	if !paged {
		t.Errorf("mid-incident no page fires for checkout/payments: %+v", alerts)
	}
	// The bad deploy shows on the journey, its spend put down to card
	// payments, and the journey's page names their team as the one to act.
	mostlyPayments := func(when string) {
		t.Helper()
		sh := journeyShares()
		if p := sh["checkout/payments"]; p <= 0.5 || p <= sh["checkout/scan-latency"] || p <= sh["checkout/receipts"] {
			t.Errorf("%s the journey's spent budget is shared %v: want most of it caused by card payments", when, sh)
		}
	}
	mostlyPayments("mid-incident")
	if !d.Reached(demo.MilestoneJourney) {
		t.Errorf("mid-incident the narration does not put the journey's spend down to card payments:\n%s", out)
	}
	resp, err := http.Get(d.URL() + "/slos/checkout/customer-checks-out")
	if err != nil {
		t.Fatal(err)
	}
	journeyPage, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	act := regexp.MustCompile(`(?s)<p class="act">(.*?)</p>`).FindSubmatch(journeyPage)
	if act == nil || !regexp.MustCompile(`The team to act: <strong><a href="/teams/pos-platform">pos-platform</a></strong>, owner of <a href="/slos/checkout/payments">Card payments succeed</a>, which caused \d+% of the journey's spent budget`).Match(act[1]) {
		t.Errorf("mid-incident the journey's page does not name card payments and their team: %q", act)
	}

	// The exception and the fix.
	if err := d.Advance(ctx, start.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{demo.MilestoneException, demo.MilestoneFix, demo.MilestoneResolved} {
		if !d.Reached(m) {
			t.Errorf("by 17:00 the story has not reached %q; narration:\n%s", m, out)
		}
	}
	mostlyPayments("after the fix")

	// A week later the incident leaves the window and the gate opens.
	if err := d.Advance(ctx, start.Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !d.Reached(demo.MilestoneRecovered) {
		t.Errorf("eight days on the story has not recovered; narration:\n%s", out)
	}
	if g := gateNow(); !g.Allow || g.Exception != nil {
		t.Errorf("after recovery the gate answers %+v, want allow without an exception", g)
	}
	var before struct{ SLOPages int }
	get("/api/v1/demo", &before)

	// Played in real time, the story stops its clock once told, with the
	// incident in view over twice the window, and says so.
	stopped := d.Now()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- d.Run(runCtx) }()
	select {
	case <-d.Over():
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not end the story after the recovery")
	}
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if now := d.Now(); !now.Equal(stopped) || !strings.Contains(out.String(), "The story is over") {
		t.Errorf("after the recovery the clock moved from %s to %s, or the narration does not end:\n%s", stopped, now, out)
	}
	if page := overview(); !strings.Contains(page, "The story is over") || !strings.Contains(page, `href="/slos/checkout/payments?range=14d"`) {
		t.Errorf("the told story does not say it is over or link the incident's chart")
	}
	// The 7-day charts no longer hold the bad deploy; the 14-day ones do,
	// marked on the burn rate chart.
	deployMarked := func(path string) bool {
		resp, err := http.Get(d.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		charts := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(string(page), -1)
		if len(charts) != 3 {
			t.Fatalf("%s: %d charts, want 3", path, len(charts))
		}
		return regexp.MustCompile(`<g class="marker[^"]*"><line[^>]*/><title>[^<]*2026\.11\.4`).MatchString(charts[2])
	}
	if deployMarked("/slos/checkout/payments") || !deployMarked("/slos/checkout/payments?range=14d") {
		t.Error("the bad deploy is not marked on the 14-day burn rate chart alone")
	}

	// Two more quiet weeks: nothing pages, the gate stays open.
	if err := d.Advance(ctx, start.Add(21*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if g := gateNow(); !g.Allow {
		t.Errorf("in the quiet weeks the gate closed: %s", g.Reason)
	}
	var story struct {
		ResourceTotal, ResourceMattered, SLOPages, SLOPagesMattered int
		Milestones                                                  []struct{ Name string }
	}
	get("/api/v1/demo", &story)
	if story.SLOPages != before.SLOPages {
		t.Errorf("%d pages fired in the quiet weeks after the recovery", story.SLOPages-before.SLOPages)
	}
	// Scored as accord replay scores: against the hours the bad deploy
	// broke card payments.
	if story.ResourceTotal < 100 || story.ResourceMattered != 0 || story.SLOPages == 0 || story.SLOPagesMattered != story.SLOPages {
		t.Errorf("alerts compared: %d resource alerts, %d of them while customers were hurt, %d SLO pages, %d of them while customers were hurt; want many, none, some, all",
			story.ResourceTotal, story.ResourceMattered, story.SLOPages, story.SLOPagesMattered)
	}
	// The page's step and the midnight summaries say the same delay of the
	// same first page, from when payments began to fail.
	pagedAfter := regexp.MustCompile(`is paged (\d+ minutes?) after card payments began to fail`).FindStringSubmatch(out.String())
	first := regexp.MustCompile(`The first page came (\d+ minutes?) after card payments began to fail`).FindStringSubmatch(out.String())
	if !regexp.MustCompile(`Journey: A customer checks out burns its budget \d+× too fast over the last hour \(\d+% left\)\. Card payments succeed caused \d+% of its spent budget, scanning and receipts the rest: pos-platform, who own card payments, are the team to act\.`).MatchString(out.String()) {
		t.Errorf("the narration does not name card payments as the cause of the journey's spend:\n%s", out)
	}
	if pagedAfter == nil || first == nil || pagedAfter[1] != first[1] {
		t.Errorf("the narration gives the first page's delay as %q and %q:\n%s", pagedAfter, first, out)
	}
	var names []string
	for _, m := range story.Milestones {
		names = append(names, m.Name)
	}
	want := "receipts-otlp deploy page journey exhausted gate-denied exception fix resolved recovered"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("milestones in order: %q, want %q", got, want)
	}
	// A receipt prints for every payment: the receipts the printers
	// exported over OTLP count as many as the payments the tills pushed.
	var receipts, payments struct {
		Status struct {
			Counts struct{ Good, Total float64 } `json:"counts"`
		} `json:"status"`
	}
	get("/api/v1/slos/checkout/receipts", &receipts)
	get("/api/v1/slos/checkout/payments", &payments)
	if r, p := receipts.Status.Counts, payments.Status.Counts; r.Total == 0 || r.Total != p.Total || r.Good >= r.Total {
		t.Errorf("receipts over OTLP count %v of %v, payments %v of %v: want as many receipts as payments, some failed", r.Good, r.Total, p.Good, p.Total)
	}
	if n := strings.Count(out.String(), "] So far: "); n < 20 {
		t.Errorf("the narration sums up the alerts on %d midnights of 21", n)
	}
	page := overview()
	if !strings.Contains(page, "The FreshMart story") || !strings.Contains(page, "Resource thresholds") {
		t.Error("the overview does not tell the story")
	}
	if strings.Contains(page, `http-equiv="refresh"`) || strings.Contains(page, "Playing:") {
		t.Error("once the story is told the overview still reloads itself")
	}
	t.Logf("narration:\n%s", out)
}
