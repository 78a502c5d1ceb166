package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/accord-slo/accord/internal/testenv"
	"github.com/accord-slo/accord/internal/web"
)

// The OTLP benchmarks' shape: services, routes per service, and spans or
// points per request.
const (
	benchServices = 20
	benchRoutes   = 10
	benchBatch    = 1000
)

var benchNow = time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)

// otlpBenchSpec has, per service, a grouped ratio and a latency SLO on
// its spans and a ratio SLO on its request counter.
func otlpBenchSpec() string {
	var b strings.Builder
	for s := 0; s < benchServices; s++ {
		fmt.Fprintf(&b, `---
apiVersion: accord/v1
kind: Service
metadata: {name: svc%[1]d}
spec:
  owners: {team: t}
  slos:
    - {name: ok, objective: 99, window: 7d, groupBy: [http_route], indicator: {ratio: {stream: svc%[1]d}}}
    - {name: fast, objective: 95, window: 7d, indicator: {latency: {stream: svc%[1]d, threshold: 300ms}}}
    - name: counted
      objective: 99
      window: 7d
      groupBy: [http_route]
      indicator: {ratio: {stream: svc%[1]d-requests, otlp: {metric: {name: requests, service: svc%[1]d, bad: {code: '5..'}}}}}
`, s)
	}
	return b.String()
}

// benchSpan is the k-th request's i-th span: its service, route, end,
// latency and outcome, the same in every encoding.
func benchSpan(k, i int) (service, route string, end time.Time, ms int, bad bool) {
	return fmt.Sprintf("svc%d", i%benchServices), fmt.Sprintf("/r%d", (i/benchServices)%benchRoutes),
		benchNow.Add(-time.Duration((k*7+i)%3600) * time.Second), 20 + (k+i)%500, (k+i)%50 == 0
}

// spanBodies returns request k's spans as OTLP protobuf and as NDJSON.
func spanBodies(k int) (otlp, ndjson []byte) {
	td := ptrace.NewTraces()
	spans := map[string]ptrace.SpanSlice{}
	var nd bytes.Buffer
	for i := 0; i < benchBatch; i++ {
		service, route, end, ms, bad := benchSpan(k, i)
		ss, ok := spans[service]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", service)
			ss = rs.ScopeSpans().AppendEmpty().Spans()
			spans[service] = ss
		}
		sp := ss.AppendEmpty()
		sp.SetTraceID([16]byte{byte(k >> 16), byte(k >> 8), byte(k), byte(i >> 8), byte(i)})
		sp.SetSpanID([8]byte{1, byte(k >> 8), byte(k), byte(i >> 8), byte(i)})
		sp.SetName("GET " + route)
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-time.Duration(ms) * time.Millisecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
		sp.Attributes().PutStr("http.route", route)
		sp.Attributes().PutInt("http.response.status_code", 200)
		outcome := "good"
		if bad {
			sp.Status().SetCode(ptrace.StatusCodeError)
			outcome = "bad"
		}
		fmt.Fprintf(&nd, `{"stream":%q,"time":%q,"labels":{"http_route":%q},"outcome":%q,"latency_ms":%d}`+"\n",
			service, end.Format(time.RFC3339Nano), route, outcome, ms)
	}
	pb, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	return pb, nd.Bytes()
}

// pointBodies returns request k's points (k from 1): one cumulative point
// of every series of the request counter, and as NDJSON the counts they
// add since request k-1 (request 0 is the baseline).
func pointBodies(k int) (otlp, ndjson []byte) {
	md := pmetric.NewMetrics()
	at := benchNow.Add(-2*time.Hour + time.Duration(k)*time.Second)
	var nd bytes.Buffer
	perService := benchBatch / benchServices
	for s := 0; s < benchServices; s++ {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc%d", s))
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("requests")
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for j := 0; j < perService; j++ {
			route, code := fmt.Sprintf("/r%d", j%benchRoutes), 200+100*(j/benchRoutes)
			step := int64(1 + (s+j)%7) // requests per second of this series
			pt := sum.DataPoints().AppendEmpty()
			pt.Attributes().PutStr("http.route", route)
			pt.Attributes().PutInt("code", int64(code))
			pt.SetStartTimestamp(pcommon.NewTimestampFromTime(benchNow.Add(-3 * time.Hour)))
			pt.SetTimestamp(pcommon.NewTimestampFromTime(at))
			pt.SetIntValue(step * int64(k))
			good := step
			if code >= 500 {
				good = 0
			}
			fmt.Fprintf(&nd, `{"stream":"svc%d-requests","time":%q,"labels":{"http_route":%q},"good":%d,"total":%d}`+"\n",
				s, at.Format(time.RFC3339), route, good, step)
		}
	}
	pb, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		panic(err)
	}
	return pb, nd.Bytes()
}

// BenchmarkOTLPIngest sends the same events as OTLP protobuf spans and
// metric points and as NDJSON, in requests of 1,000 over HTTP to a server
// storing them durably (SQLite): 20 services, 10 routes each, span ends
// spread over an hour, every request's body distinct. It reports spans,
// points or events per second.
func BenchmarkOTLPIngest(b *testing.B) {
	cases := []struct {
		name, path, contentType, unit string
		// body returns request k's body; ordered says the requests must
		// arrive in order (cumulative points).
		body    func(k int) []byte
		ordered bool
	}{
		{"spans-otlp-protobuf", "/v1/traces", "application/x-protobuf", "spans/s", func(k int) []byte { pb, _ := spanBodies(k); return pb }, false},
		{"spans-as-ndjson", "/api/v1/events", "application/x-ndjson", "events/s", func(k int) []byte { _, nd := spanBodies(k); return nd }, false},
		{"points-otlp-protobuf", "/v1/metrics", "application/x-protobuf", "points/s", func(k int) []byte { pb, _ := pointBodies(k); return pb }, true},
		{"points-as-ndjson", "/api/v1/events", "application/x-ndjson", "events/s", func(k int) []byte { _, nd := pointBodies(k + 1); return nd }, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e, store, _ := mustEngine(b, otlpBenchSpec(), benchNow)
			srv := httptest.NewServer(web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock())}))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			post := func(body []byte) {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+c.path, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", c.contentType)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					b.Errorf("status %d", resp.StatusCode)
				}
			}
			if c.ordered {
				post(c.body(0)) // the baselines
			}
			bodies := make([][]byte, b.N)
			for k := range bodies {
				bodies[k] = c.body(k + 1)
			}
			var next atomic.Int64
			cpu := testenv.ProcessCPU()
			b.ResetTimer()
			if c.ordered {
				// Each series' points in order, as one exporter sends them.
				for _, body := range bodies {
					post(body)
				}
			} else {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						post(bodies[next.Add(1)-1])
					}
				})
			}
			b.StopTimer()
			perBatch := (testenv.ProcessCPU() - cpu).Seconds() / float64(b.N)
			b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), c.unit)
			b.ReportMetric(perBatch*1000, "cpu-ms/batch")
			// What two cores give when the process has them to itself: the
			// client's encoding shares this process, so it is a floor.
			b.ReportMetric(2*benchBatch/perBatch, strings.Replace(c.unit, "/s", "/s-2cores", 1))
		})
	}
}
