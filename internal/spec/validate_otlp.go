package spec

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// spanKinds are the span kinds an OTLP spans source may name.
var spanKinds = []string{"server", "consumer", "client", "producer", "internal"}

// checkOTLP checks an SLO's OTLP settings on their own.
func checkOTLP(s slo.SLO, diags *diag.List) {
	o := s.Indicator.OTLP
	if o == nil {
		return
	}
	at := func(field string) slo.Origin {
		return s.Origins.Get(field, s.Origins.Get("indicator.otlp", s.Origin))
	}
	if !s.Indicator.Pushed() {
		diags.Errorf(at("indicator.otlp"), "otlp says how OpenTelemetry data feeds a stream: give the stream too")
	}
	if sp := o.Spans; sp != nil {
		for _, k := range sp.Kinds {
			if !contains(spanKinds, k) {
				diags.Errorf(at("indicator.otlp.spans.kinds"), "span kind %q must be one of %s", k, strings.Join(spanKinds, ", "))
			}
		}
		checkOTLPLabels(s, sp.Labels, at("indicator.otlp.spans.labels"), diags)
	}
	if m := o.Metric; m != nil {
		checkOTLPMetric(s, *m, at, diags)
	}
}

func checkOTLPMetric(s slo.SLO, m slo.OTLPMetric, at func(string) slo.Origin, diags *diag.List) {
	checkOTLPLabels(s, m.Labels, at("indicator.otlp.metric.labels"), diags)
	for _, role := range []string{"bad", "good"} {
		match := m.Bad
		if role == "good" {
			match = m.Good
		}
		for attr, re := range match {
			if _, err := regexp.Compile("^(?:" + re + ")$"); err != nil {
				diags.Errorf(at("indicator.otlp.metric."+role), "%s.%s: %q is not a regular expression: %v", role, attr, re, err)
			}
		}
	}
	if u := m.Unit; u != "" && u != "s" && u != "ms" {
		diags.Errorf(at("indicator.otlp.metric.unit"), "unit %q must be s or ms, a histogram's unit of time", u)
	}
	switch s.Indicator.Kind {
	case slo.KindRatio:
		switch {
		case len(m.Bad) > 0 && len(m.Good) > 0:
			diags.Errorf(at("indicator.otlp.metric.good"), "give bad or good points, not both")
		case len(m.Bad) == 0 && len(m.Good) == 0:
			diags.Errorf(at("indicator.otlp"), "a ratio from a metric needs bad (or good): the attributes of its bad points, such as {http.response.status_code: '5..'}")
		}
	case slo.KindLatency:
		if len(m.Bad) > 0 || len(m.Good) > 0 {
			diags.Errorf(at("indicator.otlp.metric.bad"), "a latency SLO counts every point of its histogram: bad and good pick the points of a ratio")
		}
		if len(m.Buckets) == 0 && m.Scale == nil {
			diags.Errorf(at("indicator.otlp"), "give the histogram's buckets (explicit bounds) or scale (exponential), so that the threshold can be checked against its bounds")
		}
		if s.Indicator.Threshold > 0 {
			checkThresholdBound(s.Indicator.Threshold, m, at, diags)
		}
	case slo.KindBoolean:
		diags.Errorf(at("indicator.otlp"), "a boolean SLO does not read OTLP metrics; use a ratio of good points")
	}
}

// checkThresholdBound refuses a threshold between two bucket bounds:
// Accord counts whole buckets and never rounds a threshold.
func checkThresholdBound(threshold time.Duration, m slo.OTLPMetric, at func(string) slo.Origin, diags *diag.List) {
	unit := time.Second
	if m.EffectiveUnit() == "ms" {
		unit = time.Millisecond
	}
	t := float64(threshold) / float64(unit)
	if len(m.Buckets) > 0 {
		bounds := append([]float64(nil), m.Buckets...)
		sort.Float64s(bounds)
		if lo, hi, ok := slo.ExplicitBound(bounds, t); !ok {
			diags.Errorf(at("indicator.otlp.metric.buckets"), "threshold %v falls %s; Accord counts whole buckets and does not round: make the threshold a bound, or add a bound at %v to the histogram",
				threshold, between(lo, hi, unit), threshold)
		}
	}
	if m.Scale != nil {
		if lo, hi, ok := slo.ExponentialBound(*m.Scale, t); !ok {
			diags.Errorf(at("indicator.otlp.metric.scale"), "threshold %v falls %s at scale %d; Accord counts whole buckets and does not round: make the threshold one of them",
				threshold, between(lo, hi, unit), *m.Scale)
		}
	}
}

// between names the bounds around a threshold.
func between(lo, hi float64, unit time.Duration) string {
	d := func(f float64) string { return slo.FormatBound(f, unit) }
	switch {
	case lo < 0:
		return "below the lowest bucket bound, " + d(hi)
	case hi < 0:
		return "above the highest bucket bound, " + d(lo)
	}
	return fmt.Sprintf("between the bucket bounds %s and %s", d(lo), d(hi))
}

// checkOTLPLabels checks that mapped labels are labels the SLO groups by.
func checkOTLPLabels(s slo.SLO, labels map[string]string, at slo.Origin, diags *diag.List) {
	for _, l := range sortedKeys(labels) {
		if !contains(s.GroupBy, l) {
			diags.Errorf(at, "labels.%s: the SLO does not group by %s (groupBy: [%s])", l, l, strings.Join(s.GroupBy, ", "))
		}
	}
}

// checkOTLPStreams checks that the SLOs on one stream agree on how
// OpenTelemetry feeds it: they all take the same events.
func checkOTLPStreams(cat *slo.Catalog, diags *diag.List) {
	first := map[string]slo.SLO{}     // the first SLO on a stream with OTLP settings
	metricFed := map[string]slo.SLO{} // the SLO whose metric feeds a stream
	for _, s := range cat.SLOs {
		stream := s.Indicator.Stream
		if stream == "" || s.Indicator.OTLP == nil {
			continue
		}
		f, ok := first[stream]
		if !ok {
			first[stream] = s
			if s.Indicator.OTLP.Metric != nil {
				metricFed[stream] = s
			}
			continue
		}
		if !reflect.DeepEqual(f.Indicator.OTLP, s.Indicator.OTLP) {
			diags.Errorf(s.Origins.Get("indicator.otlp", s.Origin), "stream %s: these OTLP settings differ from SLO %s's (%s); the SLOs on a stream take the same events: give this SLO a stream of its own",
				stream, f.ID(), f.Origins.Get("indicator.otlp", f.Origin))
		}
	}
	// A metric's points are counted for one kind of SLO (and one
	// threshold): every SLO on its stream must be of that kind.
	for _, s := range cat.SLOs {
		f, ok := metricFed[s.Indicator.Stream]
		if !ok || f.ID() == s.ID() {
			continue
		}
		if s.Indicator.Kind != f.Indicator.Kind || s.Indicator.Threshold != f.Indicator.Threshold {
			diags.Errorf(s.Origins.Get("indicator.stream", s.Origin), "stream %s is fed by metric %s, counted for SLO %s (%s): an SLO on it must be the same kind of SLO with the same threshold; give this SLO a stream of its own",
				s.Indicator.Stream, f.Indicator.OTLP.Metric.Name, f.ID(), describeIndicator(f.Indicator))
		}
	}
}

func describeIndicator(ind slo.Indicator) string {
	if ind.Kind == slo.KindLatency {
		return fmt.Sprintf("latency, threshold %v", ind.Threshold)
	}
	return string(ind.Kind)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
