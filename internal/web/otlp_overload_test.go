package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/web"
)

// otlpServer is Accord's server for OTLP exporters, with the statuses it
// answered the OpenTelemetry SDK's exporter in order.
type otlpServer struct {
	url      string
	engine   *engine.Engine
	registry *prometheus.Registry
	mu       sync.Mutex
	answered []int
	// onAnswer, if set, is called with each status the exporter got.
	onAnswer func(code int)
}

// codeWriter keeps the status a handler wrote.
type codeWriter struct {
	http.ResponseWriter
	code int
}

func (c *codeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *codeWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeWriter) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.ResponseWriter.Write(b)
}

// newOTLPServer serves otlpSpec on a clock at the wall clock's now, as
// the SDK stamps spans with it, within opts' limits.
func newOTLPServer(t *testing.T, opts web.Options) *otlpServer {
	t.Helper()
	e, store, clock := mustEngine(t, otlpSpec, time.Now())
	opts.Auth, opts.Registry, opts.MaxBatch = mustAuth(t, store, clock), prometheus.NewRegistry(), 10_000
	s := web.New(e, store, opts)
	s.SetReady(true)
	o := &otlpServer{engine: e, registry: opts.Registry}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &codeWriter{ResponseWriter: w}
		s.ServeHTTP(cw, r)
		if !strings.HasPrefix(r.UserAgent(), "OTel OTLP Exporter Go") {
			return
		}
		o.mu.Lock()
		o.answered = append(o.answered, cw.code)
		hook := o.onAnswer
		o.mu.Unlock()
		if hook != nil {
			hook(cw.code)
		}
	}))
	t.Cleanup(srv.Close)
	o.url = srv.URL
	return o
}

func (o *otlpServer) statuses() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int(nil), o.answered...)
}

// sdkExport exports n server spans of the service shop, every fifth with
// status ERROR, with the OpenTelemetry SDK's OTLP/HTTP trace exporter
// (protobuf, gzip) to endpoint, retrying for up to 20 s; it returns the
// export's error.
func sdkExport(t *testing.T, endpoint, token string, n int) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint+"/v1/traces"),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithHeaders(map[string]string{"Authorization": "Bearer " + token}),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: 10 * time.Millisecond,
			MaxInterval: time.Second, MaxElapsedTime: 20 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("shop"))),
		sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("shop.http")
	for i := range n {
		_, span := tracer.Start(ctx, "GET /basket", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.Int("http.response.status_code", 200), attribute.Int("item", i)))
		if i%5 == 0 {
			span.SetStatus(codes.Error, "out of stock")
		}
		span.End()
	}
	// The exporter itself, as a batch processor calls it: its error is
	// the export's, retries included.
	err = exp.ExportSpans(ctx, rec.Ended())
	_ = exp.Shutdown(ctx)
	return err
}

// holdBodyBudget starts an export whose body never comes, holding the
// whole in-flight body budget (n bytes), and waits until it does; the
// returned func lets it go, and waits until the server gave it back.
func holdBodyBudget(t *testing.T, o *otlpServer, n int) func() {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(o.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/traces HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer %s\r\nContent-Type: application/x-protobuf\r\nContent-Length: %d\r\n\r\n", token, n)
	for inflightBodyBytes(t, o.registry) != float64(n) { // the server takes it at once; no clock involved
		time.Sleep(time.Millisecond)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			conn.Close()
			for inflightBodyBytes(t, o.registry) != 0 {
				time.Sleep(time.Millisecond)
			}
		})
	}
	t.Cleanup(release)
	return release
}

func inflightBodyBytes(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "accord_http_inflight_body_bytes" {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no accord_http_inflight_body_bytes")
	return 0
}

// TestOTLPExporterRetriesWhenAccordShedsLoad: while other bodies hold the
// in-flight budget, an export is answered 429 with Retry-After, which the
// OpenTelemetry SDK's exporter waits out and sends again, and its spans
// count once.
func TestOTLPExporterRetriesWhenAccordShedsLoad(t *testing.T) {
	const budget = 1 << 20
	// A body may trickle for the whole read timeout: the one holding the
	// budget is cut off by nothing but the test.
	o := newOTLPServer(t, web.Options{MaxBodyBytes: budget, MaxInflightBytes: budget, InflightWait: 20 * time.Millisecond, MinReadRate: 1})
	release := holdBodyBudget(t, o, budget)
	o.onAnswer = func(code int) {
		if code == http.StatusTooManyRequests {
			go release() // the load passes, while the exporter waits out Retry-After
		}
	}
	if err := sdkExport(t, o.url, token, 50); err != nil {
		t.Fatalf("the export failed: %v (Accord answered %v)", err, o.statuses())
	}
	if got := o.statuses(); len(got) != 2 || got[0] != http.StatusTooManyRequests || got[1] != http.StatusOK {
		t.Fatalf("Accord answered the exporter %v, want 429 then 200", got)
	}
	if good, total := newFixtureOf(o).counts(t, "shop/requests"); good != 40 || total != 50 {
		t.Fatalf("shop/requests counts %v good of %v, want 40 of 50: the retry counted once", good, total)
	}
}

// TestOTLPExporterRetriesASlowBody: an export whose body trickles in
// slower than the minimum read rate (a congested network) is answered
// 503 with Retry-After, not 400, so the exporter sends it again.
func TestOTLPExporterRetriesASlowBody(t *testing.T) {
	o := newOTLPServer(t, web.Options{MinReadRate: 1 << 20}) // 16 KiB within 16 ms
	proxy := trickleFirstConnection(t, strings.TrimPrefix(o.url, "http://"))
	if err := sdkExport(t, "http://"+proxy, token, 50); err != nil {
		t.Fatalf("the export failed: %v (Accord answered %v)", err, o.statuses())
	}
	// The retries come at full speed; on a machine too busy to read
	// even those within the rate, more than one may be cut off too.
	got := o.statuses()
	if len(got) < 2 || got[0] != http.StatusServiceUnavailable || got[len(got)-1] != http.StatusOK ||
		slices.ContainsFunc(got[:len(got)-1], func(c int) bool { return c != http.StatusServiceUnavailable }) {
		t.Fatalf("Accord answered the exporter %v, want 503 (the slow body), then 200", got)
	}
	if good, total := newFixtureOf(o).counts(t, "shop/requests"); good != 40 || total != 50 {
		t.Fatalf("shop/requests counts %v good of %v, want 40 of 50", good, total)
	}
}

// TestOTLPExporterGivesUpOnWhatARetryCannotMend: a batch over the body
// limit (413) and a wrong token (401) are answered once; the exporter
// does not send them again, and reports the failure.
func TestOTLPExporterGivesUpOnWhatARetryCannotMend(t *testing.T) {
	for _, c := range []struct {
		name, token string
		maxBody     int64
		want        int
	}{
		{"too large", token, 2 << 10, http.StatusRequestEntityTooLarge},
		{"wrong token", "not-the-token", 0, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := newOTLPServer(t, web.Options{MaxBodyBytes: c.maxBody})
			err := sdkExport(t, o.url, c.token, 500)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprint(c.want)) {
				t.Errorf("the export: %v, want a failure with %d", err, c.want)
			}
			if got := o.statuses(); len(got) != 1 || got[0] != c.want {
				t.Errorf("Accord answered the exporter %v, want one %d and no retry", got, c.want)
			}
		})
	}
}

