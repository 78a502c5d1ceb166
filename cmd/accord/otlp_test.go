package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/accord-slo/accord/internal/testenv"
)

const otlpServeSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: requests
      objective: 99
      window: 7d
      indicator: {ratio: {stream: shop}}
    - name: errors
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: shop-requests
          otlp:
            metric: {name: shop.requests, service: shop, bad: {outcome: failed}}
    - name: fast
      objective: 95
      window: 7d
      indicator:
        latency:
          threshold: 250ms
          stream: shop-latency
          otlp:
            metric: {name: shop.duration, service: shop, buckets: [0.1, 0.25, 0.5]}
`

// startOTLPServe runs accord serve on the OTLP spec.
func startOTLPServe(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(otlpServeSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	serve(t, bin, dir, addr)
	return addr
}

// sloCounts returns what an SLO counts at the server's last evaluation,
// and when that was.
func sloCounts(addr, id string) (good, total float64, at time.Time) {
	resp, err := http.Get("http://" + addr + "/api/v1/slos/" + id)
	if err != nil {
		return -1, -1, time.Time{}
	}
	defer resp.Body.Close()
	var v struct {
		Status struct {
			At     time.Time                     `json:"at"`
			Counts struct{ Good, Total float64 } `json:"counts"`
		} `json:"status"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		return -1, -1, time.Time{}
	}
	return v.Status.Counts.Good, v.Status.Counts.Total, v.Status.At
}

// waitSLOCounts waits for an evaluation after everything was sent (since)
// that counts data, then checks it counts exactly good of total.
func waitSLOCounts(t *testing.T, addr, id string, since time.Time, good, total float64) {
	t.Helper()
	var g, n float64
	testenv.WaitFor(t, 30*time.Second, fmt.Sprintf("%s to be evaluated after %s", id, since.Format(time.RFC3339Nano)), func() bool {
		var at time.Time
		g, n, at = sloCounts(addr, id)
		return n > 0 && at.After(since)
	})
	if g != good || n != total {
		t.Errorf("%s counts good %v of %v, want %v of %v", id, g, n, good, total)
	}
}

