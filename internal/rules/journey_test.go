package rules_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/slo"
)

// journeyGroup returns the rules of one SLO's group, by name.
func journeyGroup(t *testing.T, res *rules.Result, name string) []rules.Rule {
	t.Helper()
	for _, f := range res.Files {
		for _, g := range f.Groups {
			if g.Name == name {
				return g.Rules
			}
		}
	}
	t.Fatalf("no group %s", name)
	return nil
}

// TestJourneyRecordsItsComponentsWeightedMinutes checks that a journey's
// only rules over other series are its minute's events, the weighted sum
// of its components' own recordings of the minute (a grouped component
// summed over its groups), and each component's weighted bad events
// labelled with its ID; and that everything else it records reads
// those two as any SLO's rules read theirs: tiles, window, budget,
// objective labelled indicator="composite", alerts.
func TestJourneyRecordsItsComponentsWeightedMinutes(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs/journeys.yaml"))
	rs := journeyGroup(t, res, "accord:checkout:customer-checks-out")
	want := map[string]string{
		rules.TotalIncrease1m: "sum(\n  sum by (service, slo) (slo:sli_total:increase1m{service=\"checkout\", slo=\"scan\"})\nor\n  2 * sum by (service, slo) (slo:sli_total:increase1m{service=\"checkout\", slo=\"pay\"})\n)",
		rules.ErrorIncrease1m: "sum(\n  sum by (service, slo) (slo:sli_error:increase1m{service=\"checkout\", slo=\"scan\"})\nor\n  2 * sum by (service, slo) (slo:sli_error:increase1m{service=\"checkout\", slo=\"pay\"})\n)",
		rules.ComponentError1m: `label_replace(sum(slo:sli_error:increase1m{service="checkout", slo="scan"}), "component", "checkout/scan", "", "")` +
			"\nor\n" + `label_replace(2 * sum(slo:sli_error:increase1m{service="checkout", slo="pay"}), "component", "checkout/pay", "", "")`,
	}
	var names []string
	for _, r := range rs {
		if r.Alert != "" {
			names = append(names, r.Alert+" "+r.Labels["burn_window"])
			continue
		}
		names = append(names, r.Record)
		if w, ok := want[r.Record]; ok && r.Expr != w {
			t.Errorf("%s:\n got %s\nwant %s", r.Record, r.Expr, w)
		}
		if r.Labels["service"] != "checkout" || r.Labels["slo"] != "customer-checks-out" {
			t.Errorf("%s labelled %v, want the journey's labels", r.Record, r.Labels)
		}
		if _, ok := want[r.Record]; !ok && strings.Contains(r.Expr, `slo="scan"`) {
			t.Errorf("%s reads a component's series, not the journey's minute:\n%s", r.Record, r.Expr)
		}
		if r.Record == rules.Objective && r.Labels["indicator"] != "composite" {
			t.Errorf("objective labelled indicator=%q, want composite", r.Labels["indicator"])
		}
	}
	wantNames := []string{rules.TotalIncrease1m, rules.ErrorIncrease1m, rules.ComponentError1m, rules.TotalIncrease5m, rules.ErrorIncrease5m,
		rules.TotalSinceTile, rules.ErrorSinceTile, rules.EventsIncrease1h, "slo:sli_total:increase7d", rules.BudgetRemaining,
		rules.Objective, "JourneyBurn 15m/5m", "JourneyBurn 30m/5m"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("rules:\n got %q\nwant %q", names, wantNames)
	}
}

// TestJourneyWithSlothNamingReadsSlothLabels checks that with --naming
// sloth a journey reads its components' recordings by the labels they
// then carry.
func TestJourneyWithSlothNamingReadsSlothLabels(t *testing.T) {
	res, err := rules.Generate(mustCatalog(t, "testdata/promtool/specs/journeys.yaml"), rules.Options{Naming: rules.NamingSloth})
	if err != nil {
		t.Fatal(err)
	}
	total := journeyGroup(t, res, "accord:checkout:customer-checks-out")[0]
	want := `2 * sum by (sloth_id, sloth_service, sloth_slo) (slo:sli_total:increase1m{sloth_id="checkout-pay", sloth_service="checkout", sloth_slo="pay"})`
	if total.Record != rules.TotalIncrease1m || !strings.Contains(total.Expr, want) {
		t.Errorf("total:\n%s\nlacks %s", total.Expr, want)
	}
}

