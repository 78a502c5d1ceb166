package openslo

import (
	"encoding/json"
	"math"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// annComposite carries what OpenSLO has no field for in a composite SLO:
// the journey's own objective, how late components count, and, in what Accord writes, the SLOs its objectives repeat.
const annComposite = "accord.dev/composite"

// accordComposite is the value of annComposite.
type accordComposite struct {
	// Components are the IDs (service/name) of the SLOs the objectives
	// repeat, in their order. Accord writes each component as an SLO of
	// its own and the journey as a composite whose objectives copy the
	// components' SLIs, so that other OpenSLO tools read a whole composite;
	// reading it back, the journey refers to those SLOs instead of making
	// new ones. Without it, each objective is a new SLO.
	Components  []string `json:"components,omitempty"`
	Objective   float64  `json:"objective,omitempty"`   // percent
	SliceTarget float64  `json:"sliceTarget,omitempty"` // percent; unused by a journey
	MaxDelay    string   `json:"maxDelay,omitempty"`
	WhenDelayed string   `json:"whenDelayed,omitempty"`
}

// weight is an objective's compositeWeight and where the objective and
// its weight are.
type weight struct {
	value     float64
	at, field slo.Origin
}

// readWeight reads an objective's compositeWeight: 1 when left out (as
// OpenSLO says). A weight that is no number is reported here and counts as
// 1, so nothing else reports it again; spec.Validate refuses one ≤ 0.
func readWeight(m *decode.Map) weight {
	w := weight{value: 1, at: m.Self(), field: m.Self()}
	if m.Has("compositeWeight") {
		w.field = m.Origin("compositeWeight")
		if f, ok := m.Float("compositeWeight"); ok {
			w.value = f
		}
	}
	return w
}

// readJourney makes the SLO of a composite SLO's spec a journey over
// parts, the SLOs its objectives became, with OpenSLO's semantics: the
// journey counts the components' events by their weights (occurrences and
// ratio time slices), and a time slice is bad when any component's is.
//
// OpenSLO gives a composite no target of its own: the journey's objective
// is the mean of the objectives' targets by weight (the target when they
// share one), unless annComposite names one. A journey has no slice
// target: the components judge their slices by their own.
//
// named reports that the annotation names existing SLOs as the
// components: the parts are then only read, not kept.
func readJourney(sp *decode.Map, base slo.SLO, parts []slo.SLO, weights []weight, md meta) (j slo.SLO, named bool) {
	var ann accordComposite
	annAt := md.m.Origin("annotations")
	if raw, ok := md.annotations[annComposite]; ok {
		if err := json.Unmarshal([]byte(raw), &ann); err != nil {
			md.m.Errorf("annotations", "annotation %s must be JSON such as {\"objective\": 99}: %v", annComposite, err)
		}
	}
	if len(ann.Components) > 0 && len(ann.Components) != len(parts) {
		md.m.Errorf("annotations", "annotation %s names %d components for %d objectives", annComposite, len(ann.Components), len(parts))
		ann.Components = nil
	}
	j = base
	j.Origins = copyOrigins(base.Origins)
	j.Indicator, j.GroupBy = slo.Indicator{}, nil
	j.Composite = &slo.Composite{}
	j.Origins.Set("composite", sp.Origin("objectives"))
	j.Origins.Set("composite.components", sp.Origin("objectives"))
	var sum, weighted, plain float64
	for i, p := range parts {
		id := p.ID()
		if len(ann.Components) > 0 {
			id = ann.Components[i]
		}
		w := weights[i]
		j.Composite.Components = append(j.Composite.Components, slo.Component{SLO: id, Weight: w.value})
		j.Origins.Set(slo.ComponentField(i), w.at)
		j.Origins.Set(slo.ComponentField(i)+".weight", w.field)
		sum += w.value
		weighted += w.value * p.Objective
		plain += p.Objective
	}
	j.Objective = round(weighted / sum)
	j.Origins.Set("objective", sp.Origin("objectives"))
	if sum <= 0 || math.IsNaN(j.Objective) || math.IsInf(j.Objective, 0) {
		// The weights are refused where they are; the plain mean keeps
		// the objective from being refused as well.
		j.Objective = round(plain / float64(len(parts)))
	}
	if ann.Objective != 0 {
		j.Objective = ann.Objective
		j.Origins.Set("objective", annAt)
	}
	j.Budgeting.SliceLength = parts[0].Budgeting.SliceLength
	j.Origins.Set("budgeting.sliceLength", parts[0].Origins.Get("budgeting.sliceLength", j.Origin))
	j.Budgeting.SliceTarget = ann.SliceTarget // unused, kept for the round trip
	if ann.SliceTarget != 0 {
		j.Origins.Set("budgeting.sliceTarget", annAt)
	}
	if ann.MaxDelay != "" {
		d, err := slo.ParseDuration(ann.MaxDelay)
		if err != nil {
			md.m.Errorf("annotations", "annotation %s: maxDelay must be a duration such as 15m, not %q", annComposite, ann.MaxDelay)
		}
		j.Composite.MaxDelay = d
		j.Origins.Set("composite.maxDelay", annAt)
	}
	if ann.WhenDelayed != "" {
		j.Composite.WhenDelayed = slo.WhenDelayed(ann.WhenDelayed)
		j.Origins.Set("composite.whenDelayed", annAt)
	}
	return j, len(ann.Components) > 0
}
