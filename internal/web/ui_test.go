package web_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The UI tests read pages as a person does: the visible text, in order,
// and the few attributes that carry meaning (links, badges). There is no
// HTML parser in go.mod, so they cut the markup with regular expressions
// that rely only on the templates' element names and classes.

var (
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE   = regexp.MustCompile(`\s+`)
	tbodyRE   = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
	rowRE     = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE    = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	sloLinkRE = regexp.MustCompile(`<a href="(/slos/[^"]+)">([^<]*)</a>`)
	healthRE  = regexp.MustCompile(`<span class="badge (exhausted|at-risk|no-data|met)">`)
	tileRE    = regexp.MustCompile(`<span class="n">([^<]*)</span><span class="l">([^<]*)</span>`)
	svgRE     = regexp.MustCompile(`(?s)<svg class="chart".*?</svg>`)
	h1RE      = regexp.MustCompile(`(?s)<h1>(.*?)</h1>`)
	sectionRE = regexp.MustCompile(`(?s)<h2 id="alerts-h">.*?</section>`)
)

// text is what a person reads in a fragment of HTML: tags dropped,
// entities decoded, white space collapsed.
func text(fragment string) string {
	return strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(fragment, " ")), " "))
}

// rows returns the rows of the page's first table body.
func rows(t *testing.T, page string) []string {
	t.Helper()
	m := tbodyRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no table on the page:\n%s", text(page))
	}
	var out []string
	for _, r := range rowRE.FindAllStringSubmatch(m[1], -1) {
		out = append(out, r[1])
	}
	return out
}

// cells returns the visible text of each cell of a row.
func cells(row string) []string {
	var out []string
	for _, c := range cellRE.FindAllStringSubmatch(row, -1) {
		out = append(out, text(c[1]))
	}
	return out
}

// titles returns the SLO titles the rows link to, in order.
func titles(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, r := range rows(t, page) {
		if m := sloLinkRE.FindStringSubmatch(r); m != nil {
			out = append(out, html.UnescapeString(m[2]))
		}
	}
	return out
}

// mustContain fails for every want the text lacks.
func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q; it reads:\n%s", what, w, got)
		}
	}
}

func TestOverviewListsWhatNeedsAttentionFirst(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	page := s.mustGet(t, "/")
	// The release gates come first: frozen services, with the gate's
	// reason in the page, before open ones.
	mustContain(t, "the overview's releases", text(page), "checkout releases frozen SLO checkout/payments is exhausted with",
		"still allowed: reliability, security changes loyalty releases open")

	want := []string{"Card payments succeed", "Loyalty points are booked", "Coupons redeem", "Scans are fast"}
	if got := titles(t, page); !slices.Equal(got, want) {
		t.Errorf("overview lists %q, want %q (exhausted, at risk, no data, met)", got, want)
	}
	var health []string
	for _, r := range rows(t, page) {
		if m := healthRE.FindStringSubmatch(r); m != nil {
			health = append(health, m[1])
		}
	}
	if want := []string{"exhausted", "at-risk", "no-data", "met"}; !slices.Equal(health, want) {
		t.Errorf("status badges %q, want %q", health, want)
	}

	tiles := map[string]string{}
	for _, m := range tileRE.FindAllStringSubmatch(page, -1) {
		tiles[m[2]] = m[1]
	}
	for label, n := range map[string]string{"SLOs": "4", "budget exhausted": "1", "at risk": "1", "met": "1", "no data or stale": "1", "pages firing": "2"} {
		if tiles[label] != n {
			t.Errorf("tile %q shows %q, want %s (tiles %v)", label, tiles[label], n, tiles)
		}
	}

	first := cells(rows(t, page)[0])
	if len(first) != 8 {
		t.Fatalf("first row has %d cells, want 8: %q", len(first), first)
	}
	mustContain(t, "the exhausted SLO's status", first[0], "exhausted", "firing")
	mustContain(t, "the exhausted SLO's budget", first[3], "worst of 3: store=berlin-042")
	mustContain(t, "the exhausted SLO's team", first[5], "pos-platform")
	mustContain(t, "the exhausted SLO's product owner", first[6], "maria.jensen")
	mustContain(t, "the exhausted SLO's policy", first[7], "exhausted releases frozen")
	if last := cells(rows(t, page)[3]); !strings.Contains(last[1], "Scans are fast") || !strings.Contains(last[2], "99.900%") {
		t.Errorf("met SLO row reads %q, want Scans are fast at 99.900%%", last)
	}
	if nodata := cells(rows(t, page)[2]); !strings.Contains(nodata[3], "no data") || nodata[2] != "– 99%" {
		t.Errorf("SLO without data reads %q, want no SLI and no budget", nodata)
	}
}

