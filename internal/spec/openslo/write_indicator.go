package openslo

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
)

// writeIndicator renders the SLI, and the objective's op and value for
// threshold metrics; what OpenSLO cannot say goes into ann.
func writeIndicator(s slo.SLO, ann map[string]string) (sliDoc, objective, error) {
	ind := s.Indicator
	var obj objective
	doc := sliDoc{Metadata: metadata{Name: s.Name}}
	if ind.External != nil {
		return writeExternal(s, doc)
	}
	if ind.OTLP != nil {
		b, err := json.Marshal(ind.OTLP)
		if err != nil {
			return doc, obj, fmt.Errorf("write OTLP settings: %w", err)
		}
		ann[annOTLP] = string(b)
	}
	if ind.Kind == slo.KindLatency {
		ann[annLatencyThreshold] = slo.FormatDuration(ind.Threshold)
		if ind.Histogram != nil {
			ann[annHistogram] = ind.Histogram.Expr
		}
	}
	switch ind.Kind {
	case slo.KindBoolean:
		src := writeSource(ind, ind.Gauge, "")
		doc.Spec.ThresholdMetric = &src
		op, value := slo.OpGTE, 1.0
		if ind.GoodWhen != nil {
			op, value = ind.GoodWhen.Op, ind.GoodWhen.Value
		}
		obj.Op, obj.Value = string(op), &value
	case slo.KindRatio, slo.KindLatency:
		rm, err := writeRatio(ind, ann)
		if err != nil {
			return doc, obj, err
		}
		doc.Spec.RatioMetric = rm
	default:
		return doc, obj, fmt.Errorf("indicator kind %q has no OpenSLO form", ind.Kind)
	}
	return doc, obj, nil
}

func writeRatio(ind slo.Indicator, ann map[string]string) (*ratioMetric, error) {
	if ind.Pushed() {
		good, total := writeSource(ind, nil, "good"), writeSource(ind, nil, "")
		return &ratioMetric{Counter: true, Good: &good, Total: &total}, nil
	}
	good, bad, total, raw := ind.Good, ind.Bad, ind.Total, ind.ErrorRatio
	if ind.Kind == slo.KindLatency && ind.Histogram != nil {
		// Derived for OpenSLO readers; Accord reads the annotations back.
		good = &slo.Query{Expr: withLE(ind.Histogram.Expr, ind.Threshold.Seconds()), Shape: slo.ShapeCounter}
		total = &slo.Query{Expr: withLE(ind.Histogram.Expr, -1), Shape: slo.ShapeCounter}
	}
	shape := slo.QueryShape("")
	for _, q := range []*slo.Query{good, bad, total, raw} {
		if q == nil {
			continue
		}
		if shape != "" && q.Shape != shape {
			return nil, fmt.Errorf("OpenSLO gives a ratio's queries one shape; these mix %s and %s", shape, q.Shape)
		}
		shape = q.Shape
	}
	if shape == slo.ShapeTemplate {
		ann[annQueryShape] = string(slo.ShapeTemplate)
	}
	rm := &ratioMetric{Counter: shape == slo.ShapeCounter}
	wrapQ := func(q *slo.Query) *metricWrap {
		if q == nil {
			return nil
		}
		w := writeSource(ind, q, "")
		return &w
	}
	rm.Good, rm.Bad, rm.Total = wrapQ(good), wrapQ(bad), wrapQ(total)
	if raw != nil {
		rm.RawType, rm.Raw = "failure", wrapQ(raw)
	}
	return rm, nil
}

// writeExternal renders an indicator Accord cannot measure as the spec
// had it: each role's source of its own kind and settings.
func writeExternal(s slo.SLO, doc sliDoc) (sliDoc, objective, error) {
	ind := s.Indicator
	e := ind.External
	var obj objective
	src := func(role string) (*metricWrap, error) {
		raw, ok := e.Specs[role]
		if !ok {
			return nil, nil
		}
		var spec any
		if err := json.Unmarshal([]byte(raw), &spec); err != nil {
			return nil, fmt.Errorf("%s settings of the %s source are not JSON: %w", role, e.Kind, err)
		}
		return &metricWrap{MetricSource: metricSource{MetricSourceRef: e.DataSource, Type: e.Kind, Spec: spec}}, nil
	}
	var err error
	pick := func(role string) *metricWrap {
		w, e := src(role)
		if e != nil && err == nil {
			err = e
		}
		return w
	}
	switch ind.Kind {
	case slo.KindBoolean:
		doc.Spec.ThresholdMetric = pick("gauge")
		if c := ind.GoodWhen; c != nil {
			obj.Op, obj.Value = string(c.Op), &c.Value
		}
	default:
		rm := &ratioMetric{Good: pick("good"), Bad: pick("bad"), Total: pick("total"), Raw: pick("errorRatio")}
		if rm.Raw != nil {
			rm.RawType = "failure"
		}
		doc.Spec.RatioMetric = rm
	}
	return doc, obj, err
}

// writeSource renders a query, or the pushed stream, as a metric source.
func writeSource(ind slo.Indicator, q *slo.Query, outcome string) metricWrap {
	if ind.Pushed() {
		spec := map[string]string{"stream": ind.Stream}
		if outcome != "" {
			spec["outcome"] = outcome
		}
		return metricWrap{MetricSource: metricSource{Type: "Accord", Spec: spec}}
	}
	expr := ""
	if q != nil {
		expr = q.Expr
	}
	return metricWrap{MetricSource: metricSource{MetricSourceRef: ind.DataSource, Type: "Prometheus", Spec: map[string]string{"query": expr}}}
}

// withLE adds an le matcher to a bucket selector; negative means +Inf.
func withLE(selector string, seconds float64) string {
	le := `le="+Inf"`
	if seconds >= 0 {
		le = fmt.Sprintf(`le="%g"`, seconds)
	}
	selector = strings.TrimSpace(selector)
	if strings.HasSuffix(selector, "}") {
		body := strings.TrimSpace(selector[strings.Index(selector, "{")+1 : len(selector)-1])
		if body == "" {
			return selector[:len(selector)-1] + le + "}"
		}
		return selector[:len(selector)-1] + ", " + le + "}"
	}
	return selector + "{" + le + "}"
}