// TestTimeSliceJourneysCombineComponentSlices checks the slice a
// time-slice journey records: the worst of its components' judgements
// (timeslices), or their weighted mean (ratio-timeslices); an ungrouped
// component's own slice recording is read, a grouped one's is judged on
// the events of all its groups.
func TestTimeSliceJourneysCombineComponentSlices(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs/journeys.yaml"))
	slice := func(group string) string {
		for _, r := range journeyGroup(t, res, group) {
			if r.Record == rules.SliceError {
				return r.Expr
			}
		}
		t.Fatalf("%s records no slice", group)
		return ""
	}
	const grouped = `(sum by (service, slo) (sum_over_time(slo:sli_error:increase1m{service="kiosk", slo="pay"}[4m30s])) / sum by (service, slo) (sum_over_time(slo:sli_total:increase1m{service="kiosk", slo="pay"}[4m30s])))`
	if got, want := slice("accord:kiosk:checks-out"), "max(\n  slo:slice_error:ratio{service=\"kiosk\", slo=\"scan\"}\nor\n  (("+grouped+" >= 0) > bool 0.05)\n)"; got != want {
		t.Errorf("timeslices:\n got %s\nwant %s", got, want)
	}
	got := slice("accord:kiosk:checks-out-ratio")
	for _, part := range []string{`(sum(` + "\n" + `  slo:slice_error:ratio{service="kiosk", slo="scan-ratio"}`, `3 * (`, `* 0 + 1)`, ")\n/\n("} {
		if !strings.Contains(got, part) {
			t.Errorf("ratio-timeslices lacks %q:\n%s", part, got)
		}
	}
}

// TestJourneysWithoutSeriesAreLeftOut checks that a journey with a
// component measured from pushed events, at any depth, is left out with
// a warning naming the component, and that the other SLOs still get
// their rules.
func TestJourneysWithoutSeriesAreLeftOut(t *testing.T) {
	cat := mustCatalog(t, "testdata/promtool/specs/journeys.yaml")
	for i := range cat.SLOs {
		if cat.SLOs[i].ID() == "checkout/scan" {
			cat.SLOs[i].Indicator = slo.Indicator{Kind: slo.KindRatio, Stream: "scans"}
		}
	}
	res := mustGenerate(t, cat)
	for _, want := range []string{
		`checkout/customer-checks-out: its component checkout/scan is measured from pushed events (stream "scans"), so Prometheus has nothing to record; left out`,
		`front/visit: its component checkout/customer-checks-out → checkout/scan is measured from pushed events (stream "scans"), so Prometheus has nothing to record; left out`,
	} {
		if !slices.Contains(res.Warnings, want) {
			t.Errorf("warnings %q\nlack %q", res.Warnings, want)
		}
	}
	var groups []string
	for _, f := range res.Files {
		for _, g := range f.Groups {
			groups = append(groups, g.Name)
		}
	}
	if want := []string{"accord:checkout:pay", "accord:front:browse"}; !slices.Contains(groups, want[0]) || !slices.Contains(groups, want[1]) ||
		slices.Contains(groups, "accord:checkout:customer-checks-out") || slices.Contains(groups, "accord:front:visit") {
		t.Errorf("groups %q: want pay and browse, and neither journey", groups)
	}
}

// TestLateComponentsAreNotCountedInRules checks the warning for a journey
// whose late components count as good or bad: Prometheus has no late
// data, only series that are there or not, and rules count a component
// without series as no events.
func TestLateComponentsAreNotCountedInRules(t *testing.T) {
	cat := mustCatalog(t, "testdata/promtool/specs/journeys.yaml")
	for i := range cat.SLOs {
		switch cat.SLOs[i].ID() {
		case "checkout/customer-checks-out":
			cat.SLOs[i].Composite = &slo.Composite{Components: cat.SLOs[i].Composite.Components, MaxDelay: 15 * time.Minute, WhenDelayed: slo.CountAsBad}
		case "front/visit":
			cat.SLOs[i].Composite = &slo.Composite{Components: cat.SLOs[i].Composite.Components, MaxDelay: 15 * time.Minute, WhenDelayed: slo.IgnoreDelayed}
		}
	}
	res := mustGenerate(t, cat)
	want := "checkout/customer-checks-out: whenDelayed countAsBad is not applied in Prometheus rules: a component without series counts no events, as with whenDelayed: ignore"
	if !slices.Contains(res.Warnings, want) {
		t.Errorf("warnings %q\nlack %q", res.Warnings, want)
	}
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "front/visit:") {
			t.Errorf("whenDelayed: ignore is what the rules do, yet: %s", w)
		}
	}
}

