package openslo

import (
	"encoding/json"

	"github.com/accord-slo/accord/internal/slo"
)

// annOTLP carries an indicator's OTLP settings through OpenSLO, which has
// no words for them.
const annOTLP = "accord.dev/otlp"

// otelSource reports whether a metric source type names OpenTelemetry
// data sent to Accord over OTLP.
func otelSource(kind string) bool {
	switch kind {
	case "opentelemetry", "otel", "otlp":
		return true
	}
	return false
}

// readOTelSource maps an OpenTelemetry metric source onto the stream it
// feeds in Accord:
//
//	metricSource: {type: OpenTelemetry, spec: {service: shop}}                      # spans
//	metricSource: {type: OpenTelemetry, spec: {service: shop, metric: http.server.requests,
//	                                            attributes: {http.response.status_code: '5..'}}}
//
// stream names Accord's stream: by default the service for spans, and
// SERVICE/SLO for a metric, whose settings are the SLO's own; attributes
// pick a ratio's good or bad points, in the role the source has.
func readOTelSource(src source, s *slo.SLO, role string) {
	sp := src.spec
	service, stream := sp.String("service"), sp.String("stream")
	metric, attrs := sp.String("metric"), sp.StringMap("attributes")
	if service == "" && stream == "" {
		sp.Errorf("service", "required field is missing: the service whose OpenTelemetry data this is (its service.name)")
		return
	}
	switch {
	case stream != "":
	case metric != "":
		stream = service + "/" + s.Name
	default:
		stream = service
	}
	if s.Indicator.Stream != "" && s.Indicator.Stream != stream {
		sp.Errorf("service", "this SLI's sources feed stream %q and %q: one SLI reads one service's data", s.Indicator.Stream, stream)
		return
	}
	s.Indicator.Stream = stream
	s.Origins.Set("indicator.stream", sp.Origin("service"))
	sel := slo.OTLPSelector{Attribute: sp.String("attribute")}
	if service != stream && service != "" {
		sel.Service = service
	}
	o := s.Indicator.OTLP
	if o == nil {
		o = &slo.OTLP{}
		s.Indicator.OTLP = o
		s.Origins.Set("indicator.otlp", sp.Self())
	}
	switch {
	case metric == "":
		if len(attrs) > 0 {
			sp.Errorf("attributes", "attributes pick a metric's points: give metric too (a span's outcome comes from its status)")
		}
		if o.Spans == nil {
			o.Spans = &slo.OTLPSpans{OTLPSelector: sel}
		}
	default:
		if o.Metric == nil {
			o.Metric = &slo.OTLPMetric{OTLPSelector: sel, Name: metric}
		}
		switch role {
		case "bad":
			o.Metric.Bad = attrs
		case "good":
			o.Metric.Good = attrs
		}
		s.Origins.Set("indicator.otlp.metric."+role, sp.Origin("attributes"))
	}
	if o.Spans != nil && o.Metric != nil {
		sp.Errorf("metric", "one SLI reads spans or a metric, not both")
	}
}

// readOTLPAnnotation restores OTLP settings Accord wrote as an annotation.
func readOTLPAnnotation(s *slo.SLO, md meta) {
	raw, ok := md.annotations[annOTLP]
	if !ok {
		return
	}
	var o slo.OTLP
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		md.m.Errorf("annotations", "annotation %s must be JSON: %v", annOTLP, err)
		return
	}
	s.Indicator.OTLP = &o
	s.Origins.Set("indicator.otlp", md.m.Origin("annotations"))
}
