package web_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/accord-slo/accord/internal/web"
)

const otlpMetricsSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: errors
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: shop-requests
          otlp:
            metric: {name: http.server.requests, service: shop, bad: {http.response.status_code: '5..'}}
    - name: fast
      objective: 95
      window: 7d
      indicator:
        latency:
          threshold: 250ms
          stream: shop-latency
          otlp:
            metric: {name: http.server.request.duration, service: shop, buckets: [0.1, 0.25, 0.5]}
    - name: fast-rpc
      objective: 95
      window: 7d
      indicator:
        latency:
          threshold: 250ms
          stream: shop-rpc
          otlp:
            metric: {name: rpc.server.duration, service: shop, scale: 3}
`

func newOTLPMetricsFixture(t *testing.T) *fixture {
	t.Helper()
	e, store, clock := mustEngine(t, otlpMetricsSpec, otlpNow)
	s := web.New(e, store, web.Options{Auth: mustAuth(t, store, clock), MaxBodyBytes: 1 << 20, MaxBatch: 100})
	s.SetReady(true)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, engine: e, clock: clock}
}

// metricsOf returns an export of service shop's metrics, one metric added
// by each function.
func metricsOf(add ...func(ms pmetric.MetricSlice)) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "shop")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	for _, f := range add {
		f(ms)
	}
	return md
}

var (
	seriesStart = pcommon.NewTimestampFromTime(otlpNow.Add(-time.Hour))
	pointAt     = func(ago time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(otlpNow.Add(-ago)) }
)

// requestCounter adds http.server.requests: a monotonic cumulative sum,
// one point per status code with its value.
func requestCounter(start, at pcommon.Timestamp, byCode map[int]int64) func(pmetric.MetricSlice) {
	return func(ms pmetric.MetricSlice) {
		m := ms.AppendEmpty()
		m.SetName("http.server.requests")
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for code, v := range byCode {
			pt := s.DataPoints().AppendEmpty()
			pt.Attributes().PutInt("http.response.status_code", int64(code))
			pt.SetStartTimestamp(start)
			pt.SetTimestamp(at)
			pt.SetIntValue(v)
		}
	}
}

func (f *fixture) exportMetrics(t *testing.T, md pmetric.Metrics) pmetricotlp.ExportResponse {
	t.Helper()
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	code, _, out := f.export(t, "/v1/metrics", "application/x-protobuf", "", "Bearer "+token, body)
	if code != http.StatusOK {
		t.Fatalf("export: %d %s", code, out)
	}
	resp := pmetricotlp.NewExportResponse()
	if err := resp.UnmarshalProto(out); err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestOTLPCumulativeSumsCountDifferencesFromABaseline(t *testing.T) {
	f := newOTLPMetricsFixture(t)
	steps := []struct {
		name        string
		start       pcommon.Timestamp
		ago         time.Duration
		ok, errs    int64
		good, total float64
	}{
		{"the first point is a baseline, not a burst", seriesStart, 50 * time.Minute, 1000, 10, 0, 0},
		{"the next counts the difference", seriesStart, 40 * time.Minute, 1090, 20, 90, 100},
		{"a point sent again counts once", seriesStart, 40 * time.Minute, 1090, 20, 90, 100},
		{"a reset (lower values) is a new baseline", seriesStart, 30 * time.Minute, 5, 1, 90, 100},
		{"counting goes on from it", seriesStart, 20 * time.Minute, 15, 1, 100, 110},
		{"a new start time is a new baseline", pointAt(15 * time.Minute), 10 * time.Minute, 500, 500, 100, 110},
		{"and counting goes on", pointAt(15 * time.Minute), 5 * time.Minute, 510, 510, 110, 130},
	}
	for _, s := range steps {
		resp := f.exportMetrics(t, metricsOf(requestCounter(s.start, pointAt(s.ago), map[int]int64{200: s.ok, 503: s.errs})))
		if n := resp.PartialSuccess().RejectedDataPoints(); n != 0 {
			t.Fatalf("%s: %d points refused: %s", s.name, n, resp.PartialSuccess().ErrorMessage())
		}
		if good, total := f.counts(t, "shop/errors"); good != s.good || total != s.total {
			t.Errorf("%s: shop/errors counts good %v of %v, want %v of %v", s.name, good, total, s.good, s.total)
		}
	}
}

func TestOTLPDeltaSumsCountEachPointOnce(t *testing.T) {
	f := newOTLPMetricsFixture(t)
	delta := func(ago time.Duration, ok, errs int64) func(pmetric.MetricSlice) {
		return func(ms pmetric.MetricSlice) {
			requestCounter(pointAt(ago+time.Minute), pointAt(ago), map[int]int64{200: ok, 500: errs})(ms)
			ms.At(ms.Len() - 1).Sum().SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		}
	}
	f.exportMetrics(t, metricsOf(delta(3*time.Minute, 40, 2)))
	f.exportMetrics(t, metricsOf(delta(2*time.Minute, 50, 8)))
	f.exportMetrics(t, metricsOf(delta(2*time.Minute, 50, 8))) // resent
	if good, total := f.counts(t, "shop/errors"); good != 90 || total != 100 {
		t.Errorf("shop/errors counts good %v of %v, want 90 of 100", good, total)
	}
}

// durationHistogram adds http.server.request.duration, cumulative, in
// seconds, with the given bounds and counts.
func durationHistogram(at pcommon.Timestamp, bounds []float64, counts []uint64) func(pmetric.MetricSlice) {
	return func(ms pmetric.MetricSlice) {
		m := ms.AppendEmpty()
		m.SetName("http.server.request.duration")
		m.SetUnit("s")
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		pt := h.DataPoints().AppendEmpty()
		pt.SetStartTimestamp(seriesStart)
		pt.SetTimestamp(at)
		pt.ExplicitBounds().FromRaw(bounds)
		pt.BucketCounts().FromRaw(counts)
		var n uint64
		for _, c := range counts {
			n += c
		}
		pt.SetCount(n)
	}
}

func TestOTLPExplicitHistogramsCountUpToTheThresholdBound(t *testing.T) {
	f := newOTLPMetricsFixture(t)
	bounds := []float64{0.1, 0.25, 0.5}
	f.exportMetrics(t, metricsOf(durationHistogram(pointAt(3*time.Minute), bounds, []uint64{10, 10, 10, 10})))
	// Since then: 5 under 100ms, 3 from 100 to 250ms, 2 slower.
	f.exportMetrics(t, metricsOf(durationHistogram(pointAt(2*time.Minute), bounds, []uint64{15, 13, 11, 11})))
	if good, total := f.counts(t, "shop/fast"); good != 8 || total != 10 {
		t.Errorf("shop/fast counts good %v of %v, want 8 of 10", good, total)
	}
	// A histogram whose bounds do not hold the threshold is refused, with
	// the bounds around it; never rounded.
	resp := f.exportMetrics(t, metricsOf(durationHistogram(pointAt(time.Minute), []float64{0.1, 0.3, 0.5}, []uint64{20, 20, 20, 20})))
	ps := resp.PartialSuccess()
	if ps.RejectedDataPoints() != 1 || !strings.Contains(ps.ErrorMessage(), "between the bucket bounds 100ms and 300ms") {
		t.Errorf("partial success %d %q: want the point refused naming 100ms and 300ms", ps.RejectedDataPoints(), ps.ErrorMessage())
	}
	if good, total := f.counts(t, "shop/fast"); good != 8 || total != 10 {
		t.Errorf("after the refused point shop/fast counts good %v of %v, want still 8 of 10", good, total)
	}
}

func TestOTLPExponentialHistogramsAndRefusedKinds(t *testing.T) {
	f := newOTLPMetricsFixture(t)
	// At scale 3 a bucket bound is 2^(i/8): 250ms is 2^-2, the upper
	// bound of bucket -17. Delta points: each counts as it is.
	expo := func(ago time.Duration, scale int32, offset int32, counts []uint64) func(pmetric.MetricSlice) {
		return func(ms pmetric.MetricSlice) {
			m := ms.AppendEmpty()
			m.SetName("rpc.server.duration")
			h := m.SetEmptyExponentialHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
			pt := h.DataPoints().AppendEmpty()
			pt.SetStartTimestamp(pointAt(ago + time.Minute))
			pt.SetTimestamp(pointAt(ago))
			pt.SetScale(scale)
			pt.SetZeroCount(1)
			pt.Positive().SetOffset(offset)
			pt.Positive().BucketCounts().FromRaw(counts)
			n := uint64(1)
			for _, c := range counts {
				n += c
			}
			pt.SetCount(n)
		}
	}
	gauge := func(ms pmetric.MetricSlice) {
		m := ms.AppendEmpty()
		m.SetName("http.server.requests")
		pt := m.SetEmptyGauge().DataPoints().AppendEmpty()
		pt.SetTimestamp(pointAt(time.Minute))
		pt.SetIntValue(3)
	}
	// Buckets -18, -17 (good: up to 250ms), -16, -15 (slow), and the zero
	// bucket (good).
	resp := f.exportMetrics(t, metricsOf(expo(2*time.Minute, 3, -18, []uint64{4, 5, 6, 7}),
		expo(time.Minute, -2, -1, []uint64{1}), gauge))
	ps := resp.PartialSuccess()
	if ps.RejectedDataPoints() != 2 || !strings.Contains(ps.ErrorMessage(), "at scale -2") || !strings.Contains(ps.ErrorMessage(), "is a gauge") {
		t.Errorf("partial success %d %q: want the scale -2 point and the gauge refused", ps.RejectedDataPoints(), ps.ErrorMessage())
	}
	if good, total := f.counts(t, "shop/fast-rpc"); good != 10 || total != 23 {
		t.Errorf("shop/fast-rpc counts good %v of %v, want 10 of 23", good, total)
	}
}

func TestOTLPMetricsAsJSONByHand(t *testing.T) {
	f := newOTLPMetricsFixture(t)
	point := func(ago time.Duration, v int) string {
		return `{"attributes":[{"key":"http.response.status_code","value":{"intValue":"500"}}],"startTimeUnixNano":"` +
			itoa(otlpNow.Add(-ago-time.Minute).UnixNano()) + `","timeUnixNano":"` + itoa(otlpNow.Add(-ago).UnixNano()) + `","asInt":"` + itoa(int64(v)) + `"}`
	}
	body := `{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
	  "scopeMetrics":[{"metrics":[{"name":"http.server.requests","unit":"{request}",
	    "sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[` + point(2*time.Minute, 3) + `,` + point(time.Minute, 4) + `]}},
	   {"name":"process.cpu.time","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asDouble":1.5}]}}]}]}]}`
	code, _, out := f.export(t, "/v1/metrics", "application/json", "", "Bearer "+token, []byte(body))
	if code != http.StatusOK || strings.Contains(string(out), "rejected") {
		t.Fatalf("export: %d %s, want 200 refusing nothing (metrics no SLO reads are skipped)", code, out)
	}
	if good, total := f.counts(t, "shop/errors"); good != 0 || total != 7 {
		t.Errorf("shop/errors counts good %v of %v, want 0 of 7", good, total)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
