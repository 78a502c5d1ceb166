package otlp

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/accord-slo/accord/internal/engine"
)

// Attributes holding a server span's HTTP status code: the stable
// semantic convention's, then the older one's.
var statusCodeAttrs = []string{"http.response.status_code", "http.status_code"}

// SpanKey identifies a span across resends: its trace and span id.
type SpanKey [24]byte

// batch is a request's events and the items (spans or points) they came
// from: an item is one or more events (one per stream it feeds), or
// rejected with a reason.
type batch struct {
	events []engine.Event
	// item is each event's item, an index into keys.
	item []int
	// keys identify each item for resends; an item with no key (a point
	// of a cumulative series, counted by difference) has the zero key.
	keys []SpanKey
	// rejected holds why items were refused, by item.
	rejected map[int]string
}

func (b *batch) reject(item int, why string) {
	if b.rejected == nil {
		b.rejected = map[int]string{}
	}
	if _, ok := b.rejected[item]; !ok {
		b.rejected[item] = why
	}
}

// Spans turns the spans that feed a stream into events, one per span and
// stream, stamped at the span's end. Spans of kinds no feed counts are
// skipped; spans of services no SLO reads are refused.
func (r *Router) Spans(td ptrace.Traces, now time.Time) *batch {
	b := &batch{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		res := rs.Resource().Attributes()
		resFeeds, resService := r.spanFeedsOf(res)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				feeds, service := resFeeds, resService
				if feeds == nil && len(r.spanAttrs) > 0 {
					// The attribute may be the span's own.
					if f, s := r.spanFeedsOf(sp.Attributes()); f != nil {
						feeds, service = f, s
					} else if service == "" {
						service = s
					}
				}
				r.span(b, sp, res, feeds, service, now)
			}
		}
	}
	return b
}

// spanFeedsOf returns the feeds the attributes select, and the service
// they name (for a message when there is none).
func (r *Router) spanFeedsOf(attrs pcommon.Map) ([]*spanFeed, string) {
	service := ""
	for _, a := range r.spanAttrs {
		v, ok := attrs.Get(a)
		if !ok {
			continue
		}
		s := v.AsString()
		if f := r.spans[selector{a, s}]; f != nil {
			return f, s
		}
		if service == "" {
			service = s
		}
	}
	if service == "" {
		if v, ok := attrs.Get("service.name"); ok {
			service = v.AsString()
		}
	}
	return nil, service
}

// span adds a span's events to b.
func (r *Router) span(b *batch, sp ptrace.Span, res pcommon.Map, feeds []*spanFeed, service string, now time.Time) {
	kind := sp.Kind()
	counted := false
	for _, f := range feeds {
		counted = counted || f.kinds[kind]
	}
	if !counted {
		if feeds == nil && (kind == ptrace.SpanKindServer || kind == ptrace.SpanKindConsumer) {
			item := len(b.keys)
			b.keys = append(b.keys, keyOf(sp))
			if service == "" {
				b.reject(item, "a span without service.name feeds no stream")
			} else {
				b.reject(item, fmt.Sprintf("no SLO reads the spans of service %q (%s)", service, r.streamHint()))
			}
		}
		return // a span inside a service, or of a kind no feed counts
	}
	item := len(b.keys)
	b.keys = append(b.keys, keyOf(sp))
	start, end := sp.StartTimestamp(), sp.EndTimestamp()
	switch {
	case end == 0:
		b.reject(item, "a span without an end time")
		return
	case end < start:
		b.reject(item, "a span that ends before it starts")
		return
	}
	t := end.AsTime()
	if t.After(now.Add(engine.MaxFutureSkew)) {
		b.reject(item, fmt.Sprintf("span ends at %s, in the future", t.Format(time.RFC3339)))
		return
	}
	latency := float64(end-start) / float64(time.Millisecond)
	errored := sp.Status().Code() == ptrace.StatusCodeError
	code := int64(0)
	if kind == ptrace.SpanKindServer {
		code = statusCode(sp.Attributes())
	}
	for _, f := range feeds {
		if !f.kinds[kind] {
			continue
		}
		if now.Sub(t) > f.retention {
			b.reject(item, fmt.Sprintf("span ended at %s, older than stream %s's SLO windows", t.Format(time.RFC3339), f.name))
			continue
		}
		bad := (f.errorStatus && errored) || (f.badCode > 0 && code >= f.badCode)
		ev := engine.Event{Stream: f.name, Time: t, Outcome: "good", LatencyMS: &latency}
		if bad {
			ev.Outcome = "bad"
		}
		if len(f.labels) > 0 {
			ev.Labels = labelsOf(f.labels, sp.Attributes(), res)
		}
		b.events = append(b.events, ev)
		b.item = append(b.item, item)
	}
}

func keyOf(sp ptrace.Span) SpanKey {
	var k SpanKey
	tid, sid := sp.TraceID(), sp.SpanID()
	copy(k[:16], tid[:])
	copy(k[16:], sid[:])
	return k
}

// statusCode returns a span's HTTP status code, 0 when it has none.
func statusCode(attrs pcommon.Map) int64 {
	for _, a := range statusCodeAttrs {
		v, ok := attrs.Get(a)
		if !ok {
			continue
		}
		switch v.Type() {
		case pcommon.ValueTypeInt:
			return v.Int()
		case pcommon.ValueTypeStr:
			var n int64
			if _, err := fmt.Sscan(v.Str(), &n); err == nil {
				return n
			}
		case pcommon.ValueTypeDouble:
			return int64(v.Double())
		}
	}
	return 0
}

// labelsOf reads a stream's labels from the item's attributes, then its
// resource's. A label with no value is left out: the engine names it.
func labelsOf(ls []labelSource, attrs, res pcommon.Map) map[string]string {
	out := make(map[string]string, len(ls))
	for _, l := range ls {
		for _, a := range l.attrs {
			if v, ok := attrs.Get(a); ok {
				out[l.label] = v.AsString()
				break
			}
			if v, ok := res.Get(a); ok {
				out[l.label] = v.AsString()
				break
			}
		}
	}
	return out
}
