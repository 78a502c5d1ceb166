package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestStaleAndUnjudgedSLOsDoNotLookGood: an SLO whose source fails reads
// stale, not met, wherever it shows; one without data carries no
// "healthy" policy badge.
func TestStaleAndUnjudgedSLOsDoNotLookGood(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	s.engine.SetSource("checkout/scan-latency", engine.SourceState{Stale: true, StaleSince: seedEnd.Add(-10 * time.Minute), Error: "connection refused"})
	if err := s.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := s.mustGet(t, "/")
	var scans, coupons []string
	for _, r := range rows(t, page) {
		switch c := cells(r); {
		case strings.Contains(c[1], "Scans are fast"):
			scans = c
			if !strings.Contains(r, `<span class="badge stale">stale</span>`) || strings.Contains(r, `class="badge met"`) {
				t.Errorf("the stale SLO's row is not marked stale, or still met:\n%s", r)
			}
		case strings.Contains(c[1], "Coupons redeem"):
			coupons = c
		}
	}
	if scans == nil || scans[0] != "stale" {
		t.Errorf("the stale SLO's status reads %q, want stale alone", scans)
	}
	if coupons == nil || coupons[7] != "no data" {
		t.Errorf("the SLO without data has the policy badge %q, want no data", coupons)
	}
	tiles := map[string]string{}
	for _, m := range tileRE.FindAllStringSubmatch(page, -1) {
		tiles[m[2]] = m[1]
	}
	if tiles["met"] != "0" {
		t.Errorf("the met tile counts %s, want 0 with the only met SLO stale", tiles["met"])
	}

	slo := s.mustGet(t, "/slos/checkout/scan-latency")
	if h1 := h1RE.FindStringSubmatch(slo); h1 == nil || text(h1[1]) != "Scans are fast stale" {
		t.Errorf("the stale SLO's heading reads %q, want it stale", h1)
	}
	mustContain(t, "the stale SLO's page", text(slo), "last measured before the source failed: not current")
	mustContain(t, "the SLO page without data", text(s.mustGet(t, "/slos/loyalty/coupons")), "Policy default: no data")
}

// TestOverspentBudgetSaysByHowMuch: berlin-042's 900 bad payments of
// 432,100 (4,321 minutes of 100) against a 0.1% budget of 432.1; scans,
// 4,321 slow of 4,321,000 against a 1% budget of 43,210.
func TestOverspentBudgetSaysByHowMuch(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	mustContain(t, "the spent SLO's page", text(s.mustGet(t, "/slos/checkout/payments")),
		"error budget overspent by 468 bad events (a budget of 432), worst of 3: store=berlin-042")
	mustContain(t, "the met SLO's page", text(s.mustGet(t, "/slos/checkout/scan-latency")),
		"error budget left (38889 of 43210 bad events)")
}

// TestChartsDrawTheNewestData: coupons start failing in the last twenty
// minutes, every other minute. The window's charts step three hours at a
// time, yet the burn-down falls below zero and the SLI chart has its
// point; at six hours the one-minute points with gaps between them show.
func TestChartsDrawTheNewestData(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	var events []engine.Event
	for m := 0; m < 20; m += 2 {
		good, total := 5.0, 10.0
		events = append(events, engine.Event{Stream: "coupons", Time: seedEnd.Add(-time.Duration(m) * time.Minute), Good: &good, Total: &total})
	}
	if err := s.engine.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	charts := svgRE.FindAllString(s.mustGet(t, "/slos/loyalty/coupons"), -1)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3", len(charts))
	}
	left := seriesPoints(t, charts[0], "s1")
	zero := regexp.MustCompile(`<g class="ref bad"><line x1="\d+" x2="\d+" y1="([\d.]+)"`).FindStringSubmatch(charts[0])
	if len(left) == 0 || zero == nil {
		t.Fatalf("the burn-down has no budget line or no exhausted line:\n%s", charts[0])
	}
	if y0, _ := strconv.ParseFloat(zero[1], 64); left[len(left)-1] <= y0 {
		t.Errorf("the burn-down ends at y=%.1f, above the exhausted line at %.1f: the newest data is missing", left[len(left)-1], y0)
	}
	if pts := seriesPoints(t, charts[1], "s1"); len(pts) == 0 {
		t.Error("the SLI chart draws nothing though the window has data")
	}
	zoomed := svgRE.FindAllString(s.mustGet(t, "/slos/loyalty/coupons?range=6h"), -1)
	if dots := strings.Count(zoomed[1], " h0"); dots != 10 {
		t.Errorf("the 6-hour SLI chart draws %d of the 10 one-minute points between gaps", dots)
	}
}

// seriesPoints returns the y of every point of a chart's series: its
// line, then its dots.
func seriesPoints(t *testing.T, svg, class string) []float64 {
	t.Helper()
	var ys []float64
	for _, m := range regexp.MustCompile(`<path class="series `+class+`( dot)?" d="([^"]*)"`).FindAllStringSubmatch(svg, -1) {
		for _, p := range regexp.MustCompile(`[ML]([\d.]+) ([\d.]+)`).FindAllStringSubmatch(m[2], -1) {
			y, _ := strconv.ParseFloat(p[2], 64)
			ys = append(ys, y)
		}
	}
	return ys
}
