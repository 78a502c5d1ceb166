package openslo

import (
	"strings"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// queryable lists the metric source types Accord queries with PromQL.
var queryable = map[string]bool{"prometheus": true, "thanos": true, "mimir": true, "victoriametrics": true, "cortex": true}

// sourceAccord is the metric source type of events pushed to Accord.
const sourceAccord = "accord"

// readIndicator reads the SLO's inline or referenced SLI into s and
// reports whether it is a threshold metric (objectives then carry op and
// value).
func (l *Loader) readIndicator(sp *decode.Map, s *slo.SLO, md meta) bool {
	s.Origins.Set("indicator", sp.Origin("indicator"))
	var spec *decode.Map
	switch {
	case sp.Has("indicator") && sp.Has("indicatorRef"):
		sp.Errorf("indicatorRef", "give indicator or indicatorRef, not both")
		return false
	case sp.Has("indicator"):
		inline := sp.Map("indicator")
		readMetaOptional(inline.Map("metadata"))
		spec = inline.Map("spec")
		defer spec.Close()
		inline.Close()
	case sp.Has("indicatorRef"):
		s.Origins.Set("indicator", sp.Origin("indicatorRef"))
		o := l.ref(kindSLI, sp.String("indicatorRef"), sp, "indicatorRef")
		if o == nil {
			return false
		}
		spec = o.spec
	default:
		sp.Errorf("indicator", "required field is missing: give indicator (an inline SLI) or indicatorRef")
		return false
	}
	return readSLISpec(spec, s, md)
}

// readSLISpec reads an SLI's spec into s and reports whether it is a
// threshold metric.
func readSLISpec(spec *decode.Map, s *slo.SLO, md meta) bool {
	spec.Known("description")
	threshold := false
	if m := spec.Map("thresholdMetric"); m.Present() {
		threshold = true
		s.Indicator.Kind = slo.KindBoolean
		s.Indicator.Gauge = readSource(m, "metricSource", s, "indicator.gauge", slo.ShapeInstant)
		m.Close()
	} else if m := spec.Map("ratioMetric"); m.Present() {
		readRatio(m, s, md)
		m.Close()
	} else {
		spec.Doc.Diags.Errorf(spec.Self(), "an SLI needs ratioMetric or thresholdMetric")
	}
	readLatency(s, md)
	return threshold
}

func readRatio(m *decode.Map, s *slo.SLO, md meta) {
	s.Indicator.Kind = slo.KindRatio
	counter, _ := m.Bool("counter")
	shape := slo.ShapeInstant
	if counter {
		shape = slo.ShapeCounter
	}
	if md.annotations[annQueryShape] == string(slo.ShapeTemplate) {
		shape = slo.ShapeTemplate
	}
	if m.Has("raw") {
		rawType := m.String("rawType")
		if rawType != "failure" {
			m.Errorf("rawType", "Accord reads raw ratios of failures (rawType: failure), not %q", rawType)
		}
		s.Indicator.ErrorRatio = wrap(m, "raw", s, "indicator.errorRatio", shape)
		return
	}
	if m.Has("good") {
		s.Indicator.Good = wrap(m, "good", s, "indicator.good", shape)
	}
	if m.Has("bad") {
		s.Indicator.Bad = wrap(m, "bad", s, "indicator.bad", shape)
	}
	s.Indicator.Total = wrap(m, "total", s, "indicator.total", shape)
}

// wrap reads {metricSource: ...} under key.
func wrap(m *decode.Map, key string, s *slo.SLO, field string, shape slo.QueryShape) *slo.Query {
	w := m.Map(key)
	defer w.Close()
	if !m.Require(key) {
		return nil
	}
	return readSource(w, "metricSource", s, field, shape)
}

// readSource reads a metric source: a PromQL query of a Prometheus-
// compatible backend, or Accord's own pushed event stream.
func readSource(parent *decode.Map, key string, s *slo.SLO, field string, shape slo.QueryShape) *slo.Query {
	m := parent.Map(key)
	defer m.Close()
	if !parent.Require(key) {
		return nil
	}
	if ref := m.String("metricSourceRef"); ref != "" {
		s.Indicator.DataSource = ref
	}
	typ := m.String("type")
	spec := m.Map("spec")
	defer spec.Close()
	if strings.EqualFold(typ, sourceAccord) {
		s.Indicator.Stream = spec.RequiredString("stream")
		s.Origins.Set("indicator.stream", spec.Origin("stream"))
		spec.Known("outcome")
		return nil
	}
	if typ != "" && !queryable[strings.ToLower(typ)] {
		m.Errorf("type", "metric source type %q is not a source Accord can query: use a Prometheus-compatible one (Prometheus, Thanos, Mimir, VictoriaMetrics, Cortex) or Accord's pushed events (type: Accord)", typ)
		spec.Keys()
		return nil
	}
	expr := spec.String("query")
	s.Origins.Set(field, spec.Origin("query"))
	if expr == "" {
		expr = spec.String("promql")
		s.Origins.Set(field, spec.Origin("promql"))
	}
	if expr == "" {
		spec.Errorf("query", "required field is missing: the PromQL query")
		return nil
	}
	return &slo.Query{Expr: expr, Shape: shape}
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
	ind := slo.Indicator{Kind: slo.KindLatency, Threshold: d, Stream: s.Indicator.Stream, DataSource: s.Indicator.DataSource}
	if h := md.annotations[annHistogram]; h != "" {
		ind.Histogram = &slo.Query{Expr: h, Shape: slo.ShapeCounter}
		s.Origins.Set("indicator.histogram", md.m.Origin("annotations"))
	}
	s.Indicator = ind
}
