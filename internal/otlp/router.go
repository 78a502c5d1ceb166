// Package otlp takes OpenTelemetry spans and metrics over OTLP/HTTP and
// turns them into the same events the NDJSON API takes: a span is one
// event, a metric point is pre-counted good and total events. The
// catalog's SLOs say which streams a service's telemetry feeds.
package otlp

import (
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// selector is an attribute and the value that picks a service.
type selector struct {
	attr, value string
}

// labelSource is a groupBy label and the attributes its value is read
// from, first found wins.
type labelSource struct {
	label string
	attrs []string
}

// stream is what every feed of one stream shares.
type stream struct {
	name   string
	labels []labelSource
	// retention is the least retention of the stream's SLOs: older events
	// would be refused.
	retention time.Duration
}

// spanFeed is one stream fed by a service's spans.
type spanFeed struct {
	*stream
	kinds       map[ptrace.SpanKind]bool
	errorStatus bool
	badCode     int64 // 0: status codes are not tested
}

// Router says which streams a service's spans and metric points feed. It
// is built from a catalog and read only.
type Router struct {
	spans map[selector][]*spanFeed
	// spanAttrs are the attributes spans are selected by, service.name
	// first when any feed uses it.
	spanAttrs []string
	metrics   map[metricKey][]*metricFeed
	// metricAttrs are the resource attributes points are selected by.
	metricAttrs []string
	// streams lists every stream that takes OTLP data, for messages.
	streams []string
}

// NewRouter returns the router for the catalog's pushed SLOs.
func NewRouter(cat slo.Catalog) *Router {
	r := &Router{spans: map[selector][]*spanFeed{}, metrics: map[metricKey][]*metricFeed{}}
	streams := map[string]*stream{}
	// otlpOf is each stream's OTLP settings: the first SLO that gives
	// them (validation makes the others agree).
	otlpOf := map[string]*slo.OTLP{}
	kindOf := map[string]slo.Indicator{}
	var order []string
	for _, s := range cat.SLOs {
		name := s.Indicator.Stream
		if name == "" {
			continue
		}
		st, ok := streams[name]
		if !ok {
			st = &stream{name: name, retention: engine.Retention(s.Window)}
			streams[name] = st
			order = append(order, name)
			kindOf[name] = s.Indicator
		}
		st.retention = min(st.retention, engine.Retention(s.Window))
		if otlpOf[name] == nil && s.Indicator.OTLP != nil {
			otlpOf[name] = s.Indicator.OTLP
			kindOf[name] = s.Indicator
		}
		for _, l := range s.GroupBy {
			if !hasLabel(st.labels, l) {
				st.labels = append(st.labels, labelSource{label: l})
			}
		}
	}
	spanAttrs := map[string]bool{}
	metricAttrs := map[string]bool{}
	for _, name := range order {
		st := streams[name]
		o := otlpOf[name]
		var mapped map[string]string
		switch {
		case o != nil && o.Metric != nil:
			mapped = o.Metric.Labels
			f := newMetricFeed(st, *o.Metric, kindOf[name])
			k := metricKey{selector{o.Metric.EffectiveAttribute(), o.Metric.EffectiveService(name)}, o.Metric.Name}
			r.metrics[k] = append(r.metrics[k], f)
			metricAttrs[k.attr] = true
		default:
			sp := slo.OTLPSpans{}
			if o != nil && o.Spans != nil {
				sp = *o.Spans
			}
			mapped = sp.Labels
			f := &spanFeed{stream: st, kinds: map[ptrace.SpanKind]bool{}, errorStatus: sp.EffectiveErrorStatus(),
				badCode: int64(sp.EffectiveBadStatusCode())}
			for _, k := range sp.EffectiveKinds() {
				f.kinds[SpanKind(k)] = true
			}
			sel := selector{sp.EffectiveAttribute(), sp.EffectiveService(name)}
			r.spans[sel] = append(r.spans[sel], f)
			spanAttrs[sel.attr] = true
		}
		for i := range st.labels {
			st.labels[i].attrs = attributesOf(st.labels[i].label, mapped)
		}
		r.streams = append(r.streams, name)
	}
	r.spanAttrs = attrOrder(spanAttrs)
	r.metricAttrs = attrOrder(metricAttrs)
	return r
}

func hasLabel(ls []labelSource, l string) bool {
	for _, x := range ls {
		if x.label == l {
			return true
		}
	}
	return false
}

// attributesOf returns the attributes a label's value is read from: the
// mapped one, or the label's own name and that name with "_" as ".".
func attributesOf(label string, mapped map[string]string) []string {
	if a, ok := mapped[label]; ok {
		return []string{a}
	}
	out := []string{label}
	if dotted := strings.ReplaceAll(label, "_", "."); dotted != label {
		out = append(out, dotted)
	}
	return out
}

// attrOrder lists attributes with service.name first: the usual one.
func attrOrder(set map[string]bool) []string {
	var out []string
	for a := range set {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == slo.DefaultServiceAttribute) != (out[j] == slo.DefaultServiceAttribute) {
			return out[i] == slo.DefaultServiceAttribute
		}
		return out[i] < out[j]
	})
	return out
}

// SpanKind returns the span kind a spec names: server, consumer, client,
// producer or internal; unspecified for any other name.
func SpanKind(name string) ptrace.SpanKind {
	switch name {
	case "server":
		return ptrace.SpanKindServer
	case "consumer":
		return ptrace.SpanKindConsumer
	case "client":
		return ptrace.SpanKindClient
	case "producer":
		return ptrace.SpanKindProducer
	case "internal":
		return ptrace.SpanKindInternal
	}
	return ptrace.SpanKindUnspecified
}

// streamHint lists the streams that take OTLP data, for a message.
func (r *Router) streamHint() string {
	if len(r.streams) == 0 {
		return "no SLO reads a stream"
	}
	names := r.streams
	if len(names) > 8 {
		names = append(names[:8:8], "…")
	}
	return "streams: " + strings.Join(names, ", ")
}
