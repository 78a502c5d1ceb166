package openslo_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/openslo"
)

// wantComposite is what a journey read from an OpenSLO composite holds
// beyond its spec-level fields.
type wantComposite struct {
	objective   float64
	budgeting   slo.Budgeting
	components  []slo.Component
	objectives  []float64 // the components' own, in order
	indicators  []slo.IndicatorKind
	sliceTarget []float64
}

func checkJourney(t *testing.T, cat slo.Catalog, name string, want wantComposite) {
	t.Helper()
	j := find(t, cat, name)
	if !j.Journey() {
		t.Fatalf("%s is no journey: %+v", name, j)
	}
	if j.Objective != want.objective || j.Budgeting != want.budgeting || j.Indicator.Kind != "" || len(j.GroupBy) != 0 {
		t.Errorf("%s: objective %v, budgeting %+v, indicator %q; want %v, %+v and none", name, j.Objective, j.Budgeting, j.Indicator.Kind, want.objective, want.budgeting)
	}
	if !reflect.DeepEqual(j.Composite.Components, want.components) || j.Composite.MaxDelay != 0 || j.Composite.WhenDelayed != "" {
		t.Errorf("%s: composite %+v, want components %+v", name, *j.Composite, want.components)
	}
	for i, c := range want.components {
		s := find(t, cat, strings.TrimPrefix(c.SLO, j.Service+"/"))
		if s.Journey() || s.Objective != want.objectives[i] || s.Indicator.Kind != want.indicators[i] || s.Budgeting.Method != j.Budgeting.Method ||
			s.Budgeting.SliceLength != j.Budgeting.SliceLength || s.Budgeting.SliceTarget != want.sliceTarget[i] ||
			s.Window != j.Window || s.SpecName != name || s.SpecObjective != i || s.Service != j.Service {
			t.Errorf("component %d of %s = %+v", i, name, s)
		}
	}
}

func TestLoadCompositeOccurrences(t *testing.T) {
	res, diags := load(t, "testdata/good/composite-occurrences.yaml")
	if len(diags) > 0 {
		t.Errorf("diagnostics:\n%s", strings.Join(diags, "\n"))
	}
	if len(res.Catalog.SLOs) != 4 {
		t.Errorf("%d SLOs, want the journey and its 3 components", len(res.Catalog.SLOs))
	}
	occ := slo.Budgeting{Method: slo.Occurrences}
	checkJourney(t, res.Catalog, "customer-checks-out", wantComposite{
		// (99·1 + 99.5·2 + 98.5·0.5) / 3.5
		objective: 99.214285714, budgeting: occ,
		components: []slo.Component{
			{SLO: "checkout/customer-checks-out-scan", Weight: 1},
			{SLO: "checkout/customer-checks-out-pay", Weight: 2},
			{SLO: "checkout/customer-checks-out-receipt", Weight: 0.5},
		},
		objectives:  []float64{99, 99.5, 98.5},
		indicators:  []slo.IndicatorKind{slo.KindRatio, slo.KindRatio, slo.KindRatio},
		sliceTarget: []float64{0, 0, 0},
	})
	j := find(t, res.Catalog, "customer-checks-out")
	if j.DisplayName != "A customer checks out" || j.Window.Rolling != 7*24*time.Hour || res.Catalog.EffectiveOwners(j).Team != "tills" ||
		j.Description != "Scan, pay and get a receipt, as the customer sees it." {
		t.Errorf("journey = %+v", j)
	}
	if pay := find(t, res.Catalog, "customer-checks-out-pay"); pay.Indicator.Good == nil || !strings.Contains(pay.Indicator.Good.Expr, `payment_authorisations_total{code!~"5.."}`) {
		t.Errorf("pay's indicator from the SLI it refers to = %+v", pay.Indicator)
	}
}

func TestLoadCompositeTimeslices(t *testing.T) {
	res, diags := load(t, "testdata/good/composite-timeslices.yaml")
	if len(diags) > 0 {
		t.Errorf("diagnostics:\n%s", strings.Join(diags, "\n"))
	}
	checkJourney(t, res.Catalog, "store-opens", wantComposite{
		// A journey has no slice target: each component judges its own
		// slices by its own.
		objective: 99, budgeting: slo.Budgeting{Method: slo.Timeslices, SliceLength: time.Minute},
		components:  []slo.Component{{SLO: "store-ops/store-opens-1", Weight: 1}, {SLO: "store-ops/store-opens-2", Weight: 3}},
		objectives:  []float64{99, 99},
		indicators:  []slo.IndicatorKind{slo.KindRatio, slo.KindBoolean},
		sliceTarget: []float64{95, 90},
	})
	checkJourney(t, res.Catalog, "prices-current", wantComposite{
		objective: 98.666666667, budgeting: slo.Budgeting{Method: slo.RatioTimeslices, SliceLength: time.Hour},
		components:  []slo.Component{{SLO: "store-ops/prices-current-shelf-labels", Weight: 1}, {SLO: "store-ops/prices-current-till-prices", Weight: 2}},
		objectives:  []float64{98, 99},
		indicators:  []slo.IndicatorKind{slo.KindRatio, slo.KindRatio},
		sliceTarget: []float64{0, 0},
	})
}

