package slo

import (
	"math"
	"time"
)

// OTLP says how OpenTelemetry data sent to Accord over OTLP feeds an
// indicator's stream: from spans, or from one metric. An indicator with a
// stream and no OTLP settings still takes spans: those of the service
// named like the stream, with the defaults below.
type OTLP struct {
	Spans  *OTLPSpans  `json:"spans,omitempty"`
	Metric *OTLPMetric `json:"metric,omitempty"`
}

// OTLPSelector picks the telemetry of one service: Attribute (by default
// service.name, read from the resource and then the span or point) must
// equal Service (by default the stream's name).
type OTLPSelector struct {
	Service   string `json:"service,omitempty"`
	Attribute string `json:"attribute,omitempty"`
}

// DefaultServiceAttribute is the attribute that names a service.
const DefaultServiceAttribute = "service.name"

// OTLPSpans turns spans into single events: bad on an ERROR status or a
// server error code, latency from the duration, time from the end.
type OTLPSpans struct {
	OTLPSelector
	// Kinds are the span kinds counted (server, consumer, client,
	// producer, internal); empty means server and consumer, the spans that
	// enter a service, so that one request counts once.
	Kinds []string `json:"kinds,omitempty"`
	// ErrorStatus makes a span with status ERROR bad; nil means true.
	ErrorStatus *bool `json:"errorStatus,omitempty"`
	// BadStatusCode makes a server span whose http.response.status_code is
	// at least this bad; nil means 500, 0 turns the test off.
	BadStatusCode *int `json:"badStatusCode,omitempty"`
	// Labels maps a groupBy label to the attribute holding its value; a
	// label not listed is read from the attribute of its own name, or of
	// its name with "_" as "." (http_route: http.route).
	Labels map[string]string `json:"labels,omitempty"`
}

// DefaultSpanKinds are the span kinds counted when a spec names none.
var DefaultSpanKinds = []string{"server", "consumer"}

// DefaultBadStatusCode is the least HTTP status code of a bad server span.
const DefaultBadStatusCode = 500

// EffectiveKinds returns the span kinds counted.
func (s OTLPSpans) EffectiveKinds() []string {
	if len(s.Kinds) == 0 {
		return DefaultSpanKinds
	}
	return s.Kinds
}

// EffectiveErrorStatus reports whether an ERROR status makes a span bad.
func (s OTLPSpans) EffectiveErrorStatus() bool { return s.ErrorStatus == nil || *s.ErrorStatus }

// EffectiveBadStatusCode returns the least bad HTTP status code; 0 when
// status codes are not tested.
func (s OTLPSpans) EffectiveBadStatusCode() int {
	if s.BadStatusCode == nil {
		return DefaultBadStatusCode
	}
	return *s.BadStatusCode
}

// OTLPMetric turns the points of one metric into counts. A ratio reads a
// monotonic sum or a histogram's count, with Bad or Good picking the bad
// or good points by attribute; a latency reads a histogram, good up to the
// indicator's threshold, which must be one of its bucket bounds.
type OTLPMetric struct {
	OTLPSelector
	Name string `json:"name"`
	// Bad and Good match point attributes to regular expressions, anchored
	// as in PromQL; give one of them for a ratio.
	Bad  map[string]string `json:"bad,omitempty"`
	Good map[string]string `json:"good,omitempty"`
	// Labels maps groupBy labels to attributes, as for spans.
	Labels map[string]string `json:"labels,omitempty"`
	// Unit is a histogram's unit, "s" or "ms"; empty means "s", as the
	// semantic conventions advise.
	Unit string `json:"unit,omitempty"`
	// Buckets are an explicit-bucket histogram's bounds in Unit; a latency
	// SLO's threshold must be one of them.
	Buckets []float64 `json:"buckets,omitempty"`
	// Scale is an exponential histogram's least scale; a latency SLO's
	// threshold must be a bucket bound at that scale.
	Scale *int `json:"scale,omitempty"`
}

// EffectiveUnit returns the histogram's unit.
func (m OTLPMetric) EffectiveUnit() string {
	if m.Unit == "" {
		return "s"
	}
	return m.Unit
}

// EffectiveService returns the selected service, by default stream.
func (s OTLPSelector) EffectiveService(stream string) string {
	if s.Service == "" {
		return stream
	}
	return s.Service
}

// EffectiveAttribute returns the attribute naming the service.
func (s OTLPSelector) EffectiveAttribute() string {
	if s.Attribute == "" {
		return DefaultServiceAttribute
	}
	return s.Attribute
}

// boundTolerance is how close, relatively, a threshold must be to a
// bucket bound to be that bound: the bounds are floating-point numbers.
const boundTolerance = 1e-9

// ExplicitBound reports whether t is one of an explicit-bucket
// histogram's bounds (sorted); if not, it returns the nearest bounds
// below and above it, -1 where there is none.
func ExplicitBound(bounds []float64, t float64) (lo, hi float64, ok bool) {
	lo, hi = -1, -1
	for _, b := range bounds {
		if math.Abs(b-t) <= boundTolerance*math.Max(math.Abs(t), 1e-300) {
			return b, b, true
		}
		if b < t {
			lo = b
		} else if hi < 0 {
			hi = b
		}
	}
	return lo, hi, false
}

// ExponentialBound reports whether t is a bucket bound of an exponential
// histogram at scale (the bounds are 2^(i·2^-scale)); if not, it returns
// the bounds around it.
func ExponentialBound(scale int, t float64) (lo, hi float64, ok bool) {
	if t <= 0 || math.IsInf(t, 0) || math.IsNaN(t) {
		return -1, -1, false
	}
	perOctave := math.Ldexp(1, scale) // buckets per doubling
	i := math.Log2(t) * perOctave
	if r := math.Round(i); math.Abs(i-r) <= boundTolerance*math.Max(1, math.Abs(i)) {
		return t, t, true
	}
	return math.Exp2(math.Floor(i) / perOctave), math.Exp2(math.Ceil(i) / perOctave), false
}

// FormatBound renders a bucket bound in unit as a duration: 0.25 in
// seconds is 250ms.
func FormatBound(f float64, unit time.Duration) string {
	return time.Duration(math.Round(f * float64(unit))).String()
}