func TestOverviewFilters(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	cases := []struct {
		query    string
		want     []string
		selected string
	}{
		{"team=crm", []string{"Loyalty points are booked", "Coupons redeem"}, "<option selected>crm</option>"},
		{"team=pos-platform", []string{"Card payments succeed", "Scans are fast"}, "<option selected>pos-platform</option>"},
		{"service=checkout", []string{"Card payments succeed", "Scans are fast"}, "<option selected>checkout</option>"},
		{"status=at+risk", []string{"Loyalty points are booked"}, "<option selected>at risk</option>"},
		{"status=no+data", []string{"Coupons redeem"}, "<option selected>no data</option>"},
		{"status=exhausted&service=checkout", []string{"Card payments succeed"}, "<option selected>exhausted</option>"},
		{"team=crm&status=met", nil, "<option selected>met</option>"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			page := s.mustGet(t, "/?"+c.query)
			if !strings.Contains(page, c.selected) {
				t.Errorf("the form does not keep the filter: no %s", c.selected)
			}
			if c.want == nil {
				mustContain(t, "an overview filtered to nothing", text(page), "No SLO matches these filters.")
				if strings.Contains(page, "<tbody>") {
					t.Error("an overview filtered to nothing still has a table")
				}
				return
			}
			if got := titles(t, page); !slices.Equal(got, c.want) {
				t.Errorf("lists %q, want %q", got, c.want)
			}
		})
	}
}

func TestUnknownPagesAre404(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	for _, path := range []string{"/teams/nobody", "/slos/checkout/nope", "/slos/nowhere/payments", "/nothing-here"} {
		if code, body := s.get(t, path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (%s)", path, code, body)
		}
	}
}

