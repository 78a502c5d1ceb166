package web_test

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// journeyChain is a checkout journey over a scan of its own service and a
// card payment another team owns, and a store visit that nests it.
const journeyChain = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: scan
      displayName: Items scan
      objective: 99
      window: 7d
      indicator: {ratio: {stream: scan}}
    - name: customer-checks-out
      displayName: A customer checks out
      objective: 99
      window: 7d
      composite:
        components:
          - {slo: scan, weight: 1}
          - {slo: payments/card, weight: 2}
        maxDelay: 15m
        whenDelayed: countAsBad
    - name: store-visit
      displayName: A store visit
      objective: 99
      window: 7d
      composite:
        components:
          - {slo: customer-checks-out}
          - {slo: doors}
    - name: doors
      displayName: Doors open
      objective: 99
      window: 7d
      indicator: {ratio: {stream: doors}}
---
apiVersion: accord/v1
kind: Service
metadata: {name: payments}
spec:
  owners: {team: payments-team}
  slos:
    - name: card
      displayName: Card payments succeed
      objective: 99
      window: 7d
      indicator: {ratio: {stream: pay}}
`

// journeyTraffic is a day of 100 scans and 100 payments a minute: 0.1% of
// scans fail all day, 5% of payments over the last hour.
//
// Over the day (1441 minutes, both ends in) scans spent 144.1 bad events
// at weight 1, payments 300 at weight 2: payments caused 600 / 744.1 = 81%
// of the journey's spent budget.
func journeyTraffic() seed {
	pay := flow{stream: "pay", total: 100, bad: func(ago time.Duration) float64 {
		if ago <= time.Hour {
			return 0.05
		}
		return 0
	}}
	return seed{spec: journeyChain, span: 24 * time.Hour, flows: []flow{steady("scan", 100, 0.001), pay, steady("doors", 10, 0)}}
}

var (
	// anyRowRE is a table row, marked or not.
	anyRowRE    = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	actRE       = regexp.MustCompile(`(?s)<p class="act">(.*?)</p>`)
	componentRE = regexp.MustCompile(`(?s)<table class="cards components">.*?</table>`)
	partOfRE    = regexp.MustCompile(`(?s)<p class="partof">(.*?)</p>`)
)

// mustAct is what a journey's page says of the team to act, its
// paragraph's HTML.
func mustAct(t *testing.T, page string) []string {
	t.Helper()
	act := actRE.FindStringSubmatch(page)
	if act == nil {
		t.Fatalf("the journey's page names no team to act:\n%s", text(page))
	}
	return act
}

func TestJourneyPageNamesTheComponentThatSpentTheBudget(t *testing.T) {
	s := mustSeed(t, journeyTraffic())
	page := s.mustGet(t, "/slos/checkout/customer-checks-out")
	act := mustAct(t, page)
	mustContain(t, "the team to act", prose(act[1]),
		"The team to act: payments-team, owner of Card payments succeed, which caused 81% of the journey's spent budget.")
	mustContain(t, "the team to act", act[1], `<a href="/teams/payments-team">`, `<a href="/slos/payments/card">`)

	table := componentRE.FindString(page)
	if table == "" {
		t.Fatalf("the journey's page has no components table:\n%s", text(page))
	}
	var got [][]string
	for _, r := range anyRowRE.FindAllStringSubmatch(tbodyRE.FindString(table), -1) {
		got = append(got, cells(r[1]))
	}
	if len(got) != 2 {
		t.Fatalf("components %q, want scan and card", got)
	}
	// Each component with its SLI over the journey's window, its weight,
	// its share of the spent budget and its team, in the spec's order.
	want := [][]string{
		{"Items scan met checkout/scan", "1", "99.900% 143956 good of 144100 · 99%", "19%", "pos-platform"},
		{"Card payments succeed met payments/card", "2", "99.792% 143800 good of 144100 · 99%", "81%", "payments-team"},
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("component %d reads %q, want %q", i, got[i], want[i])
		}
	}
	if top := regexp.MustCompile(`<tr class="top">\s*<td[^>]*><a href="([^"]+)"`).FindStringSubmatch(table); top == nil || top[1] != "/slos/payments/card" {
		t.Errorf("the component that spent most is not marked: %v", top)
	}
	mustContain(t, "the journey's facts", text(page), "Measured by its 2 components, weighted (above); a component more than 15m late counts as bad")
	// Everything an SLO's page shows: the three charts and the burn rates.
	if n := len(svgRE.FindAllString(page, -1)); n != 3 {
		t.Errorf("the journey's page has %d charts, want 3", n)
	}
	mustContain(t, "the journey's page", text(page), "Burn rates now", "SLI over 7d (objective 99%)")
}

