package rules_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/rules"
)

// TestDashboardQueriesTheRecordedSeries checks that every query of the
// dashboard parses and reads only series the rules record (or ALERTS),
// and that it shows the burn rate over every window the rules record.
func TestDashboardQueriesTheRecordedSeries(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "../../examples"))
	out, err := rules.Dashboard(res)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title      string
		Templating struct {
			List []struct {
				Name, Query string
				Current     struct{ Value string }
			}
		}
		Panels []struct {
			Title   string
			Targets []struct{ Expr, LegendFormat string }
		}
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	var vars []string
	for _, v := range d.Templating.List {
		vars = append(vars, v.Name)
	}
	if !slices.Equal(vars, []string{"datasource", "service", "slo"}) {
		t.Errorf("variables %v", vars)
	}
	if v := d.Templating.List[1]; v.Current.Value != "checkout" || !strings.Contains(v.Query, rules.Objective) {
		t.Errorf("service variable %+v", v)
	}
	recorded := map[string]bool{"ALERTS": true}
	windows := map[string]bool{}
	// The examples hold no journey; the journeys' panel reads what
	// journeys record.
	journeys := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs/journeys.yaml"))
	for _, f := range journeys.Files {
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				recorded[r.Record] = true
			}
		}
	}
	for _, f := range res.Files {
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				recorded[r.Record] = true
				if w, ok := strings.CutPrefix(r.Record, "slo:sli_error:ratio_rate"); ok {
					windows[w] = true
				}
			}
		}
	}
	shown := map[string]bool{}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			expr := strings.NewReplacer("$service", "checkout", "$slo", "payment-success").Replace(q.Expr)
			e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
			if err != nil {
				t.Errorf("%s: %v", p.Title, err)
				continue
			}
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok && !recorded[vs.Name] {
					t.Errorf("%s reads %s, which no rule records", p.Title, vs.Name)
				}
				return nil
			})
			if p.Title == "Burn rate by window" {
				shown[q.LegendFormat] = true
			}
		}
	}
	for w := range windows {
		if !shown[w] {
			t.Errorf("no burn rate over %s", w)
		}
	}
}
