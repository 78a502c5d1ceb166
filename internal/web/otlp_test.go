package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/accord-slo/accord/internal/web"
)

const otlpSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: requests
      objective: 99
      window: 7d
      indicator: {ratio: {stream: shop}}
    - name: fast
      objective: 95
      window: 7d
      indicator: {latency: {stream: shop, threshold: 300ms}}
    - name: routes
      objective: 99
      window: 7d
      indicator: {ratio: {stream: tills}}
      groupBy: [store, http_route]
    - name: strict
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: shop-strict
          otlp: {spans: {service: shop, kinds: [server], badStatusCode: 400}}
`

var otlpNow = time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC)

func newOTLPFixture(t *testing.T, maxBody int64) *fixture {
	t.Helper()
	e, store, clock := mustEngine(t, otlpSpec, otlpNow)
	s := web.New(e, store, web.Options{Auth: mustAuth(t, store, clock), MaxBodyBytes: maxBody, MaxBatch: 100})
	s.SetReady(true)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, engine: e, clock: clock}
}

// jsonSpan is a span as the OTLP/JSON examples write it.
type jsonSpan struct {
	traceID, spanID string
	kind            int // 2 server, 3 client, 5 consumer
	ms              int // duration
	status          int // 2 is ERROR
	attrs           string
}

// tracesJSON is an OTLP/JSON export of spans of one service, each ending
// a second before otlpNow.
func tracesJSON(service string, spans []jsonSpan) string {
	end := otlpNow.Add(-time.Second).UnixNano()
	var ss []string
	for _, s := range spans {
		status := ""
		if s.status != 0 {
			status = fmt.Sprintf(`,"status":{"code":%d}`, s.status)
		}
		attrs := ""
		if s.attrs != "" {
			attrs = `,"attributes":[` + s.attrs + `]`
		}
		ss = append(ss, fmt.Sprintf(`{"traceId":%q,"spanId":%q,"name":"GET /","kind":%d,"startTimeUnixNano":"%d","endTimeUnixNano":"%d"%s%s}`,
			s.traceID, s.spanID, s.kind, end-int64(s.ms)*1e6, end, status, attrs))
	}
	return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` + service +
		`"}}]},"scopeSpans":[{"scope":{"name":"test"},"spans":[` + strings.Join(ss, ",") + `]}]}]}`
}

// serverSpans returns n server spans, each 100ms, of distinct ids; the
// first bad ones have status ERROR.
func serverSpans(n, bad int, salt byte) []jsonSpan {
	var out []jsonSpan
	for i := 0; i < n; i++ {
		s := jsonSpan{traceID: fmt.Sprintf("5b8efff798038103d269b633813fc6%02x", salt), spanID: fmt.Sprintf("eee19b7ec3c1b1%02x", i), kind: 2, ms: 100}
		if i < bad {
			s.status = 2
		}
		out = append(out, s)
	}
	return out
}

