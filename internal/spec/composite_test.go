package spec_test

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// TestJourneysAccepted checks that journeys load without a word, with bare
// names resolved to the journey's service, default weights of 1, nesting,
// other services' SLOs as components and time-sliced journeys.
func TestJourneysAccepted(t *testing.T) {
	res, err := spec.Load("testdata/journeys/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if items := res.Diags.Items(); len(items) > 0 {
		t.Fatalf("diagnostics for a valid spec:\n%v", items)
	}
	want := map[string]slo.Composite{
		"checkout/customer-checks-out": {Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}, {SLO: "checkout/pay", Weight: 1}}},
		"checkout/visit": {
			Components:  []slo.Component{{SLO: "checkout/customer-checks-out", Weight: 1}, {SLO: "payments/card", Weight: 2.5}},
			MaxDelay:    15 * time.Minute,
			WhenDelayed: slo.CountAsBad,
		},
		"checkout/lane-open": {Components: []slo.Component{{SLO: "checkout/till-up", Weight: 1}, {SLO: "checkout/scanner-up", Weight: 1}}},
	}
	journeys := 0
	for _, s := range res.Catalog.SLOs {
		if !s.Journey() {
			continue
		}
		journeys++
		w, ok := want[s.ID()]
		if !ok {
			t.Errorf("%s is a journey, want a plain SLO", s.ID())
			continue
		}
		if got := *s.Composite; !sameComposite(got, w) {
			t.Errorf("%s composite = %+v, want %+v", s.ID(), got, w)
		}
		if s.Indicator.Kind != "" {
			t.Errorf("%s: a journey has an indicator of kind %q", s.ID(), s.Indicator.Kind)
		}
	}
	if journeys != len(want) {
		t.Errorf("read %d journeys, want %d", journeys, len(want))
	}
}

func sameComposite(a, b slo.Composite) bool {
	if a.MaxDelay != b.MaxDelay || a.WhenDelayed != b.WhenDelayed || len(a.Components) != len(b.Components) {
		return false
	}
	for i := range a.Components {
		if a.Components[i] != b.Components[i] {
			return false
		}
	}
	return true
}

// TestJourneyRefusalsAllAtOnce checks that one file holding every kind of
// broken journey gets every problem reported in one pass, each at the line,
// column and field it concerns.
func TestJourneyRefusalsAllAtOnce(t *testing.T) {
	const file = "testdata/journeys/bad.yaml"
	res, err := spec.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`22:18: spec.slos[2].composite: SLO "both" has both an indicator and a composite: a journey is measured by its components alone; remove one of them`,
		`26:31: spec.slos[3].composite.components: a journey needs components: list the SLOs it combines, such as components: [{slo: scan}, {slo: payments/card, weight: 2}]`,
		`30:16: spec.slos[4].groupBy: a journey has no groups of its own (a grouped component counts as the sum of its groups): remove groupBy`,
		`33:19: spec.slos[4].composite.components[0].slo: unknown component SLO "checkout/scna" (did you mean "checkout/scan"?)`,
		`34:19: spec.slos[4].composite.components[1].slo: unknown component SLO "payments/crad"`,
		`35:33: spec.slos[4].composite.components[2].weight: weight 0 must be above 0: a component that should not count belongs out of the list`,
		`36:19: spec.slos[4].composite.components[3].slo: component "checkout/scan" is listed twice (first at testdata/journeys/bad.yaml:35:19): give it once, with a larger weight if it should count more`,
		`37:19: spec.slos[4].composite.components[4].slo: journey "checkout/wrong" lists itself as a component: a journey cannot contain itself`,
		`38:19: spec.slos[4].composite.components[5].slo: component "checkout/till-up" is budgeted by timeslices, the journey by occurrences: a journey and its components count their budget the same way`,
		`38:36: spec.slos[4].composite.components[5].weight: weight 5000 must be between 0.001 and 1000: weights are relative (2 counts a component's events twice as much as 1)`,
		`39:19: spec.slos[4].composite.components[6].slo: component "a/b/c" must name an SLO as NAME (of this service) or SERVICE/NAME`,
		`39:34: spec.slos[4].composite.components[6].weight: weight -1 must be above 0: a component that should not count belongs out of the list`,
		`40:19: spec.slos[4].composite.maxDelay: maxDelay needs whenDelayed: countAsGood, countAsBad or ignore, to say how a late component's minutes count`,
		`40:19: spec.slos[4].composite.maxDelay: maxDelay 10s must be between 1m and 1d`,
		`46:22: spec.slos[5].composite.whenDelayed: whenDelayed "countAsGod" must be countAsGood, countAsBad or ignore (did you mean "countAsGood"?)`,
		`46:22: spec.slos[5].composite.whenDelayed: whenDelayed applies once a component is later than maxDelay: give maxDelay too, such as 15m`,
		`52:22: spec.slos[6].composite.components[0]: component "checkout/till-up" has 1m time slices, the journey 5m: a journey's slice is judged from its components' slices of the same length`,
		`72:32: spec.slos[1].composite.components[0]: component "checkout/loop-a" makes a cycle: checkout/loop-a → payments/loop-b → payments/loop-c → checkout/loop-a; a journey cannot contain itself`,
	}
	got := diagLines(res, "")
	if strings.Join(got, "\n") != file+":"+strings.Join(want, "\n"+file+":") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), file+":"+strings.Join(want, "\n"+file+":"))
	}
}