// newFixtureOf reads an otlpServer's counts as the other OTLP tests do.
func newFixtureOf(o *otlpServer) *fixture { return &fixture{engine: o.engine} }

// trickleFirstConnection runs a proxy to addr that passes the first
// connection's request on 64 bytes every 20 ms, and later connections
// at full speed; it returns the proxy's address.
func trickleFirstConnection(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for first := true; ; first = false {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", addr)
			if err != nil {
				client.Close()
				return
			}
			go func(slow bool) {
				defer client.Close()
				defer server.Close()
				go func() {
					if !slow {
						_, _ = io.Copy(server, client)
						return
					}
					// Read the client's request at once, so it is sent
					// whole and waits for the answer; pass it on slowly.
					pending := make(chan []byte, 1024)
					go func() {
						defer close(pending)
						buf := make([]byte, 64)
						for {
							n, err := client.Read(buf)
							if n > 0 {
								pending <- bytes.Clone(buf[:n])
							}
							if err != nil {
								return
							}
						}
					}()
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for b := range pending {
						<-tick.C
						if _, err := server.Write(b); err != nil {
							return
						}
					}
				}()
				_, _ = io.Copy(client, server) // the answer, until Accord closes
			}(first)
		}
	}()
	return ln.Addr().String()
}

// TestOTLPRefusalsAreStatusMessagesInTheRequestsEncoding asks for each
// refusal outside the receiver in both encodings: the body is a
// google.rpc.Status of the request's Content-Type, and what may be sent
// again says when.
func TestOTLPRefusalsAreStatusMessagesInTheRequestsEncoding(t *testing.T) {
	const budget = 4 << 10
	o := newOTLPServer(t, web.Options{MaxBodyBytes: budget, MaxInflightBytes: budget, InflightWait: 20 * time.Millisecond})
	send := func(contentType, auth string, body io.Reader, length int64) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, o.url+"/v1/traces", body)
		req.ContentLength = length
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, ct := range []string{"application/x-protobuf", "application/json"} {
		cases := []struct {
			name       string
			resp       func() *http.Response
			want       int
			retryAfter bool
		}{
			{"over the body limit", func() *http.Response {
				return send(ct, "Bearer "+token, bytes.NewReader(make([]byte, budget+1)), budget+1)
			}, http.StatusRequestEntityTooLarge, false},
			{"no token", func() *http.Response { return send(ct, "", strings.NewReader("{}"), 2) }, http.StatusUnauthorized, false},
			{"the body budget in use", func() *http.Response {
				release := holdBodyBudget(t, o, budget)
				defer release()
				return send(ct, "Bearer "+token, strings.NewReader("{}"), 2)
			}, http.StatusTooManyRequests, true},
		}
		for _, c := range cases {
			resp := c.resp()
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var st status.Status
			var err error
			if ct == "application/json" {
				err = protojson.Unmarshal(body, &st)
			} else {
				err = proto.Unmarshal(body, &st)
			}
			if resp.StatusCode != c.want || resp.Header.Get("Content-Type") != ct || err != nil || st.GetCode() == 0 || st.GetMessage() == "" {
				t.Errorf("%s, %s: %d %s %q (%v): want %d with a google.rpc.Status of that type", c.name, ct, resp.StatusCode,
					resp.Header.Get("Content-Type"), body, err, c.want)
			}
			if got := resp.Header.Get("Retry-After") != ""; got != c.retryAfter {
				t.Errorf("%s, %s: Retry-After %q, want one: %v", c.name, ct, resp.Header.Get("Retry-After"), c.retryAfter)
			}
		}
	}
}
