package accord

import (
	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readComposite reads composite: {components: [{slo, weight}], maxDelay,
// whenDelayed}, which makes the SLO a journey over other SLOs. Names stay
// as written: spec.Validate names bare ones by the journey's service and
// checks everything that needs the whole catalog. It reports whether
// composite was given at all, so that a journey is not asked for an
// indicator.
func readComposite(body *decode.Map, s *slo.SLO) bool {
	v := body.Value("composite")
	if isNull(v) {
		return false
	}
	s.Origins.Set("composite", body.Origin("composite"))
	s.Composite = &slo.Composite{}
	m := body.Map("composite")
	defer m.Close()
	if !m.Present() {
		// Map said it is no mapping; "no components" would say it again.
		s.Origins.Set("composite.components", body.Origin("composite"))
		return true
	}
	s.Origins.Set("composite.components", m.Origin("components"))
	for _, it := range m.Seq("components") {
		s.Composite.Components = append(s.Composite.Components, readComponent(m.Doc, it, s))
	}
	if m.Has("maxDelay") {
		s.Composite.MaxDelay, _ = duration(m, "maxDelay")
		s.Origins.Set("composite.maxDelay", m.Origin("maxDelay"))
	}
	if m.Has("whenDelayed") {
		s.Composite.WhenDelayed = slo.WhenDelayed(m.String("whenDelayed"))
		s.Origins.Set("composite.whenDelayed", m.Origin("whenDelayed"))
	}
	return true
}

// readComponent reads one component: {slo: NAME, weight: W}, or just NAME
// with weight 1. Its origins are recorded under its index in the model.
func readComponent(doc *decode.Doc, it decode.Item, s *slo.SLO) slo.Component {
	field := slo.ComponentField(len(s.Composite.Components))
	if isScalar(it.Node) {
		s.Origins.Set(field, doc.Origin(it.Node, it.Path))
		return slo.Component{SLO: it.Node.Value, Weight: 1}
	}
	if it.Node.Kind != yaml.MappingNode {
		what := describe(it.Node)
		if isNull(it.Node) {
			what = "empty"
		}
		// Kept with no name, so that the journey does not also read as
		// having no components; the check of the name stands where this
		// error does and is not repeated.
		doc.Errorf(it.Node, it.Path, "a component is an SLO's name, or a mapping such as {slo: payments/card, weight: 2}, not %s", what)
		s.Origins.Set(field, doc.Origin(it.Node, it.Path))
		return slo.Component{Weight: 1}
	}
	m := doc.Map(it.Node, it.Path)
	defer m.Close()
	c := slo.Component{SLO: m.RequiredString("slo"), Weight: 1}
	s.Origins.Set(field, m.Origin("slo"))
	if m.Has("weight") {
		s.Origins.Set(field+".weight", m.Origin("weight"))
		w, ok := m.Float("weight")
		if !ok {
			// Float said why; keep the component so that nothing else
			// reads as unknown or missing, but with no weight to check.
			w = 1
		}
		c.Weight = w
	}
	return c
}