// journeySpec is a checkout service with plain SLOs (scan, pay, slices)
// and, from line 12, the SLO body given; a payments service follows.
func journeySpec(body string) string {
	return `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos, productOwner: Maria}
  runbook: https://wiki.example.com/runbooks/checkout
  slos:
    - {name: scan, objective: 99, window: 7d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 7d, indicator: {ratio: {stream: pay}}}
    - {name: slices, objective: 99, window: 7d, budgeting: {method: ratio-timeslices, sliceLength: 5m}, indicator: {ratio: {stream: s}}}
    - name: journey
` + body + `---
apiVersion: accord/v1
kind: Service
metadata: {name: payments}
spec:
  owners: {team: payments, productOwner: Ann}
  runbook: https://wiki.example.com/runbooks/payments
  slos: [{name: card, objective: 99.9, window: 28d, indicator: {ratio: {stream: card}}}]
`
}

// TestJourneyRefusals checks each refusal on its own: exactly one
// diagnostic, at the field it concerns.
func TestJourneyRefusals(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"indicator and composite",
			"      objective: 99\n      window: 7d\n      indicator: {ratio: {stream: j}}\n      composite: {components: [scan]}\n",
			`s.yaml:15:18: spec.slos[3].composite: SLO "journey" has both an indicator and a composite`},
		{"no components key",
			"      objective: 99\n      window: 7d\n      composite: {maxDelay: 5m, whenDelayed: ignore}\n",
			`s.yaml:14:18: spec.slos[3].composite.components: a journey needs components`},
		{"composite not a mapping",
			"      objective: 99\n      window: 7d\n      composite: [scan, pay]\n",
			`s.yaml:14:18: spec.slos[3].composite: must be a mapping, not a list`},
		{"component not a name or mapping",
			"      objective: 99\n      window: 7d\n      composite: {components: [[scan]]}\n",
			`s.yaml:14:32: spec.slos[3].composite.components[0]: a component is an SLO's name, or a mapping such as {slo: payments/card, weight: 2}, not a list`},
		{"component without slo",
			"      objective: 99\n      window: 7d\n      composite: {components: [{weight: 2}]}\n",
			`s.yaml:14:32: spec.slos[3].composite.components[0].slo: required field is missing`},
		{"unknown field in a component",
			"      objective: 99\n      window: 7d\n      composite: {components: [{slo: scan, wieght: 2}]}\n",
			`s.yaml:14:44: spec.slos[3].composite.components[0].wieght: unknown field "wieght" (did you mean "weight"?)`},
		{"weight not a number",
			"      objective: 99\n      window: 7d\n      composite: {components: [{slo: scan, weight: heavy}]}\n",
			`s.yaml:14:52: spec.slos[3].composite.components[0].weight: must be a number, not "heavy"`},
		{"weight infinite",
			"      objective: 99\n      window: 7d\n      composite: {components: [{slo: scan, weight: .inf}]}\n",
			`s.yaml:14:52: spec.slos[3].composite.components[0].weight: must be a number, not ".inf"`},
		{"weight too small",
			"      objective: 99\n      window: 7d\n      composite: {components: [{slo: scan, weight: 0.0000001}]}\n",
			`s.yaml:14:52: spec.slos[3].composite.components[0].weight: weight 1e-07 must be between 0.001 and 1000`},
		{"unknown component in another service",
			"      objective: 99\n      window: 7d\n      composite: {components: [payments/cart]}\n",
			`s.yaml:14:32: spec.slos[3].composite.components[0]: unknown component SLO "payments/cart" (did you mean "payments/card"?)`},
		{"same component by bare and full name",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan, checkout/scan]}\n",
			`s.yaml:14:38: spec.slos[3].composite.components[1]: component "checkout/scan" is listed twice (first at s.yaml:14:32)`},
		{"self by full name",
			"      objective: 99\n      window: 7d\n      composite: {components: [checkout/journey]}\n",
			`s.yaml:14:32: spec.slos[3].composite.components[0]: journey "checkout/journey" lists itself as a component`},
		{"ratio-timeslices journey over occurrences",
			"      objective: 99\n      window: 7d\n      budgeting: {method: ratio-timeslices, sliceLength: 5m}\n      composite: {components: [slices, pay]}\n",
			`s.yaml:15:40: spec.slos[3].composite.components[1]: component "checkout/pay" is budgeted by occurrences, the journey by ratio-timeslices`},
		{"slice length differs",
			"      objective: 99\n      window: 7d\n      budgeting: {method: ratio-timeslices, sliceLength: 10m}\n      composite: {components: [slices]}\n",
			`s.yaml:15:32: spec.slos[3].composite.components[0]: component "checkout/slices" has 5m time slices, the journey 10m`},
		{"maxDelay without whenDelayed",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan], maxDelay: 15m}\n",
			`s.yaml:14:49: spec.slos[3].composite.maxDelay: maxDelay needs whenDelayed`},
		{"whenDelayed without maxDelay",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan], whenDelayed: ignore}\n",
			`s.yaml:14:52: spec.slos[3].composite.whenDelayed: whenDelayed applies once a component is later than maxDelay: give maxDelay too`},
		{"maxDelay not whole minutes",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan], maxDelay: 90s, whenDelayed: ignore}\n",
			`s.yaml:14:49: spec.slos[3].composite.maxDelay: maxDelay 1m30s must be a whole number of minutes`},
		{"maxDelay too long",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan], maxDelay: 2d, whenDelayed: countAsGood}\n",
			`s.yaml:14:49: spec.slos[3].composite.maxDelay: maxDelay 2d must be between 1m and 1d`},
		{"maxDelay not a duration",
			"      objective: 99\n      window: 7d\n      composite: {components: [scan], maxDelay: soon, whenDelayed: countAsGood}\n",
			`s.yaml:14:49: spec.slos[3].composite.maxDelay: must be a duration such as 30d, 6h or 5m, not "soon"`},
		{"slice target on a time-slice journey",
			"      objective: 99\n      window: 7d\n      budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 90}\n      composite: {components: [ts]}\n" +
				"    - {name: ts, objective: 99, window: 7d, budgeting: {method: timeslices, sliceLength: 5m, sliceTarget: 95}, indicator: {ratio: {stream: ts}}}\n",
			`s.yaml:14:69: warning: spec.slos[3].budgeting.sliceTarget: a journey's slice is good when every component's slice is good: its own slice target 90% is not used`},
		{"grouped journey",
			"      objective: 99\n      window: 7d\n      groupBy: [store]\n      composite: {components: [scan]}\n",
			`s.yaml:14:16: spec.slos[3].groupBy: a journey has no groups of its own`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := spec.LoadBytes("s.yaml", []byte(journeySpec(tt.body)))
			got := diagLines(res, "")
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("diagnostics:\n  %s\nwant exactly one starting:\n  %s", strings.Join(got, "\n  "), tt.want)
			}
		})
	}
}