func (f *fixture) export(t *testing.T, path, contentType, encoding, auth string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// rejectedOf returns partialSuccess.rejectedSpans of an OTLP/JSON export
// response, "" when nothing was refused.
func rejectedOf(t *testing.T, out []byte) string {
	t.Helper()
	var resp struct {
		PartialSuccess struct {
			RejectedSpans string `json:"rejectedSpans"`
		} `json:"partialSuccess"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("answer %s is not an export response: %v", out, err)
	}
	return resp.PartialSuccess.RejectedSpans
}

func (f *fixture) counts(t *testing.T, id string) (good, total float64) {
	t.Helper()
	if err := f.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := f.engine.SLO(id)
	return v.Status.Counts.Good, v.Status.Counts.Total
}

func TestOTLPJSONSpansCountOnAStreamNamedByTheService(t *testing.T) {
	f := newOTLPFixture(t, 1<<20)
	body := tracesJSON("shop", serverSpans(10, 2, 1))
	code, hdr, out := f.export(t, "/v1/traces", "application/json", "", "Bearer "+token, []byte(body))
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("export: %d %s %s, want 200 application/json", code, hdr.Get("Content-Type"), out)
	}
	if refused := rejectedOf(t, out); refused != "" {
		t.Errorf("answer %s: want an export response refusing nothing", out)
	}
	if good, total := f.counts(t, "shop/requests"); good != 8 || total != 10 {
		t.Errorf("shop/requests counts good %v of %v, want 8 of 10", good, total)
	}
	// Latency comes from the span's duration: 100ms is under 300ms.
	if good, total := f.counts(t, "shop/fast"); good != 10 || total != 10 {
		t.Errorf("shop/fast counts good %v of %v, want 10 of 10", good, total)
	}
	// A retrying exporter sends the same spans again: they count once.
	if code, _, out := f.export(t, "/v1/traces", "application/json", "", "Bearer "+token, []byte(body)); code != http.StatusOK {
		t.Fatalf("resend: %d %s", code, out)
	}
	if good, total := f.counts(t, "shop/requests"); good != 8 || total != 10 {
		t.Errorf("after a resend shop/requests counts good %v of %v, want still 8 of 10", good, total)
	}
}

func TestOTLPSpansBadOnServerErrorsOnlyEnteringSpansCount(t *testing.T) {
	f := newOTLPFixture(t, 1<<20)
	spans := []jsonSpan{
		{traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", kind: 2, ms: 50,
			attrs: `{"key":"http.response.status_code","value":{"intValue":"503"}}`},
		{traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203332", kind: 2, ms: 50,
			attrs: `{"key":"http.response.status_code","value":{"intValue":"404"}}`},
		// A client span inside the request and a consumer span: the
		// client span is not counted, the consumer span is.
		{traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203333", kind: 3, ms: 900, status: 2},
		{traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203334", kind: 5, ms: 900},
	}
	code, _, out := f.export(t, "/v1/traces", "application/json", "", "Bearer "+token, []byte(tracesJSON("shop", spans)))
	if code != http.StatusOK || rejectedOf(t, out) != "" {
		t.Fatalf("export: %d %s, want 200 refusing nothing", code, out)
	}
	if good, total := f.counts(t, "shop/requests"); good != 2 || total != 3 {
		t.Errorf("shop/requests counts good %v of %v, want 2 of 3 (503 bad, 404 good, consumer good)", good, total)
	}
	if good, total := f.counts(t, "shop/fast"); good != 2 || total != 3 {
		t.Errorf("shop/fast counts good %v of %v, want 2 of 3 (the 900ms consumer span slow)", good, total)
	}
	// The same spans feed a second stream with settings of its own.
	if good, total := f.counts(t, "shop/strict"); good != 0 || total != 2 {
		t.Errorf("shop/strict counts good %v of %v, want 0 of 2 (server spans only, 404 bad)", good, total)
	}
}

func TestOTLPRefusedSpansArePartialSuccessAndTheRestCount(t *testing.T) {
	f := newOTLPFixture(t, 1<<20)
	grouped := []jsonSpan{
		{traceID: "1af7651916cd43dd8448eb211c80319c", spanID: "a7ad6b7169203331", kind: 2, ms: 10,
			attrs: `{"key":"store","value":{"stringValue":"s1"}},{"key":"http.route","value":{"stringValue":"/pay"}}`},
		// No route: the grouped SLO cannot place it.
		{traceID: "1af7651916cd43dd8448eb211c80319c", spanID: "a7ad6b7169203332", kind: 2, ms: 10,
			attrs: `{"key":"store","value":{"stringValue":"s1"}}`},
	}
	body := `{"resourceSpans":[` + strings.TrimSuffix(strings.TrimPrefix(tracesJSON("tills", grouped), `{"resourceSpans":[`), `]}`) + `,` +
		strings.TrimSuffix(strings.TrimPrefix(tracesJSON("basket", serverSpans(3, 0, 9)), `{"resourceSpans":[`), `]}`) + `]}`
	code, _, out := f.export(t, "/v1/traces", "application/json", "", "Bearer "+token, []byte(body))
	if code != http.StatusOK {
		t.Fatalf("export: %d %s, want 200", code, out)
	}
	var resp struct {
		PartialSuccess struct {
			RejectedSpans string `json:"rejectedSpans"`
			ErrorMessage  string `json:"errorMessage"`
		} `json:"partialSuccess"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	ps := resp.PartialSuccess
	if ps.RejectedSpans != "4" || !strings.Contains(ps.ErrorMessage, `service "basket"`) || !strings.Contains(ps.ErrorMessage, "labels.http_route: missing") {
		t.Errorf("partialSuccess %+v: want 4 spans refused, naming service basket and the missing route", ps)
	}
	if good, total := f.counts(t, "shop/routes"); good != 1 || total != 1 {
		t.Errorf("shop/routes counts good %v of %v, want the one placed span", good, total)
	}
	v, _ := f.engine.SLO("shop/routes")
	if len(v.Groups) != 1 || v.Groups[0].Labels["http_route"] != "/pay" || v.Groups[0].Labels["store"] != "s1" {
		t.Errorf("groups %+v: want one, store s1 and http_route /pay from the span's attributes", v.Groups)
	}
}

func TestOTLPProtobufGzipAndBadRequests(t *testing.T) {
	f := newOTLPFixture(t, 4096)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	ss := rs.ScopeSpans().AppendEmpty()
	end := otlpNow.Add(-time.Second)
	for i := 0; i < 4; i++ {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID([16]byte{1, byte(i)})
		sp.SetSpanID([8]byte{2, byte(i)})
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-time.Second)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	}
	pb, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(pb)
	zw.Close()
	code, hdr, out := f.export(t, "/v1/traces", "application/x-protobuf", "gzip", "Bearer "+token, gz.Bytes())
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/x-protobuf" {
		t.Fatalf("protobuf+gzip export: %d %s", code, hdr.Get("Content-Type"))
	}
	resp := ptraceotlp.NewExportResponse()
	if err := resp.UnmarshalProto(out); err != nil || resp.PartialSuccess().RejectedSpans() != 0 {
		t.Errorf("answer %x (%v): want an export response refusing nothing", out, err)
	}
	if good, total := f.counts(t, "shop/fast"); good != 0 || total != 4 {
		t.Errorf("shop/fast counts good %v of %v, want 0 of 4 (each a second long)", good, total)
	}

	// A body that decompresses past the limit is 413, however small.
	var bomb bytes.Buffer
	zw = gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte{0}, 1<<20))
	zw.Close()
	bad := []struct {
		name, contentType, encoding, auth string
		body                              []byte
		want                              int
	}{
		{"malformed JSON", "application/json", "", "Bearer " + token, []byte(`{"resourceSpans":[{`), http.StatusBadRequest},
		{"malformed protobuf", "application/x-protobuf", "", "Bearer " + token, []byte{0xff, 0xff, 0xff}, http.StatusBadRequest},
		{"not gzip", "application/x-protobuf", "gzip", "Bearer " + token, pb, http.StatusBadRequest},
		{"over the size limit", "application/json", "", "Bearer " + token, bytes.Repeat([]byte(" "), 5000), http.StatusRequestEntityTooLarge},
		{"over the limit decompressed", "application/x-protobuf", "gzip", "Bearer " + token, bomb.Bytes(), http.StatusRequestEntityTooLarge},
		{"unknown type", "text/plain", "", "Bearer " + token, pb, http.StatusUnsupportedMediaType},
		{"no token", "application/x-protobuf", "", "", pb, http.StatusUnauthorized},
		{"wrong token", "application/x-protobuf", "", "Bearer nope", pb, http.StatusUnauthorized},
	}
	for _, c := range bad {
		code, _, out := f.export(t, "/v1/traces", c.contentType, c.encoding, c.auth, c.body)
		if code != c.want || len(out) == 0 {
			t.Errorf("%s: %d %q, want %d with a message", c.name, code, out, c.want)
		}
	}
	if _, total := f.counts(t, "shop/fast"); total != 4 {
		t.Errorf("refused requests changed the counts: total %v, want 4", total)
	}
}

// A wrong-typed OTLP/JSON field is answered with the type wanted and the
// bytes near it, not the decoder's function names or Go parse errors.
func TestOTLPJSONWrongTypeSaysWhatItWants(t *testing.T) {
	f := newOTLPFixture(t, 4096)
	cases := []struct{ name, body, want string }{
		{"name a number", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}`, `want a string near`},
		{"start time letters", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"abc"}]}]}]}`, `want an unsigned integer`},
		{"spans an object", `{"resourceSpans":"x"}`, `want an array near`},
	}
	for _, c := range cases {
		code, _, out := f.export(t, "/v1/traces", "application/json", "", "Bearer "+token, []byte(c.body))
		msg := string(out)
		if code != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.name, code, msg, c.want)
		}
		for _, goText := range []string{"ReadString", "ReadUint64", "ReadArray", "strconv.", "error found in"} {
			if strings.Contains(msg, goText) {
				t.Errorf("%s: answer %s shows the decoder's text %q", c.name, msg, goText)
			}
		}
	}
}
