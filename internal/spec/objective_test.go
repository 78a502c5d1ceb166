package spec_test

import (
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/spec"
)

// TestImplausibleObjectives checks that every format says so when an
// objective cannot be what its author meant: a fraction where a percentage
// belongs is an error (its alerts could never fire), a low percentage a
// warning, and a string percentage is read as the number it is.
func TestImplausibleObjectives(t *testing.T) {
	accord := func(objective string) string {
		return "apiVersion: accord/v1\nkind: Service\nmetadata: {name: checkout}\nspec:\n  owners: {team: pos, productOwner: m}\n" +
			"  runbook: https://wiki.example.com/r\n  slos:\n    - name: payments\n      objective: " + objective +
			"\n      window: 30d\n      indicator: {ratio: {stream: payments}}\n"
	}
	sloth := func(objective string) string {
		return "version: prometheus/v1\nservice: checkout\nlabels: {owner: pos}\nslos:\n  - name: payments\n    objective: " + objective +
			"\n    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}\n" +
			"    alerting: {name: PaymentsBurn}\n"
	}
	pyrra := func(target string) string {
		return "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: payments, namespace: checkout, labels: {pyrra.dev/team: pos}}\n" +
			"spec:\n  target: " + target + "\n  window: 4w\n  indicator: {ratio: {errors: {metric: 'e_total'}, total: {metric: 't_total'}}}\n"
	}
	openslo := func(objective string) string {
		return "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: payments, labels: {team: pos}}\nspec:\n  service: checkout\n" +
			"  budgetingMethod: Occurrences\n  timeWindow: [{duration: 28d, isRolling: true}]\n" +
			"  indicator: {metadata: {name: p}, spec: {ratioMetric: {counter: true, bad: {metricSource: {type: Prometheus, spec: {query: e_total}}}, total: {metricSource: {type: Prometheus, spec: {query: t_total}}}}}}\n" +
			"  objectives: [{" + objective + "}]\n"
	}
	const (
		fraction = "lets more than 99% of events fail, so its alerts could never fire: objectives are percentages; for 99.9% write 99.9"
		low      = "warning: "
	)
	tests := []struct {
		name, file string
		want       string // a diagnostic that must be there; "" for none at all
	}{
		{"accord fraction", accord("0.999"), "spec.slos[0].objective: objective 0.999% " + fraction},
		{"accord 1.5", accord("1.5"), low + "spec.slos[0].objective: objective 1.5% lets 98.5% of events fail"},
		{"accord 50", accord("50"), low + "spec.slos[0].objective: objective 50% lets 50% of events fail"},
		{"accord string", accord(`"99.9"`), ""},
		{"accord percent string", accord(`"99.9%"`), ""},
		{"sloth fraction", sloth("0.999"), "slos[0].objective: objective 0.999% " + fraction},
		{"sloth 50", sloth("50"), low + "slos[0].objective: objective 50% lets 50% of events fail"},
		{"sloth fine", sloth("99.9"), ""},
		{"pyrra fraction", pyrra("'0.999'"), "spec.target: objective 0.999% " + fraction},
		{"pyrra 1.5", pyrra("'1.5'"), low + "spec.target: objective 1.5% lets 98.5% of events fail"},
		{"pyrra fine", pyrra("'99.9'"), ""},
		{"openslo targetPercent fraction", openslo("targetPercent: 0.999"), "spec.objectives[0].targetPercent: objective 0.999% " + fraction},
		{"openslo target 0.5", openslo("target: 0.5"), low + "spec.objectives[0].target: objective 50% lets 50% of events fail"},
		{"openslo fine", openslo("target: 0.999"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := spec.LoadBytes("s.yaml", []byte(tt.file))
			var got []string
			for _, d := range res.Diags.Items() {
				got = append(got, d.String())
			}
			if tt.want == "" {
				if len(got) > 0 {
					t.Errorf("diagnostics:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			found := false
			for _, g := range got {
				_, rest, _ := strings.Cut(g, ": ") // drop file:line:col
				found = found || strings.HasPrefix(rest, tt.want)
			}
			if !found {
				t.Errorf("want a diagnostic %q, got:\n%s", tt.want, strings.Join(got, "\n"))
			}
		})
	}
}