// TestOTLPJSONByHandCountsGood8Of10 sends ten server spans of service
// shop as OTLP/JSON, written as the specification's examples are, two of
// them with status ERROR.
func TestOTLPJSONByHandCountsGood8Of10(t *testing.T) {
	addr := startOTLPServe(t)
	end := time.Now().Add(-time.Second).UnixNano()
	var spans []string
	for i := 0; i < 10; i++ {
		status := `{}`
		if i%5 == 0 {
			status = `{"code": 2, "message": "payment declined"}`
		}
		spans = append(spans, fmt.Sprintf(`{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b1%02x",
		  "name": "POST /checkout", "kind": 2, "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
		  "attributes": [{"key": "http.request.method", "value": {"stringValue": "POST"}}], "status": %s}`, i, end-42e6, end, status))
	}
	body := `{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
	  "scopeSpans": [{"scope": {"name": "shop.http"}, "spans": [` + strings.Join(spans, ",") + `]}]}]}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/traces", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("export: %d %s %s, want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"), out)
	}
	if bytes.Contains(out, []byte("rejectedSpans")) {
		t.Errorf("answer %s refuses spans", out)
	}
	waitSLOCounts(t, addr, "shop/requests", time.Now(), 8, 10)
}

// exportSpans sends server spans of service shop through the
// OpenTelemetry SDK's OTLP/HTTP exporter (protobuf, gzip), every fifth
// one with status ERROR.
func exportSpans(t *testing.T, endpoint string, n int, opts ...otlptracehttp.Option) {
	t.Helper()
	ctx := testenv.Context(t)
	exp, err := otlptracehttp.New(ctx, append([]otlptracehttp.Option{
		otlptracehttp.WithEndpointURL("http://" + endpoint + "/v1/traces"),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithHeaders(map[string]string{"Authorization": "Bearer t0ken"}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("shop"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(exp, sdktrace.WithMaxExportBatchSize(n)))
	tracer := tp.Tracer("shop.http")
	for i := 0; i < n; i++ {
		_, span := tracer.Start(ctx, "GET /basket", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.Int("http.response.status_code", 200)))
		// A client span inside the request: not counted.
		_, inner := tracer.Start(trace.ContextWithSpan(ctx, span), "SELECT basket", trace.WithSpanKind(trace.SpanKindClient))
		inner.End()
		if i%5 == 0 {
			span.SetStatus(codes.Error, "out of stock")
		}
		span.End()
	}
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatalf("export: %v", err)
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOTLPSDKTraceExporterProtobufGzip(t *testing.T) {
	addr := startOTLPServe(t)
	exportSpans(t, addr, 50)
	waitSLOCounts(t, addr, "shop/requests", time.Now(), 40, 50)
}

// TestOTLPRetryingExporterCountsOnce puts a proxy before Accord that
// passes the first export on and then answers 503, as a gateway that lost
// Accord's answer would: the exporter sends the same spans again, and
// Accord counts them once.
func TestOTLPRetryingExporterCountsOnce(t *testing.T) {
	addr := startOTLPServe(t)
	target, _ := url.Parse("http://" + addr)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var calls atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 1 {
			proxy.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r) // Accord stores the batch ...
		if rec.Code != http.StatusOK {
			t.Errorf("first export: Accord answered %d %s", rec.Code, rec.Body)
		}
		w.Header().Set("Retry-After", "1") // ... and its answer is lost
		http.Error(w, "upstream answer lost", http.StatusServiceUnavailable)
	}))
	defer front.Close()
	exportSpans(t, strings.TrimPrefix(front.URL, "http://"), 20, otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
		Enabled: true, InitialInterval: 10 * time.Millisecond, MaxInterval: time.Second, MaxElapsedTime: 20 * time.Second}))
	if calls.Load() < 2 {
		t.Fatalf("the exporter sent %d requests, want a retry after the 503", calls.Load())
	}
	// Both exports were answered before exportSpans returned.
	waitSLOCounts(t, addr, "shop/requests", time.Now(), 16, 20)
}

// TestOTLPSDKMetricExporterProtobufGzip records a counter and a histogram
// with the OpenTelemetry SDK and exports them twice (cumulative, as the
// SDK does by default): the first export is each series' baseline, the
// second counts what happened since.
func TestOTLPSDKMetricExporterProtobufGzip(t *testing.T) {
	addr := startOTLPServe(t)
	ctx := testenv.Context(t)
	exp, err := otlpmetrichttp.New(ctx,
		otlpmetrichttp.WithEndpointURL("http://"+addr+"/v1/metrics"),
		otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression),
		otlpmetrichttp.WithHeaders(map[string]string{"Authorization": "Bearer t0ken"}))
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("shop"))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	meter := mp.Meter("shop")
	requests, err := meter.Int64Counter("shop.requests")
	if err != nil {
		t.Fatal(err)
	}
	duration, err := meter.Float64Histogram("shop.duration", metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(0.1, 0.25, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	record := func(ok, failed int, fast, slow int) {
		requests.Add(ctx, int64(ok), metric.WithAttributes(attribute.String("outcome", "ok")))
		requests.Add(ctx, int64(failed), metric.WithAttributes(attribute.String("outcome", "failed")))
		for i := 0; i < fast; i++ {
			duration.Record(ctx, 0.2)
		}
		for i := 0; i < slow; i++ {
			duration.Record(ctx, 0.3)
		}
		if err := mp.ForceFlush(ctx); err != nil {
			t.Fatalf("export: %v", err)
		}
	}
	record(95, 5, 9, 1) // baselines
	record(40, 10, 6, 4)
	waitSLOCounts(t, addr, "shop/errors", time.Now(), 40, 50)
	waitSLOCounts(t, addr, "shop/fast", time.Now(), 6, 10)
}