// TestJourneyWithoutServiceIsToldOnce checks that a journey document that
// names no service hears that, not also that its bare component names
// cannot be resolved.
func TestJourneyWithoutServiceIsToldOnce(t *testing.T) {
	doc := "apiVersion: accord/v1\nkind: SLO\nmetadata: {name: j}\nspec:\n  objective: 99\n  window: 7d\n  owners: {team: pos, productOwner: Maria}\n  runbook: https://wiki.example.com/j\n  composite: {components: [scan, payments/card]}\n"
	res := spec.LoadBytes("s.yaml", []byte(doc))
	got := diagLines(res, "")
	want := []string{
		`s.yaml:5:3: spec.service: SLO "j" names no service`,
		`s.yaml:9:34: spec.composite.components[1]: unknown component SLO "payments/card"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestJourneyWithoutIndicatorIsNoMissingIndicator checks that a journey is
// not asked for an indicator, and that an SLO with neither is told both
// ways to be measured.
func TestJourneyWithoutIndicatorIsNoMissingIndicator(t *testing.T) {
	res := spec.LoadBytes("s.yaml", []byte(journeySpec("      objective: 99\n      window: 7d\n")))
	got := diagLines(res, "")
	want := `s.yaml:11:7: spec.slos[3].indicator: required field is missing; give one of ratio, latency or boolean, or composite for a journey over other SLOs`
	if len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), want)
	}
}

// TestJourneyRoundTrip writes journeys back as accord/v1 and reads them
// again: the same model, with components of the journey's own service
// written by their bare names.
func TestJourneyRoundTrip(t *testing.T) {
	res, err := spec.Load("testdata/journeys/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Err())
	}
	out, err := spec.Write("accord", res.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"          - {slo: scan, weight: 1}\n",
		"          - {slo: customer-checks-out, weight: 1}\n          - {slo: payments/card, weight: 2.5}\n        maxDelay: 15m\n        whenDelayed: countAsBad\n",
	} {
		if !strings.Contains(string(out), line) {
			t.Errorf("written spec lacks\n%s\n--- written\n%s", line, out)
		}
	}
	back := spec.LoadBytes("converted.yaml", out)
	if items := back.Diags.Items(); len(items) > 0 {
		t.Fatalf("reading the written spec: %v\n%s", items, out)
	}
	if got, want := canonicalJSON(t, back.Catalog), canonicalJSON(t, res.Catalog); got != want {
		t.Errorf("model changed\n--- got\n%s\n--- want\n%s", got, want)
	}
}

// TestValidateJourneyModel checks a journey as another format's reader
// hands it over: bare names, no positions of its own (each problem then
// points at the SLO), weights no YAML number can hold.
func TestValidateJourneyModel(t *testing.T) {
	origin := slo.Origin{File: "o.yaml", Line: 7, Column: 3, Path: "spec", Format: slo.FormatOpenSLO}
	plain := func(name string) slo.SLO {
		return slo.SLO{Name: name, Service: "checkout", Objective: 99, Window: slo.Window{Rolling: 7 * 24 * time.Hour},
			Budgeting: slo.Budgeting{Method: slo.Occurrences}, Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: name},
			Owners: slo.Owners{Team: "pos", ProductOwner: "Maria"}, RunbookURL: "https://wiki.example.com/x", Origin: origin}
	}
	journey := plain("journey")
	journey.Indicator = slo.Indicator{}
	journey.Composite = &slo.Composite{Components: []slo.Component{
		{SLO: "scan", Weight: 1}, {SLO: "checkout/pay", Weight: math.NaN()}, {SLO: "checkout/pay", Weight: math.Inf(1)},
	}}
	cat := slo.Catalog{
		Services: []slo.Service{{Name: "checkout", Origin: origin}},
		SLOs:     []slo.SLO{plain("scan"), plain("pay"), journey},
	}
	var diags diag.List
	spec.Validate(&cat, &diags)
	var got []string
	for _, d := range diags.Items() {
		got = append(got, d.String())
	}
	want := []string{
		`o.yaml:7:3: spec: weight NaN must be a finite number above 0 (1 when left out)`,
		`o.yaml:7:3: spec: weight +Inf must be a finite number above 0 (1 when left out)`,
		`o.yaml:7:3: spec: component "checkout/pay" is listed twice (first at o.yaml:7:3): give it once, with a larger weight if it should count more`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if c := cat.SLOs[2].Composite.Components[0].SLO; c != "checkout/scan" {
		t.Errorf("bare component resolved to %q, want checkout/scan", c)
	}
}

// TestJourneyOverAnUnmeasuredComponentWarns accepts a journey over an SLO
// Accord cannot measure, with a warning at the component that the journey
// counts only the others.
func TestJourneyOverAnUnmeasuredComponentWarns(t *testing.T) {
	body := "      objective: 99\n      window: 7d\n      composite: {components: [scan, dd]}\n" +
		"    - {name: dd, objective: 99, window: 7d, indicator: {external: {kind: Datadog}, ratio: {}}}\n"
	res := spec.LoadBytes("s.yaml", []byte(journeySpec(body)))
	if res.Diags.HasErrors() {
		t.Fatalf("errors: %v", res.Diags.Err())
	}
	want := `s.yaml:14:38: warning: spec.slos[3].composite.components[1]: component "checkout/dd" is not measured (source kind Datadog): the journey counts only its other components`
	if got := diagLines(res, ""); !slices.Contains(got, want) {
		t.Errorf("diagnostics:\n  %s\nwant among them:\n  %s", strings.Join(got, "\n  "), want)
	}
}

// FuzzJourneys feeds arbitrary journeys through the loader and every
// check: nothing may panic (cycles of any shape included), and a spec read
// without errors must be written back to the same model.
func FuzzJourneys(f *testing.F) {
	for _, path := range []string{"testdata/journeys/good.yaml", "testdata/journeys/bad.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := spec.LoadBytes("fuzz.yaml", data)
		if res.Diags.HasErrors() {
			return
		}
		spec.FillOwner(&res.Catalog, "fuzz")
		out, err := spec.Write("accord", res.Catalog)
		if err != nil {
			return // a model the format cannot express says so
		}
		back := spec.LoadBytes("written.yaml", out)
		if back.Diags.HasErrors() {
			t.Fatalf("reading back: %v\n%s", back.Diags.Err(), out)
		}
		if got, want := canonicalJSON(t, back.Catalog), canonicalJSON(t, res.Catalog); got != want {
			t.Fatalf("read back:\n%s\nwant:\n%s", got, want)
		}
	})
}
