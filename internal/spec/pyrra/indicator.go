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
	gauge := "bool_gauge"
	if !ind.Has(gauge) && ind.Has("boolGauge") {
		gauge = "boolGauge"
		ind.Warnf(gauge, "Pyrra's key is bool_gauge; boolGauge read as it")
	}
	kinds := 0
	for _, k := range []string{"ratio", "latency", "latencyNative", gauge} {
		if ind.Has(k) {
			kinds++
		}
	}
	if kinds != 1 {
		ind.Doc.Diags.Errorf(ind.Self(), "give exactly one of ratio, latency, latencyNative or bool_gauge")
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
		readNativeLatency(m, s)
		s.GroupBy = readGrouping(m, s)
		m.Close()
	}
	if m := ind.Map(gauge); m.Present() {
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
	if sameHistogram(m, hist, total.Expr) {
		s.Indicator.Histogram = &slo.Query{Expr: hist.String(), Shape: slo.ShapeCounter}
		return
	}
	// A total from another selector counts other requests than the
	// histogram: the SLI is the ratio of the success bucket to it, as
	// Pyrra computes it.
	count := selector{name: strings.TrimSuffix(hist.name, "_bucket") + "_count", matchers: hist.matchers}
	m.Map("total").Warnf("metric", "total %s is not the success histogram's count %s: read as a ratio of the success bucket to this total", total.Expr, count)
	s.Indicator = slo.Indicator{Kind: slo.KindRatio,
		Good:  &slo.Query{Expr: success.Expr, Shape: slo.ShapeCounter},
		Total: &slo.Query{Expr: total.Expr, Shape: slo.ShapeCounter}}
	s.Origins.Set("indicator.good", at)
	s.Origins.Set("indicator.total", m.Map("total").Origin("metric"))
}

// sameHistogram reports whether total counts the same histogram as the
// bucket series: then Accord takes the total from the histogram itself.
func sameHistogram(m *decode.Map, hist selector, total string) bool {
	sel, err := parseSelector(total)
	if err != nil {
		m.Doc.Diags.Errorf(m.Map("total").Origin("metric"), "%v", err)
		return true
	}
	want := selector{name: strings.TrimSuffix(hist.name, "_bucket") + "_count", matchers: hist.matchers}
	return sel.String() == want.String()
}

// readNativeLatency reads latencyNative: a native histogram and the
// latency below which a request is good. Accord's latency indicator reads
// classic buckets, so it becomes a ratio of template queries over the
// native histogram, the share under the latency as Pyrra computes it.
func readNativeLatency(m *decode.Map, s *slo.SLO) {
	s.Indicator.Kind = slo.KindRatio
	lat, ok := m.Duration("latency")
	if !ok && !m.Has("latency") {
		m.Errorf("latency", "required field is missing: the latency requests should be faster than, such as 100ms")
	}
	total := metric(m, "total", s, "indicator.total")
	if total == nil || lat <= 0 {
		return
	}
	group := strings.Join(m.StringList("grouping"), ", ")
	sum := "sum(increase(" + total.Expr + "[" + slo.WindowPlaceholder + "]))"
	if group != "" {
		sum = "sum by (" + group + ") (increase(" + total.Expr + "[" + slo.WindowPlaceholder + "]))"
	}
	seconds := strconv.FormatFloat(lat.Seconds(), 'g', -1, 64)
	s.Indicator.Good = &slo.Query{Expr: "histogram_fraction(0, " + seconds + ", " + sum + ") * histogram_count(" + sum + ")", Shape: slo.ShapeTemplate}
	s.Indicator.Total = &slo.Query{Expr: "histogram_count(" + sum + ")", Shape: slo.ShapeTemplate}
	s.Origins.Set("indicator.good", m.Origin("latency"))
}
