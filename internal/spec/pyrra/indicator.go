package pyrra

import (
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

func readIndicator(spec *decode.Map, s *slo.SLO) {
	ind := spec.Map("indicator")
	defer ind.Close()
	if !spec.Require("indicator") {
		return
	}
	kinds := 0
	for _, k := range []string{"ratio", "latency", "latencyNative", "boolGauge"} {
		if ind.Has(k) {
			kinds++
		}
	}
	if kinds != 1 {
		ind.Doc.Diags.Errorf(ind.Self(), "give exactly one of ratio, latency, latencyNative or boolGauge")
	}
	if m := ind.Map("ratio"); m.Present() {
		s.Indicator.Kind = slo.KindRatio
		s.Indicator.Bad = metric(m, "errors", s, "indicator.bad")
		s.Indicator.Total = metric(m, "total", s, "indicator.total")
		s.GroupBy = readGrouping(m, s)
		m.Close()
	}
	if m := ind.Map("latency"); m.Present() {
		readLatency(m, s)
		s.GroupBy = readGrouping(m, s)
		m.Close()
	}
	if m := ind.Map("latencyNative"); m.Present() {
		m.Known("latency", "total", "grouping")
		ind.Errorf("latencyNative", "Accord reads classic histograms only: use indicator.latency with the _bucket series and an le matcher")
		m.Close()
	}
	if m := ind.Map("boolGauge"); m.Present() {
		s.Indicator.Kind = slo.KindBoolean
		expr := m.RequiredString("metric")
		s.Origins.Set("indicator.gauge", m.Origin("metric"))
		if expr != "" {
			s.Indicator.Gauge = &slo.Query{Expr: expr, Shape: slo.ShapeInstant}
		}
		s.GroupBy = readGrouping(m, s)
		m.Close()
	}
}

// metric reads a {metric: selector} field as a counter Accord increases.
func metric(parent *decode.Map, key string, s *slo.SLO, field string) *slo.Query {
	m := parent.Map(key)
	defer m.Close()
	if !parent.Require(key) {
		return nil
	}
	expr := m.RequiredString("metric")
	s.Origins.Set(field, m.Origin("metric"))
	if expr == "" {
		return nil
	}
	return &slo.Query{Expr: expr, Shape: slo.ShapeCounter}
}

func readGrouping(m *decode.Map, s *slo.SLO) []string {
	s.Origins.Set("groupBy", m.Origin("grouping"))
	return m.StringList("grouping")
}

// readLatency turns Pyrra's success bucket and total count into a
// histogram and a threshold: the bucket's le is the threshold.
func readLatency(m *decode.Map, s *slo.SLO) {
	s.Indicator.Kind = slo.KindLatency
	success := metric(m, "success", s, "indicator.histogram")
	total := metric(m, "total", s, "indicator.total")
	delete(s.Origins, "indicator.total")
	if success == nil || total == nil {
		return
	}
	at := m.Map("success").Origin("metric")
	bucket, err := parseSelector(success.Expr)
	if err != nil {
		m.Doc.Diags.Errorf(at, "%v", err)
		return
	}
	le, ok := bucket.find("le")
	if !ok || le.op != "=" || !strings.HasSuffix(bucket.name, "_bucket") {
		m.Doc.Diags.Errorf(at, "the success metric must be a histogram bucket with an le matcher, such as http_request_duration_seconds_bucket{le=\"0.5\"}")
		return
	}
	seconds, err := strconv.ParseFloat(le.value, 64)
	if err != nil || seconds <= 0 {
		m.Doc.Diags.Errorf(at, "le %q must be a number of seconds above zero", le.value)
		return
	}
	s.Indicator.Threshold = time.Duration(seconds * float64(time.Second))
	hist := bucket.without("le")
	s.Indicator.Histogram = &slo.Query{Expr: hist.String(), Shape: slo.ShapeCounter}
	checkTotal(m, hist, total.Expr)
}

// checkTotal makes sure total counts the same histogram: Accord derives the
// total from the histogram, so a different total cannot be held.
func checkTotal(m *decode.Map, hist selector, total string) {
	at := m.Map("total").Origin("metric")
	sel, err := parseSelector(total)
	if err != nil {
		m.Doc.Diags.Errorf(at, "%v", err)
		return
	}
	want := selector{name: strings.TrimSuffix(hist.name, "_bucket") + "_count", matchers: hist.matchers}
	if sel.String() != want.String() {
		m.Doc.Diags.Errorf(at, "total %s must count the success histogram, %s: Accord takes the total from the histogram", sel, want)
	}
}
