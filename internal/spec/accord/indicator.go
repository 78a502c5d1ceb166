package accord

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// indicatorKinds are the keys that name an indicator's kind.
var indicatorKinds = []string{string(slo.KindRatio), string(slo.KindLatency), string(slo.KindBoolean)}

// readIndicator reads indicator: {dataSource, ratio|latency|boolean: {...}}.
// A journey (composite given) has none; spec.Validate refuses both.
func readIndicator(body *decode.Map, s *slo.SLO, journey bool) {
	if isNull(body.Value("indicator")) {
		if body.Present() && !journey {
			body.Errorf("indicator", "required field is missing; give one of ratio, latency or boolean, or composite for a journey over other SLOs")
		}
		return
	}
	m := body.Map("indicator")
	defer m.Close()
	s.Indicator.DataSource = m.String("dataSource")
	readExternal(m, s)
	given := oneOf(m, indicatorKinds...)
	switch {
	case !m.Present():
		return
	case len(given) == 0:
		m.Doc.Diags.Errorf(m.Self(), "give the indicator's kind: ratio, latency or boolean")
		return
	case len(given) > 1:
		m.Errorf(given[1], "give one indicator kind, not both %s and %s", given[0], given[1])
	}
	s.Indicator.Kind = slo.IndicatorKind(given[0])
	k := m.Map(given[0])
	defer k.Close()
	switch s.Indicator.Kind {
	case slo.KindRatio:
		s.Indicator.Good = readQuery(k, "good", s, "indicator.good")
		s.Indicator.Bad = readQuery(k, "bad", s, "indicator.bad")
		s.Indicator.Total = readQuery(k, "total", s, "indicator.total")
		s.Indicator.ErrorRatio = readQuery(k, "errorRatio", s, "indicator.errorRatio")
	case slo.KindLatency:
		s.Indicator.Threshold, _ = duration(k, "threshold")
		s.Origins.Set("indicator.threshold", k.Origin("threshold"))
		s.Indicator.Histogram = readQuery(k, "histogram", s, "indicator.histogram")
	case slo.KindBoolean:
		s.Indicator.Gauge = readQuery(k, "gauge", s, "indicator.gauge")
		s.Indicator.GoodWhen = readComparison(k, "goodWhen")
	}
	if s.Indicator.Stream = k.String("stream"); s.Indicator.Stream != "" {
		s.Origins.Set("indicator.stream", k.Origin("stream"))
	}
	s.Indicator.OTLP = readOTLP(k, s)
}

// queryShapes are the keys of a query mapping, one per shape.
var queryShapes = []struct {
	key   string
	shape slo.QueryShape
}{
	{"counter", slo.ShapeCounter},
	{"template", slo.ShapeTemplate},
	{"expr", slo.ShapeInstant},
}

// readQuery reads {counter: SELECTOR}, {template: EXPR} or {expr: EXPR}.
// The field's origin is the expression itself, so PromQL errors point at it.
func readQuery(parent *decode.Map, key string, s *slo.SLO, field string) *slo.Query {
	v := parent.Value(key)
	if isNull(v) {
		return nil
	}
	s.Origins.Set(field, parent.Origin(key))
	if v.Kind != yaml.MappingNode {
		parent.Errorf(key, "must be a query such as {counter: SELECTOR}, {template: EXPR with %s} or {expr: EXPR}, not %s", slo.WindowPlaceholder, describe(v))
		return nil
	}
	q := parent.Map(key)
	defer q.Close()
	if readExternalQuery(q, strings.TrimPrefix(field, "indicator."), s) {
		return nil
	}
	var keys []string
	for _, sh := range queryShapes {
		keys = append(keys, sh.key)
	}
	given := oneOf(q, keys...)
	switch len(given) {
	case 0:
		q.Doc.Diags.Errorf(q.Self(), "give the query as one of counter, template or expr")
		return nil
	case 1:
	default:
		q.Errorf(given[1], "give the query as one of counter, template or expr, not both %s and %s", given[0], given[1])
	}
	for _, sh := range queryShapes {
		if sh.key == given[0] {
			s.Origins.Set(field, q.Origin(sh.key))
			return &slo.Query{Expr: q.String(sh.key), Shape: sh.shape}
		}
	}
	return nil
}

// comparisonText reads a comparison written as text: ">= 1", "lt 0.5".
var comparisonText = regexp.MustCompile(`^\s*(<=|>=|<|>|lte|gte|lt|gt|le|ge)\s*(\S+)\s*$`)

// readComparison reads goodWhen: {op: gte, value: 1}, or the same as text
// (">= 1").
func readComparison(parent *decode.Map, key string) *slo.Comparison {
	v := parent.Value(key)
	switch {
	case isNull(v):
		return nil
	case v.Kind == yaml.ScalarNode:
		if m := comparisonText.FindStringSubmatch(v.Value); m != nil {
			op, _ := slo.ParseOp(m[1])
			if f, err := strconv.ParseFloat(m[2], 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return &slo.Comparison{Op: op, Value: f}
			}
		}
		parent.Errorf(key, "must be a comparison such as \">= 1\" or {op: gte, value: 1}, not %q", v.Value)
		return nil
	}
	c := parent.Map(key)
	defer c.Close()
	c.Require("op", "value")
	cmp := &slo.Comparison{}
	if name := c.String("op"); name != "" {
		op, ok := slo.ParseOp(name)
		if !ok {
			c.Errorf("op", "operator %q must be lt, lte, gt or gte (or <, <=, >, >=)", name)
		}
		cmp.Op = op
	}
	cmp.Value, _ = c.Float("value")
	return cmp
}