// TestDashboardShowsJourneys checks that the dashboard shows a journey
// as any SLO: every series its panels read, a journey's group records
// too, the burn rate over the journeys' alert windows is shown, and so
// are the bad events each component caused.
func TestDashboardShowsJourneys(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs/journeys.yaml"))
	out, err := rules.Dashboard(res)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr, LegendFormat string }
		}
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	read := map[string]bool{}
	legends := map[string]bool{}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			e, err := parser.NewParser(parser.Options{}).ParseExpr(q.Expr)
			if err != nil {
				t.Fatalf("%s: %v", p.Title, err)
			}
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "ALERTS" {
					read[vs.Name] = true
				}
				return nil
			})
			if p.Title == "Burn rate by window" {
				legends[q.LegendFormat] = true
			}
		}
	}
	// Each journey records what an SLO budgeted alike records of it (a
	// time-slice SLO records no tiles, which the burn rates over windows
	// beyond 6 hours read).
	recorded := func(group string) map[string]bool {
		out := map[string]bool{}
		for _, r := range journeyGroup(t, res, group) {
			out[r.Record] = true
		}
		return out
	}
	for journey, alike := range map[string]string{
		"accord:checkout:customer-checks-out": "accord:checkout:scan", "accord:front:visit": "accord:front:browse",
		"accord:kiosk:checks-out": "accord:kiosk:scan", "accord:kiosk:checks-out-ratio": "accord:kiosk:scan-ratio",
	} {
		j, a := recorded(journey), recorded(alike)
		for name := range read {
			if a[name] && !j[name] {
				t.Errorf("the dashboard reads %s, which %s records but journey %s does not", name, alike, journey)
			}
		}
	}
	if !recorded("accord:checkout:customer-checks-out")[rules.BudgetRemaining] {
		t.Error("the journey records no budget for the dashboard to show")
	}
	if !read[rules.ComponentError1m] || !recorded("accord:checkout:customer-checks-out")[rules.ComponentError1m] {
		t.Error("the dashboard does not show the bad events each component of the journey caused")
	}
	if !legends["15m"] || !legends["30m"] {
		t.Errorf("burn rates shown over %v, want the journey's 15m and 30m among them", legends)
	}
}

// TestDeeplySharedJourneysAreWalkedOnce generates the rules of 40 layers
// of journeys in which a<i> and b<i> both list a<i-1> and b<i-1>: 2^40
// paths lead from the top down to the measured SLO, so a walk of every
// path would not end, while each journey's rules read only its two
// components.
func TestDeeplySharedJourneysAreWalkedOnce(t *testing.T) {
	const layers = 40
	var b strings.Builder
	b.WriteString(`apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: pos, productOwner: Maria}
  runbook: https://wiki.example.com/runbooks/shop
  slos:
    - name: leaf
      objective: 99
      window: 7d
      indicator:
        ratio:
          bad: {counter: 'scan_total{outcome="error"}'}
          total: {counter: 'scan_total'}
`)
	below := "[leaf]"
	for i := range layers {
		for _, n := range []string{"a", "b"} {
			fmt.Fprintf(&b, "    - name: %s%d\n      objective: 99\n      window: 7d\n      composite:\n        components: %s\n", n, i, below)
		}
		below = fmt.Sprintf("[a%d, b%d]", i, i)
	}
	path := filepath.Join(t.TempDir(), "shop.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := mustCatalog(t, path)
	res := mustGenerate(t, cat)
	top := fmt.Sprintf("accord:shop:a%d", layers-1)
	for _, r := range journeyGroup(t, res, top) {
		if r.Record != rules.ErrorIncrease1m {
			continue
		}
		for _, c := range []string{"a", "b"} {
			if want := fmt.Sprintf(`slo="%s%d"`, c, layers-2); !strings.Contains(r.Expr, want) {
				t.Errorf("%s of %s reads %s, want it to read %s", r.Record, top, r.Expr, want)
			}
		}
	}
}
