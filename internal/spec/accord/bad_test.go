package accord_test

import (
	"strings"
	"testing"
)

// TestLoadReportsEveryProblem checks that one pass over a broken file
// reports every problem in it, each at its file:line:col and field.
func TestLoadReportsEveryProblem(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"testdata/bad/service.yaml", []string{
			`5:3: metadata.labls: unknown field "labls" (did you mean "labels"?)`,
			`7:3: spec.owner: unknown field "owner" (did you mean "owners"?)`,
			`8:12: spec.runbook: must be a string, not a list`,
			`10:7: spec.slos[0].objective: required field is missing; give a percentage such as 99.9`,
			`11:16: spec.slos[0].service: an SLO listed under a service belongs to it; remove this field, or move the SLO into a document of kind SLO`,
			`12:7: spec.slos[0].objetive: unknown field "objetive" (did you mean "objective"?)`,
			`13:15: spec.slos[0].window: must be a duration such as 30d, 6h or 5m, not "30 days"`,
			`14:53: spec.slos[0].budgeting.sliceLength: applies only to timeslices and ratio-timeslices budgeting, not occurrences`,
			`17:16: spec.slos[0].indicator.ratio.bad: must be a query such as {counter: SELECTOR}, {template: EXPR with {{.window}}} or {expr: EXPR}, not a string`,
			`18:54: spec.slos[0].indicator.ratio.total.expr: give the query as one of counter, template or expr, not both counter and expr`,
			`19:18: spec.slos[0].indicator.latency: give one indicator kind, not both ratio and latency`,
			`20:16: spec.slos[0].groupBy: must be a list of strings, not a mapping`,
			`22:15: spec.slos[0].alerting.page: must be enabled, disabled or a mapping {enabled, labels, annotations}, not "maybe"`,
			`24:13: spec.slos[0].alerting.burnRates[0].shortWindow: required field is missing`,
			`24:38: spec.slos[0].alerting.burnRates[0].factor: must be a number, not "fast"`,
			`25:15: spec.slos[0].policy: must be a policy name or a policy mapping {name, states, ...}, not a list`,
			`27:18: spec.slos[1].objective: must be a percentage such as 99.9 or "99.9%", not "high"`,
			`28:33: spec.slos[1].window.tz: unknown field "tz"; known fields: calendar, startTime, timeZone`,
			`29:18: spec.slos[1].budgeting: must be a method such as occurrences or a mapping such as {method: timeslices, sliceLength: 5m, sliceTarget: 95}, not a list`,
			`33:21: spec.slos[1].indicator.boolean.goodWhen: must be a comparison such as ">= 1" or {op: gte, value: 1}, not "== 1"`,
			`36:17: spec.slos[1].owners.onCall: must be a mapping, not a list`,
		}},
		{"testdata/bad/policy.yaml", []string{
			`2:7: kind: unknown kind "Polcy" (did you mean "Policy"?)`,
			`7:26: metadata.labels: unknown field "labels"; known fields: description, name`,
			`11:14: spec.states[0].when.budgetRemaining: unknown field "budgetRemaining"; known fields: budgetRemainingAtMost, burnRateAtLeast, burnRateWindow`,
			`11:50: spec.states[0].when.burnRateWindow: applies only with burnRateAtLeast; add burnRateAtLeast: 10 or remove burnRateWindow`,
			`13:11: spec.states[0].actions[0].notfy: unknown action "notfy" (did you mean "notify"?)`,
			`14:11: spec.states[0].actions[1]: unknown action "freeze-release" (did you mean "freeze-releases"?)`,
			`15:11: spec.states[0].actions[2]: an action mapping has exactly one key, the action, such as {notify: [team]}; found 2`,
			`16:23: spec.states[0].actions[3].postmortem: postmortem takes no settings; write it as a plain list item: - postmortem`,
			`17:11: spec.states[0].actions[4]: an action is a name such as postmortem or a mapping such as {notify: [team]}`,
			`19:37: spec.states[1].when.budgetRemainingAtMost: must be a percentage such as 99.9 or "99.9%", not "lots"`,
			`20:7: spec.states[1].action: unknown field "action" (did you mean "actions"?)`,
			`22:1: kind: required field is missing; give one of Service, SLO, Policy, DataSource`,
			`27:11: metadata.name: required field is missing`,
			`28:57: spec.token: unknown field "token"; known fields: type, url`,
			`34:3: spec.objective: required field is missing; give a percentage such as 99.9`,
			`34:3: spec.window: required field is missing; give a rolling window such as 30d, or {calendar: month, timeZone: Europe/Berlin}`,
			`34:3: spec.indicator: required field is missing; give one of ratio, latency or boolean, or composite for a journey over other SLOs`,
			`36:1: metadata: required field is missing`,
			`38:7: spec: must not be empty`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, diags := loadFile(t, tt.file)
			want := tt.file + ":" + strings.Join(tt.want, "\n"+tt.file+":")
			if got := lines(diags); got != want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestLoadSmallProblems covers one problem per document: warnings for
// values with one sensible reading, and errors in the smaller shapes.
func TestLoadSmallProblems(t *testing.T) {
	head := "apiVersion: accord/v1\nkind: SLO\nmetadata: {name: s}\nspec:\n  service: checkout\n  window: 30d\n"
	ratio := "  indicator: {ratio: {stream: s}}\n"
	tests := []struct {
		name, body, want string
	}{
		{"percent string", "  objective: \"99.9 %\"\n" + ratio, ``},
		{"number string", "  objective: \"99.9\"\n" + ratio, ``},
		{"bad percent string", "  objective: \"ninety%\"\n" + ratio,
			`s.yaml:7:14: spec.objective: must be a percentage such as 99.9 or "99.9%", not "ninety%"`},
		{"no indicator kind", "  objective: 99\n  indicator: {dataSource: x}\n",
			`s.yaml:8:14: spec.indicator: give the indicator's kind: ratio, latency or boolean`},
		{"empty query", "  objective: 99\n  indicator: {ratio: {good: {}, total: {counter: x}}}\n",
			`s.yaml:8:29: spec.indicator.ratio.good: give the query as one of counter, template or expr`},
		{"unknown operator", "  objective: 99\n  indicator: {boolean: {stream: s, goodWhen: {op: eq, value: 1}}}\n",
			`s.yaml:8:51: spec.indicator.boolean.goodWhen.op: operator "eq" must be lt, lte, gt or gte (or <, <=, >, >=)`},
		{"slice target for ratio-timeslices", "  objective: 99\n" + ratio + "  budgeting: {method: ratio-timeslices, sliceLength: 5m, sliceTarget: 90}\n",
			`s.yaml:9:71: spec.budgeting.sliceTarget: applies only to timeslices budgeting, not ratio-timeslices`},
		{"unknown kind", "  objective: 99\n  indicator: {ratios: {stream: s}}\n",
			"s.yaml:8:14: spec.indicator: give the indicator's kind: ratio, latency or boolean\n" +
				`s.yaml:8:15: spec.indicator.ratios: unknown field "ratios" (did you mean "ratio"?)`},
		{"bad target", "  objective: 99\n" + ratio + "  alerting: {targets: [{name: chat}]}\n",
			`s.yaml:9:24: spec.alerting.targets[0].target: required field is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load("s.yaml", []byte(head+tt.body))
			if got := lines(diags); got != tt.want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