func TestSLOPageShowsBudgetOwnersSpecAndAlerts(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	page := s.mustGet(t, "/slos/checkout/payments")
	read := text(page)

	h1 := h1RE.FindStringSubmatch(page)
	if h1 == nil || text(h1[1]) != "Card payments succeed exhausted" || !strings.Contains(h1[1], `class="badge exhausted"`) {
		t.Errorf("heading %q, want the title and an exhausted badge", h1)
	}
	specLine := 0
	for i, l := range strings.Split(groceryChain, "\n") {
		if strings.Contains(l, "- name: payments") {
			specLine = i + 1
		}
	}
	mustContain(t, "the SLO page", read,
		"A customer paying by card is not turned away by our systems.",
		"objective 99.9%",
		"Objective 99.9% over 30d, occurrences",
		"Team pos-platform", "Product owner maria.jensen", "On call pos-pager", "Escalation store-duty-manager",
		"Runbook https://runbooks.test/checkout",
		fmt.Sprintf("Spec slos.yaml:%d (accord/v1)", specLine),
		"Policy default: exhausted",
		"worst of 3: store=berlin-042",
		"Measured by events pushed to stream payments",
	)
	mustContain(t, "the SLO page's links", page, `<a href="https://runbooks.test/checkout">`, `<a href="/teams/pos-platform">pos-platform</a>`)

	// Burn rates, SLO-wide: berlin-042's 600 bad of the 18,000 payments
	// of all three stores in the last hour, at an allowed 0.1%, is 33.3×.
	var windows []string
	byWindow := map[string][]string{}
	burn := regexp.MustCompile(`(?s)<h2 id="burn-h".*?</section>`).FindString(page)
	for _, r := range rows(t, burn) {
		c := cells(r)
		windows = append(windows, c[0])
		byWindow[c[0]] = c
	}
	if want := []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}; !slices.Equal(windows, want) {
		t.Errorf("burn-rate table windows %q, want %q", windows, want)
	}
	if hour := byWindow["1h"]; len(hour) != 3 || hour[1] != "100×" || hour[2] != "page over 14.4× (long)" {
		t.Errorf("burn-rate row for 1h reads %q, want the worst store's 100× and the fast page's long window", hour)
	}
	if two := byWindow["2h"]; len(two) != 3 || two[1] != "75.0×" || two[2] != "ticket over 3.0× (short)" {
		t.Errorf("burn-rate row for 2h reads %q, want the worst store's 75.0× and the slow ticket's short window", two)
	}
	if !strings.Contains(burn, `<span class="badge page" title="fast: 1h/5m over 14.4×">page over 14.4× (long)</span>`) {
		t.Error("the 1h burn rate over the fast page's factor is not marked as over it")
	}

	charts := svgRE.FindAllString(page, -1)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3 (burn-down, SLI, burn rate)", len(charts))
	}
	for i, c := range charts {
		if err := parseXML(c); err != nil {
			t.Errorf("chart %d is not well-formed XML: %v\n%s", i+1, err, c)
		}
		if !strings.Contains(c, `<path class="series s`) {
			t.Errorf("chart %d draws no line", i+1)
		}
	}
	mustContain(t, "the burn-down chart", charts[0], "<title>Error budget left over the window, against an even spend</title>", ">exhausted</text>")
	mustContain(t, "the SLI chart", charts[1], ">objective 99.9%</text>")
	mustContain(t, "the burn-rate chart", charts[2], ">page 1h/5m 14.4×</text>", ">1× even spend</text>")

	alerts := text(sectionRE.FindString(page))
	mustContain(t, "the SLO's alerts", alerts,
		"firing page 1h/5m over 14.4× store=berlin-042",
		"firing page 6h/30m over 6.0× store=berlin-042",
		"Alert and policy history", "policy healthy → exhausted", "firing page 1h/5m (100×) store=berlin-042")
	if strings.Contains(alerts, "hamburg") || strings.Contains(alerts, "munich") {
		t.Errorf("alerts of clean stores are listed:\n%s", alerts)
	}

	groups := regexp.MustCompile(`(?s)<h2 id="groups-h".*?</section>`).FindString(page)
	var stores []string
	for _, r := range rows(t, groups) {
		stores = append(stores, cells(r)[0])
	}
	if len(stores) != 3 || stores[0] != "store=berlin-042" {
		t.Errorf("groups %q, want berlin-042 first of 3", stores)
	}
}

func TestSLOPageChartsOneGroup(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	all := text(s.mustGet(t, "/slos/checkout/payments"))
	one := text(s.mustGet(t, "/slos/checkout/payments?group=store%3Dberlin-042&range=1d"))
	mustContain(t, "the SLO page of all stores", all, "Charts of all groups together over:")
	mustContain(t, "the SLO page of one store", one, "Charts of store=berlin-042 (", "all groups", ") over:")
	page := s.mustGet(t, "/slos/checkout/payments")
	if !strings.Contains(page, `href="?group=store%3dberlin-042&amp;range=window"`) {
		t.Error("the groups table does not link each group to its charts")
	}
	if got := text(s.mustGet(t, "/slos/checkout/payments?group=store%3Dnowhere")); !strings.Contains(got, "Charts of all groups together") {
		t.Error("an unknown group does not fall back to all groups")
	}
}

func TestSLOPageWithoutData(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	page := s.mustGet(t, "/slos/loyalty/coupons")
	mustContain(t, "an SLO without data", text(page), "Coupons redeem no data", "Team crm", "No alert has fired.", "Nothing sent yet.")
	charts := svgRE.FindAllString(page, -1)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3 even without data", len(charts))
	}
	for i, c := range charts {
		if err := parseXML(c); err != nil {
			t.Errorf("chart %d is not well-formed XML: %v", i+1, err)
		}
	}
}