func TestNestedJourneyFollowsTheCauseToItsTeam(t *testing.T) {
	s := mustSeed(t, journeyTraffic())
	page := s.mustGet(t, "/slos/checkout/store-visit")
	act := mustAct(t, page)
	mustContain(t, "the team to act", prose(act[1]), "The team to act: payments-team, owner of Card payments succeed, which spent most of A customer checks out's budget; that journey caused 100% of this one's spent budget.")
	mustContain(t, "the components", text(componentRE.FindString(page)), "A customer checks out journey")
}

func TestComponentPageLinksBackToItsJourneys(t *testing.T) {
	s := mustSeed(t, journeyTraffic())
	for path, want := range map[string]string{
		"/slos/payments/card":                `A step of the journey <a href="/slos/checkout/customer-checks-out">A customer checks out</a>`,
		"/slos/checkout/customer-checks-out": `A step of the journey <a href="/slos/checkout/store-visit">A store visit</a>`,
	} {
		m := partOfRE.FindString(s.mustGet(t, path))
		if !strings.Contains(m, want) {
			t.Errorf("%s: %q, want %q", path, m, want)
		}
	}
	if m := partOfRE.FindString(s.mustGet(t, "/slos/checkout/store-visit")); m != "" {
		t.Errorf("a journey no other journey has among its components says %q", m)
	}
}

func TestOverviewShowsJourneysFirst(t *testing.T) {
	s := mustSeed(t, journeyTraffic())
	page := s.mustGet(t, "/")
	got := titles(t, page)
	if len(got) != 5 || !slices.Equal(got[:2], []string{"A customer checks out", "A store visit"}) {
		t.Fatalf("the overview lists %q, want the two journeys first", got)
	}
	mustContain(t, "the journey's row", prose(rows(t, page)[0]), "A customer checks out journey", "mostly spent by Card payments succeed: payments-team to act")
	mustContain(t, "the nested journey's row", prose(rows(t, page)[1]), "mostly spent by Card payments succeed: payments-team to act")
	if third := cells(rows(t, page)[2]); strings.Contains(third[1], "journey") || strings.Contains(third[1], "mostly spent") {
		t.Errorf("a plain SLO reads as a journey: %q", third[1])
	}
}

// prose is a fragment's text with the spaces the dropped tags left
// before punctuation taken out, as a person reads it.
func prose(fragment string) string {
	return strings.NewReplacer(" ,", ",", " :", ":", " .", ".", " 's", "'s").Replace(text(fragment))
}

// TestMetricsShowEachComponentsShareOfAJourneysSpentBudget scrapes the
// components' shares of each journey, as the API gives them, in the whole
// scrape and the journey's team's, and in no other team's.
func TestMetricsShowEachComponentsShareOfAJourneysSpentBudget(t *testing.T) {
	s := mustSeed(t, journeyTraffic())
	shares := func(path string) map[string]float64 {
		t.Helper()
		code, body := s.get(t, path)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		out := map[string]float64{}
		for _, l := range strings.Split(body, "\n") {
			if m := componentShareRE.FindStringSubmatch(l); m != nil {
				v, err := strconv.ParseFloat(m[4], 64)
				if err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				out[m[2]+"/"+m[3]+" "+m[1]] = v
			}
		}
		return out
	}
	all := shares("/metrics")
	if len(all) != 4 {
		t.Fatalf("/metrics has component shares %v, want the 2 of each of 2 journeys", all)
	}
	for _, id := range []string{"checkout/customer-checks-out", "checkout/store-visit"} {
		v, ok := s.engine.SLO(id)
		if !ok || len(v.Components) != 2 {
			t.Fatalf("%s: %+v", id, v.Components)
		}
		var sum float64
		for _, c := range v.Components {
			got, ok := all[id+" "+c.SLO]
			if !ok || math.Abs(got-c.SpentShare) > 1e-9 {
				t.Errorf("%s component %s: scraped %v (%v), API %v", id, c.SLO, got, ok, c.SpentShare)
			}
			sum += got
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("%s: shares add up to %v", id, sum)
		}
	}
	if got := all["checkout/customer-checks-out payments/card"]; math.Abs(got-600/744.1) > 0.01 {
		t.Errorf("payments caused %v of the checkout journey's spent budget, want about 600/744.1", got)
	}
	if team := shares("/metrics?team=pos-platform"); len(team) != 4 {
		t.Errorf("the journeys' team scrape has %v", team)
	}
	if other := shares("/metrics?team=payments-team"); len(other) != 0 {
		t.Errorf("another team's scrape has %v", other)
	}
}

var componentShareRE = regexp.MustCompile(`^accord_slo_journey_component_spent_share\{component="([^"]+)",service="([^"]+)",slo="([^"]+)",team="[^"]*"\} (\S+)$`)