// scansSLO is the start of an SLO document, up to its indicator and
// objectives.
const scansSLO = `apiVersion: openslo/v1
kind: SLO
metadata: {name: scans, labels: {team: tills}}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
`

// TestCompositeOfOneObjective: an objective with an SLI of its own but no
// other to combine with is an SLO like any, under the SLO's name, as
// before composites were read.
func TestCompositeOfOneObjective(t *testing.T) {
	res := spec.LoadBytes("one.yaml", []byte(scansSLO+`  objectives:
    - target: 0.99
      compositeWeight: 1
      indicator:
        metadata: {name: scans-ok}
        spec: {ratioMetric: {counter: true, good: {metricSource: {type: Accord, spec: {stream: scans}}}, total: {metricSource: {type: Accord, spec: {stream: scans}}}}}
`))
	if res.Diags.Len() > 0 || len(res.Catalog.SLOs) != 1 {
		t.Fatalf("diagnostics %v, SLOs %+v", res.Diags.Items(), res.Catalog.SLOs)
	}
	if s := res.Catalog.SLOs[0]; s.Name != "scans" || s.Journey() || s.Indicator.Stream != "scans" {
		t.Errorf("SLO = %+v", s)
	}
}

// TestCompositeWeightOutsideComposite: objectives sharing the spec's SLI
// have nothing to weigh; the weight is ignored with a word.
func TestCompositeWeightOutsideComposite(t *testing.T) {
	got := spec.LoadBytes("shared.yaml", []byte(scansSLO+`  indicator:
    metadata: {name: scans-ok}
    spec: {ratioMetric: {counter: true, good: {metricSource: {type: Accord, spec: {stream: scans}}}, total: {metricSource: {type: Accord, spec: {stream: scans}}}}}
  objectives:
    - {displayName: good, target: 0.99, compositeWeight: 2}
    - {displayName: great, target: 0.999}
`))
	var lines []string
	for _, d := range got.Diags.Items() {
		lines = append(lines, d.String())
	}
	want := `shared.yaml:12:58: warning: spec.objectives[0].compositeWeight: compositeWeight weighs the objectives of a composite SLO, each with an SLI of its own; this SLO's objectives share one SLI, so it is ignored`
	if !strings.Contains(strings.Join(lines, "\n"), want) {
		t.Errorf("diagnostics:\n%s\nwant among them:\n%s", strings.Join(lines, "\n"), want)
	}
	for _, s := range got.Catalog.SLOs {
		if s.Journey() {
			t.Errorf("objectives sharing an SLI made a journey: %+v", s)
		}
	}
}

// TestCompositeRoundTrip reads each composite test file, writes it as
// OpenSLO and reads that back: the same catalog. The journey is written
// as a composite SLO whose objectives each carry an SLI and a
// compositeWeight, as other OpenSLO tools read it.
func TestCompositeRoundTrip(t *testing.T) {
	for _, file := range []string{"testdata/good/composite-occurrences.yaml", "testdata/good/composite-timeslices.yaml"} {
		t.Run(file, func(t *testing.T) {
			res, _ := load(t, file)
			out, err := spec.WriteWith("openslo", res.Catalog, spec.WriteOptions{Rules: engine.Rules})
			if err != nil {
				t.Fatal(err)
			}
			readsBackTheSame(t, out, res.Catalog)
			for _, s := range res.Catalog.SLOs {
				if s.Journey() {
					checkCompositeDocument(t, out, s)
				}
			}
		})
	}
}

