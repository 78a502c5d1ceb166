package otlp

import (
	"hash/maphash"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/accord-slo/accord/internal/slo"
)

var fuzzCatalog = slo.Catalog{SLOs: []slo.SLO{
	{Name: "requests", Service: "shop", GroupBy: []string{"http_route"}, Window: slo.Window{Rolling: time.Hour},
		Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: "shop"}},
	{Name: "errors", Service: "shop", Window: slo.Window{Rolling: time.Hour},
		Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: "shop-requests", OTLP: &slo.OTLP{Metric: &slo.OTLPMetric{
			OTLPSelector: slo.OTLPSelector{Service: "shop"}, Name: "requests", Bad: map[string]string{"code": "5.."}}}}},
	{Name: "fast", Service: "shop", Window: slo.Window{Rolling: time.Hour},
		Indicator: slo.Indicator{Kind: slo.KindLatency, Stream: "shop-latency", Threshold: 250 * time.Millisecond, OTLP: &slo.OTLP{Metric: &slo.OTLPMetric{
			OTLPSelector: slo.OTLPSelector{Service: "shop"}, Name: "duration", Buckets: []float64{0.25}, Scale: new(int)}}}},
}}

// FuzzExports feeds whatever decodes as an OTLP export through the
// router: it must never panic, and every event must be of an item.
func FuzzExports(f *testing.F) {
	f.Add([]byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","kind":2,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}`))
	f.Add([]byte(`{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeMetrics":[{"metrics":[{"name":"duration","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"timeUnixNano":"3","count":"2","scale":40,"positive":{"offset":-5,"bucketCounts":["1","1"]}}]}}]}]}]}`))
	f.Add([]byte{0x0a, 0x02, 0x0a, 0x00})
	r := NewRouter(fuzzCatalog)
	now := time.Unix(0, 0).Add(time.Minute)
	seed := maphash.MakeSeed()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, json := range []bool{true, false} {
			tr := ptraceotlp.NewExportRequest()
			var err error
			if json {
				err = tr.UnmarshalJSON(data)
			} else {
				err = tr.UnmarshalProto(data)
			}
			if err == nil {
				checkBatch(t, r.Spans(tr.Traces(), now))
			}
			mr := pmetricotlp.NewExportRequest()
			if json {
				err = mr.UnmarshalJSON(data)
			} else {
				err = mr.UnmarshalProto(data)
			}
			if err == nil {
				b := r.Metrics(mr.Metrics(), now, func(pointSeries) (reading, bool) { return reading{}, false }, seed)
				checkBatch(t, b.batch)
			}
		}
	})
}

func checkBatch(t *testing.T, b *batch) {
	t.Helper()
	if len(b.events) != len(b.item) {
		t.Fatalf("%d events for %d items", len(b.events), len(b.item))
	}
	for i, it := range b.item {
		if it < 0 || it >= len(b.keys) {
			t.Fatalf("event %d of item %d, of %d items", i, it, len(b.keys))
		}
		ev := b.events[i]
		if ev.Total != nil && (*ev.Total < 0 || *ev.Good > *ev.Total) {
			t.Fatalf("event %d counts good %v of %v", i, *ev.Good, *ev.Total)
		}
	}
}