// parseXML reads a fragment to its end as strict XML.
func parseXML(fragment string) error {
	d := xml.NewDecoder(strings.NewReader(fragment))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return fmt.Errorf("%d elements left open", depth)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

func TestTeamPageSaysWhatThePolicyAsks(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	pos := text(s.mustGet(t, "/teams/pos-platform"))
	mustContain(t, "the page of the team with a spent budget", pos,
		"Team pos-platform", "Product owner: maria.jensen",
		"Releases of checkout are frozen since Nov 4 09:30 UTC, except reliability, security fixes — the budget of payments (exhausted) is spent",
		"Reliability work first — payments (exhausted)",
		"Card payments succeed", "Scans are fast",
	)
	if strings.Contains(pos, "loyalty") {
		t.Errorf("the team page lists another team's SLOs:\n%s", pos)
	}
	mustContain(t, "the team page without changes", pos, "Recent changes No annotations or exceptions in the last 30 days.")

	// A deploy recorded for checkout, and one for loyalty, show on their
	// teams' pages with who recorded them.
	for _, svc := range []string{"checkout", "loyalty"} {
		req := httptest.NewRequest("POST", "/api/v1/annotations", strings.NewReader(`{"kind": "deploy", "service": "`+svc+`", "version": "2026.11.3"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("annotate %s: %d %s", svc, rec.Code, rec.Body)
		}
	}
	pos = text(s.mustGet(t, "/teams/pos-platform"))
	mustContain(t, "the team page after a deploy", pos, "Recent changes When Who What Nov 4 09:30 UTC bootstrap recorded deploy 2026.11.3 on checkout at Wed Nov 4 09:30 UTC")
	if strings.Contains(pos, "on loyalty") {
		t.Errorf("the team page lists another team's changes:\n%s", pos)
	}

	crm := text(s.mustGet(t, "/teams/crm"))
	mustContain(t, "the page of the team at risk", crm, "Reliability work first — points-booked (at-risk)", "Coupons redeem")
	if strings.Contains(crm, "frozen") {
		t.Errorf("an at-risk budget freezes releases:\n%s", crm)
	}

	teams := s.mustGet(t, "/teams")
	var names []string
	for _, r := range rows(t, teams) {
		names = append(names, cells(r)[0])
	}
	if want := []string{"pos-platform", "crm"}; !slices.Equal(names, want) {
		t.Errorf("teams %q, want %q (least budget left first)", names, want)
	}
}

func TestAlertsPageListsFiringAlertsWithTheirTeam(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	page := s.mustGet(t, "/alerts")
	firing := rows(t, page)
	if len(firing) != 4 {
		t.Fatalf("%d firing alerts, want berlin-042's 4 (2 pages, 2 tickets)", len(firing))
	}
	var fast []string
	for _, r := range firing {
		if c := cells(r); strings.Contains(c[3], "1h/5m") {
			fast = c
		}
	}
	want := []string{"firing page", "Card payments succeed checkout", "store=berlin-042", "1h/5m over 14.4×", "100× / 100×", "pos-platform → pos-pager"}
	if len(fast) != 7 || !slices.Equal(fast[:6], want) {
		t.Errorf("the fast page reads %q, want %q", fast, want)
	}
	if !strings.Contains(firing[0], `href="/slos/checkout/payments"`) {
		t.Error("a firing alert does not link to its SLO")
	}
	mustContain(t, "the alerts page", text(page), "Nothing resolved.")
}

// TestSLOPageRangeIsBounded asks for charts over far more than the
// longest range offered (twice the 30d window) and gets the window.
func TestSLOPageRangeIsBounded(t *testing.T) {
	s := mustSeed(t, groceryTraffic())
	page := s.mustGet(t, "/slos/checkout/payments?range=60d")
	if !strings.Contains(page, `<strong aria-current="true">60d</strong>`) {
		t.Error("twice the window, the longest range offered, is not shown")
	}
	page = s.mustGet(t, "/slos/checkout/payments?range=61d")
	if !strings.Contains(page, `<strong aria-current="true">the window</strong>`) {
		t.Error("a range past the longest offered is not refused for the window")
	}
}
