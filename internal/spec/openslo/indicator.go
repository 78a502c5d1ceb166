package openslo

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/query"
)

// keys names the fields that differ between OpenSLO v1 and v2alpha.
type keys struct {
	service, indicator, indicatorRef string
}

func keysOf(version string) keys {
	if version == v2alpha {
		return keys{service: "serviceRef", indicator: "sli", indicatorRef: "sliRef"}
	}
	return keys{service: "service", indicator: "indicator", indicatorRef: "indicatorRef"}
}

// readIndicator reads the inline or referenced SLI in m (an SLO's spec, or
// one objective of a composite SLO) into s and reports whether it is a
// threshold metric (objectives then carry op and value).
func (l *Loader) readIndicator(version string, m *decode.Map, s *slo.SLO, md meta) bool {
	k := keysOf(version)
	s.Origins.Set("indicator", m.Origin(k.indicator))
	var spec *decode.Map
	switch {
	case m.Has(k.indicator) && m.Has(k.indicatorRef):
		m.Errorf(k.indicatorRef, "give %s or %s, not both", k.indicator, k.indicatorRef)
		return false
	case m.Has(k.indicator):
		inline := m.Map(k.indicator)
		readMetaOptional(inline.Map("metadata"))
		spec = inline.Map("spec")
		defer spec.Close()
		inline.Close()
	case m.Has(k.indicatorRef):
		s.Origins.Set("indicator", m.Origin(k.indicatorRef))
		name := m.String(k.indicatorRef)
		o := l.ref(kindSLI, name, m, k.indicatorRef)
		if o == nil {
			s.Indicator = slo.Indicator{Kind: slo.KindRatio, External: &slo.External{SLIRef: name}}
			return false
		}
		spec, version = o.spec, o.version
	default:
		m.Errorf(k.indicator, "required field is missing: give %s (an inline SLI) or %s", k.indicator, k.indicatorRef)
		return false
	}
	return l.readSLISpec(version, spec, s, md)
}

// readSLISpec reads an SLI's spec into s and reports whether it is a
// threshold metric.
func (l *Loader) readSLISpec(version string, spec *decode.Map, s *slo.SLO, md meta) bool {
	spec.Known("description")
	threshold := false
	if m := spec.Map("thresholdMetric"); m.Present() {
		threshold = true
		s.Indicator.Kind = slo.KindBoolean
		s.Indicator.Gauge = l.readQuery(l.metricSource(version, m), s, "gauge", false)
		m.Close()
	} else if m := spec.Map("ratioMetric"); m.Present() {
		l.readRatio(version, m, s, md)
		m.Close()
	} else {
		spec.Doc.Diags.Errorf(spec.Self(), "an SLI needs ratioMetric or thresholdMetric")
	}
	readLatency(s, md)
	readOTLPAnnotation(s, md)
	if s.Indicator.External != nil {
		// nothing to measure: keep the kind and what the spec said
		s.Indicator = slo.Indicator{Kind: s.Indicator.Kind, External: s.Indicator.External, GoodWhen: s.Indicator.GoodWhen}
	}
	return threshold
}

func (l *Loader) readRatio(version string, m *decode.Map, s *slo.SLO, md meta) {
	s.Indicator.Kind = slo.KindRatio
	counter, _ := m.Bool("counter")
	read := func(key, role string, counter bool) *slo.Query {
		h := m.Map(key)
		defer h.Close()
		if !m.Require(key) {
			return nil
		}
		q := l.readQuery(l.metricSource(version, h), s, role, counter)
		if q != nil && md.annotations[annQueryShape] == string(slo.ShapeTemplate) {
			q.Shape = slo.ShapeTemplate
		}
		return q
	}
	if m.Has("raw") {
		readRaw(m, s, read("raw", "errorRatio", false)) // a ratio is sampled, never increased
		return
	}
	if m.Has("good") {
		s.Indicator.Good = read("good", "good", counter)
	}
	if m.Has("bad") {
		s.Indicator.Bad = read("bad", "bad", counter)
	}
	s.Indicator.Total = read("total", "total", counter)
}

// readRaw reads a precomputed ratio: of failures as it is, of successes
// (rawType: success) as one minus it.
func readRaw(m *decode.Map, s *slo.SLO, q *slo.Query) {
	switch rawType := m.String("rawType"); rawType {
	case "failure":
	case "success":
		if q != nil {
			q.Expr = "1 - (" + q.Expr + ")"
		}
	case "":
		m.Errorf("rawType", "required with raw: success (the query is good/total) or failure (bad/total)")
	default:
		m.Errorf("rawType", "rawType %q must be success or failure", rawType)
	}
	s.Indicator.ErrorRatio = q
}

// inferGroupBy gives an SLO the grouping its queries keep, `sum by (host)`
// making one series per host as it did in the tool the file came from.
func inferGroupBy(m *decode.Map, key string, s *slo.SLO) {
	if len(s.GroupBy) > 0 || s.Indicator.External != nil {
		return
	}
	labels, mismatch := query.GroupBy(s.Indicator.Queries())
	if mismatch != "" {
		m.Warnf(key, "%s: the SLO is measured without grouping", mismatch)
		return
	}
	if len(labels) > 0 {
		s.GroupBy = labels
		s.Origins.Set("groupBy", m.Origin(key))
	}
}

// readLatency turns an SLI Accord wrote for a latency indicator back into
// one: the threshold and histogram travel in annotations, the good and
// total queries are only derived from them.
func readLatency(s *slo.SLO, md meta) {
	raw, ok := md.annotations[annLatencyThreshold]
	if !ok {
		return
	}
	d, err := slo.ParseDuration(raw)
	if err != nil {
		md.m.Errorf("annotations", "annotation %s: %v", annLatencyThreshold, err)
		return
	}
	ind := slo.Indicator{Kind: slo.KindLatency, Threshold: d, Stream: s.Indicator.Stream, OTLP: s.Indicator.OTLP, DataSource: s.Indicator.DataSource}
	if h := md.annotations[annHistogram]; h != "" {
		ind.Histogram = &slo.Query{Expr: h, Shape: slo.ShapeCounter}
		s.Origins.Set("indicator.histogram", md.m.Origin("annotations"))
	}
	s.Indicator = ind
}
