package accord

import (
	"math"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readOTLP reads otlp: {spans: {...}} or otlp: {metric: {...}} beside a
// stream: how OpenTelemetry data feeds it.
func readOTLP(k *decode.Map, s *slo.SLO) *slo.OTLP {
	if isNull(k.Value("otlp")) {
		return nil
	}
	s.Origins.Set("indicator.otlp", k.Origin("otlp"))
	m := k.Map("otlp")
	defer m.Close()
	if !m.Present() {
		return nil
	}
	given := oneOf(m, "spans", "metric")
	switch len(given) {
	case 0:
		m.Doc.Diags.Errorf(m.Self(), "give spans or metric: what feeds the stream")
		return nil
	case 2:
		m.Errorf(given[1], "give spans or metric, not both")
	}
	out := &slo.OTLP{}
	if given[0] == "spans" {
		out.Spans = readOTLPSpans(m, s)
	} else {
		out.Metric = readOTLPMetric(m, s)
	}
	return out
}

func readOTLPSpans(parent *decode.Map, s *slo.SLO) *slo.OTLPSpans {
	m := parent.Map("spans")
	defer m.Close()
	sp := &slo.OTLPSpans{OTLPSelector: readSelector(m)}
	sp.Kinds = m.StringList("kinds")
	s.Origins.Set("indicator.otlp.spans.kinds", m.Origin("kinds"))
	if b, ok := m.Bool("errorStatus"); ok {
		sp.ErrorStatus = &b
	}
	if f, ok := m.Float("badStatusCode"); ok {
		if f != math.Trunc(f) || f < 0 || f > 599 || (f > 0 && f < 100) {
			m.Errorf("badStatusCode", "must be an HTTP status code from 100 to 599, or 0 to leave status codes out, not %s", strconv.FormatFloat(f, 'g', -1, 64))
		}
		code := int(f)
		sp.BadStatusCode = &code
	}
	sp.Labels = m.StringMap("labels")
	s.Origins.Set("indicator.otlp.spans.labels", m.Origin("labels"))
	return sp
}

func readOTLPMetric(parent *decode.Map, s *slo.SLO) *slo.OTLPMetric {
	m := parent.Map("metric")
	defer m.Close()
	mt := &slo.OTLPMetric{OTLPSelector: readSelector(m)}
	mt.Name = m.RequiredString("name")
	mt.Bad = m.StringMap("bad")
	mt.Good = m.StringMap("good")
	mt.Labels = m.StringMap("labels")
	mt.Unit = m.String("unit")
	for _, key := range []string{"bad", "good", "labels", "unit", "buckets", "scale"} {
		s.Origins.Set("indicator.otlp.metric."+key, m.Origin(key))
	}
	for _, it := range m.Seq("buckets") {
		f, err := strconv.ParseFloat(it.Node.Value, 64)
		if it.Node.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			m.Doc.Errorf(it.Node, it.Path, "must be a number, not %s", describe(it.Node))
			continue
		}
		mt.Buckets = append(mt.Buckets, f)
	}
	if f, ok := m.Float("scale"); ok {
		if f != math.Trunc(f) || f < -10 || f > 20 {
			m.Errorf("scale", "must be a whole number from -10 to 20, as OTLP exponential histograms have, not %s", strconv.FormatFloat(f, 'g', -1, 64))
		}
		scale := int(f)
		mt.Scale = &scale
	}
	return mt
}

func readSelector(m *decode.Map) slo.OTLPSelector {
	return slo.OTLPSelector{Service: m.String("service"), Attribute: m.String("attribute")}
}

// otlp writes an indicator's OTLP settings; nil when it has none.
func (w *writer) otlp(o *slo.OTLP) *yaml.Node {
	if o == nil {
		return nil
	}
	out := newMapping()
	if sp := o.Spans; sp != nil {
		m := newMapping()
		writeSelector(m, sp.OTLPSelector)
		m.set("kinds", stringList(sp.Kinds))
		if sp.ErrorStatus != nil {
			m.set("errorStatus", boolean(*sp.ErrorStatus))
		}
		if sp.BadStatusCode != nil {
			m.set("badStatusCode", w.number(float64(*sp.BadStatusCode)))
		}
		m.set("labels", stringMap(sp.Labels))
		out.set("spans", emptyMapping(m))
	}
	if mt := o.Metric; mt != nil {
		m := newMapping()
		m.set("name", text(mt.Name))
		writeSelector(m, mt.OTLPSelector)
		m.set("bad", stringMap(mt.Bad))
		m.set("good", stringMap(mt.Good))
		m.set("labels", stringMap(mt.Labels))
		m.set("unit", text(mt.Unit))
		if len(mt.Buckets) > 0 {
			n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, b := range mt.Buckets {
				n.Content = append(n.Content, w.number(b))
			}
			m.set("buckets", n)
		}
		if mt.Scale != nil {
			m.set("scale", w.number(float64(*mt.Scale)))
		}
		out.set("metric", m.node)
	}
	return emptyMapping(out)
}

func writeSelector(m mapping, s slo.OTLPSelector) {
	m.set("service", text(s.Service))
	m.set("attribute", text(s.Attribute))
}

// emptyMapping is the mapping, written {} when it has no keys: settings
// all left at their defaults still say spans feed the stream.
func emptyMapping(m mapping) *yaml.Node {
	if len(m.node.Content) == 0 {
		m.flow()
	}
	return m.node
}
