package slo

import "time"

// IndicatorKind says what an indicator counts.
type IndicatorKind string

// The indicator kinds.
const (
	// KindRatio counts good (or bad) events against all events.
	KindRatio IndicatorKind = "ratio"
	// KindLatency counts events faster than a threshold against all events.
	KindLatency IndicatorKind = "latency"
	// KindBoolean samples a gauge (an up or probe metric, or any value with
	// a comparison) and counts good samples against all samples.
	KindBoolean IndicatorKind = "boolean"
)

// Indicator says how an SLO is measured: either from a Prometheus-compatible
// backend (the Query fields) or from events pushed to Accord (Stream).
type Indicator struct {
	Kind IndicatorKind `json:"kind"`
	// Stream names the pushed event stream; empty when measured by queries.
	Stream string `json:"stream,omitempty"`
	// OTLP says how OpenTelemetry spans or metrics feed Stream; nil takes
	// the spans of the service named like the stream.
	OTLP *OTLP `json:"otlp,omitempty"`
	// DataSource names the Prometheus-compatible backend for the queries;
	// empty means the default one.
	DataSource string `json:"dataSource,omitempty"`

	// Ratio: Good or Bad, with Total; or ErrorRatio alone.
	Good       *Query `json:"good,omitempty"`
	Bad        *Query `json:"bad,omitempty"`
	Total      *Query `json:"total,omitempty"`
	ErrorRatio *Query `json:"errorRatio,omitempty"`

	// Latency: a histogram's bucket series (without the le label) and the
	// threshold below which an event is good. Pushed latencies use
	// Threshold with Stream.
	Histogram *Query        `json:"histogram,omitempty"`
	Threshold time.Duration `json:"threshold,omitempty"`

	// Boolean: a gauge, good where GoodWhen holds (by default value >= 1).
	Gauge    *Query      `json:"gauge,omitempty"`
	GoodWhen *Comparison `json:"goodWhen,omitempty"`

	// External is set when Accord cannot measure the indicator: its data
	// source is of a kind Accord does not query (Datadog, CloudWatch, …)
	// or its SLI is not among the files read. The SLO still loads, is
	// listed and shown as not measured; what the spec said is kept, so
	// converting it writes it back. The query fields are then empty.
	External *External `json:"external,omitempty"`
}

// External is what a spec says about an indicator Accord cannot measure.
type External struct {
	// Kind is the data source's type as the spec wrote it, e.g. "Datadog";
	// empty when the SLI itself is missing.
	Kind string `json:"kind,omitempty"`
	// SLIRef names an SLI the files do not define.
	SLIRef string `json:"sliRef,omitempty"`
	// DataSource names the spec's data source object, if any.
	DataSource string `json:"dataSource,omitempty"`
	// Specs hold each role's source settings (good, bad, total, errorRatio,
	// gauge) as the JSON of what the spec wrote, e.g. {"query":"sum:hits{*}"}.
	Specs map[string]string `json:"specs,omitempty"`
}

// Pushed reports whether the indicator is measured from pushed events.
func (i Indicator) Pushed() bool { return i.Stream != "" }

// NotMeasured says why Accord cannot measure the indicator, e.g. "source
// kind Datadog"; empty when it can.
func (i Indicator) NotMeasured() string {
	switch {
	case i.External == nil:
		return ""
	case i.External.Kind != "":
		return "source kind " + i.External.Kind
	case i.External.SLIRef != "":
		return "SLI " + i.External.SLIRef + " is not defined"
	case i.External.DataSource != "":
		return "data source " + i.External.DataSource + " of unknown kind"
	}
	return "no data source Accord can query"
}

// Queries returns the indicator's queries by role, for checks that treat
// them alike.
func (i Indicator) Queries() map[string]*Query {
	out := map[string]*Query{}
	for role, q := range map[string]*Query{
		"good": i.Good, "bad": i.Bad, "total": i.Total, "errorRatio": i.ErrorRatio,
		"histogram": i.Histogram, "gauge": i.Gauge,
	} {
		if q != nil {
			out[role] = q
		}
	}
	return out
}

// QueryShape says how Accord turns a query into counts over a window.
type QueryShape string

// The query shapes users already write.
const (
	// ShapeTemplate is a PromQL expression with a {{.window}} placeholder
	// that already counts over the window (Sloth's style).
	ShapeTemplate QueryShape = "template"
	// ShapeCounter is a counter selector; Accord applies increase() over
	// each window itself (OpenSLO counter: true, Pyrra's metric:).
	ShapeCounter QueryShape = "counter"
	// ShapeInstant is a PromQL expression evaluated at an instant, as for
	// gauges and OpenSLO raw (counter: false) queries.
	ShapeInstant QueryShape = "instant"
)

// WindowPlaceholder is the template placeholder replaced by a window
// duration such as 5m.
const WindowPlaceholder = "{{.window}}"

// Query is a PromQL query and its shape.
type Query struct {
	Expr  string     `json:"expr"`
	Shape QueryShape `json:"shape"`
}

// DefaultGoodWhen is a boolean indicator's test when none is given: an up
// or probe gauge is good at 1.
func DefaultGoodWhen() Comparison { return Comparison{Op: OpGTE, Value: 1} }

// Comparison is a test on a sampled value.
type Comparison struct {
	Op    Op      `json:"op"`
	Value float64 `json:"value"`
}

// Op is a comparison operator, named as OpenSLO names them.
type Op string

// The comparison operators.
const (
	OpLT  Op = "lt"
	OpLTE Op = "lte"
	OpGT  Op = "gt"
	OpGTE Op = "gte"
)

// Holds reports whether v satisfies the comparison.
func (c Comparison) Holds(v float64) bool {
	switch c.Op {
	case OpLT:
		return v < c.Value
	case OpLTE:
		return v <= c.Value
	case OpGT:
		return v > c.Value
	case OpGTE:
		return v >= c.Value
	}
	return false
}

// ParseOp returns the operator named s, accepting symbols as well.
func ParseOp(s string) (Op, bool) {
	switch s {
	case "lt", "<":
		return OpLT, true
	case "lte", "le", "<=":
		return OpLTE, true
	case "gt", ">":
		return OpGT, true
	case "gte", "ge", ">=":
		return OpGTE, true
	}
	return "", false
}