// checkCompositeDocument finds j's document in out and checks it is an
// OpenSLO composite of j's components.
func checkCompositeDocument(t *testing.T, out []byte, j slo.SLO) {
	t.Helper()
	type objective struct {
		DisplayName     string         `yaml:"displayName"`
		Target          float64        `yaml:"target"`
		Indicator       map[string]any `yaml:"indicator"`
		IndicatorRef    string         `yaml:"indicatorRef"`
		CompositeWeight float64        `yaml:"compositeWeight"`
	}
	type document struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Indicator  map[string]any `yaml:"indicator"`
			Objectives []objective    `yaml:"objectives"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(out)))
	for {
		var doc document
		if dec.Decode(&doc) != nil {
			break
		}
		if doc.Kind != "SLO" || doc.Metadata.Name != j.Name {
			continue
		}
		if doc.Spec.Indicator != nil || len(doc.Spec.Objectives) != len(j.Composite.Components) {
			t.Fatalf("journey %s written as %+v", j.Name, doc.Spec)
		}
		for i, o := range doc.Spec.Objectives {
			c := j.Composite.Components[i]
			if o.DisplayName != c.SLO[strings.LastIndex(c.SLO, "/")+1:] || o.CompositeWeight != c.Weight || o.Target <= 0 || (o.Indicator == nil) == (o.IndicatorRef == "") {
				t.Errorf("objective %d of %s = %+v, want component %+v with an SLI", i, j.Name, o, c)
			}
		}
		return
	}
	t.Errorf("no SLO document %s in\n%s", j.Name, out)
}

// TestWriteJourneyOfAccord writes a journey as Accord's own spec holds
// one — components of two services, an objective of its own, late
// components counted as bad — and reads it back unchanged.
func TestWriteJourneyOfAccord(t *testing.T) {
	owners := slo.Owners{Team: "tills"}
	component := func(service, name string, objective float64, stream string) slo.SLO {
		return slo.SLO{Name: name, Service: service, Objective: objective, Window: slo.Window{Rolling: 7 * 24 * time.Hour},
			Budgeting: slo.Budgeting{Method: slo.Timeslices, SliceLength: 5 * time.Minute, SliceTarget: 90},
			Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: stream}, Owners: owners}
	}
	scan := component("checkout", "scan", 99.9, "scans")
	card := component("payments", "card", 99.5, "cards")
	j := component("checkout", "customer-checks-out", 99, "")
	j.Indicator = slo.Indicator{}
	j.Budgeting.SliceTarget = 99 // unused by a journey, but what a spec gave is kept
	j.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}, {SLO: "payments/card", Weight: 2}},
		MaxDelay: 15 * time.Minute, WhenDelayed: slo.CountAsBad}
	cat := slo.Catalog{Services: []slo.Service{{Name: "checkout"}, {Name: "payments"}}, SLOs: []slo.SLO{scan, card, j}}
	out, err := openslo.Write(cat, openslo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	readsBackTheSame(t, out, cat)
	checkCompositeDocument(t, out, j)
}

// TestWriteNestedJourneyRefused: OpenSLO composites do not nest, since
// each objective needs an SLI; the error names the journey and component.
func TestWriteNestedJourneyRefused(t *testing.T) {
	leaf := slo.SLO{Name: "scan", Service: "checkout", Objective: 99, Window: slo.Window{Rolling: 7 * 24 * time.Hour},
		Budgeting: slo.Budgeting{Method: slo.Occurrences}, Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: "scans"}}
	inner := leaf
	inner.Name, inner.Indicator = "pays", slo.Indicator{}
	inner.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}}}
	outer := inner
	outer.Name = "checks-out"
	outer.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}, {SLO: "checkout/pays", Weight: 1}}}
	_, err := openslo.Write(slo.Catalog{SLOs: []slo.SLO{leaf, inner, outer}}, openslo.Options{})
	if err == nil || !strings.Contains(err.Error(), "checkout/checks-out") || !strings.Contains(err.Error(), "component checkout/pays is a journey itself") {
		t.Errorf("error = %v, want one naming the journey and its nested component", err)
	}
}

// TestCompositeWeightErrors: every bad compositeWeight is refused at its
// line, all at once, and so is an accord.dev/composite out of step with
// the objectives.
func TestCompositeWeightErrors(t *testing.T) {
	_, got := load(t, "testdata/bad/composite-weights.yaml")
	f := "testdata/bad/composite-weights.yaml:"
	want := []string{
		f + `13:24: spec.objectives[0].compositeWeight: must be a number, not "heavy"`,
		f + `19:24: spec.objectives[1].compositeWeight: weight 0 must be above 0: a component that should not count belongs out of the list`,
		f + `23:24: spec.objectives[2].compositeWeight: weight -2 must be above 0: a component that should not count belongs out of the list`,
		f + `27:24: spec.objectives[3].compositeWeight: must be a number, not a list`,
		f + `41:5: metadata.annotations: annotation accord.dev/composite names 1 components for 2 objectives`,
		f + `41:5: metadata.annotations: annotation accord.dev/composite: maxDelay must be a duration such as 15m, not "soon"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
