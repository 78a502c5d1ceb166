package app_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/testenv"
)

// paddedEvents is an NDJSON body of exactly size bytes: one good receipt,
// padded with newlines.
func paddedEvents(size int) string {
	ev := `{"stream":"receipts","labels":{"store":"s1"},"outcome":"good"}`
	return ev + strings.Repeat("\n", size-len(ev))
}

// postHead sends an ingest request's headers declaring size bytes, with
// Expect: 100-continue, and reads the server's first answer: 100 Continue
// when it will read the body, or its refusal.
func (c *rawConn) postHead(t *testing.T, size int) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "POST /api/v1/events HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer %s\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", testToken, size)
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatalf("POST of %d bytes: %v", size, err)
	}
	return resp
}

// metrics reads the server's metrics.
func metrics(t *testing.T, a *app.App) string {
	t.Helper()
	return call(t, "GET", a.URL()+"/metrics", "").body
}

// TestBodiesInFlightStayWithinTheBudget starts bodies until the in-flight
// budget is taken: the next waits its turn and is read once a body
// finishes; one that finds no room within the wait is refused with 503
// and Retry-After before a byte of it is read (no 100 Continue); and one
// declared over the body limit is refused with 413 at once.
func TestBodiesInFlightStayWithinTheBudget(t *testing.T) {
	a := serveLimited(t, app.Options{MaxBodyBytes: 30_000, MaxInflightBytes: 50_000, InflightWait: 5 * time.Second, MinReadRate: 1}) // bodies wait on the test, not the rate
	first, second := dial(t, a), dial(t, a)
	for i, c := range []*rawConn{first, second} {
		if resp := c.postHead(t, 20_000); resp.StatusCode != http.StatusContinue {
			t.Fatalf("body %d within the budget: %d, want 100 Continue", i+1, resp.StatusCode)
		}
	}
	if n := metricValue(t, metrics(t, a), "accord_http_inflight_body_bytes"); n != 40_000 {
		t.Errorf("%v body bytes in flight, want the 40000 the two declared", n)
	}
	if resp := dial(t, a).postHead(t, 30_001); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body declared over --max-body-bytes: %d, want 413 before reading it", resp.StatusCode)
	}

	// A third waits for its turn; the first finishing makes room for it.
	third := dial(t, a)
	fmt.Fprintf(third, "POST /api/v1/events HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer %s\r\n"+
		"Content-Length: 20000\r\nExpect: 100-continue\r\n\r\n", testToken)
	testenv.WaitFor(t, 10*time.Second, "the third body to wait", func() bool {
		return metricValue(t, metrics(t, a), "accord_http_bodies_waiting") == 1
	})
	fmt.Fprint(first, paddedEvents(20_000))
	if resp, err := http.ReadResponse(first.r, nil); err != nil || resp.StatusCode != 202 {
		t.Fatalf("the first body, sent whole: %v %v", resp, err)
	}
	if resp, err := http.ReadResponse(third.r, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("the waiting body once the first finished: %v %v, want 100 Continue", resp, err)
	}

	// Second and third hold the budget: a fourth finds no room in time.
	resp := dial(t, a).postHead(t, 20_000)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !resp.Close {
		t.Errorf("a body past the budget: %d Retry-After %q close %v, want 503 with Retry-After, closing", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
	}
	for _, c := range []*rawConn{second, third} {
		fmt.Fprint(c, paddedEvents(20_000))
		if resp, err := http.ReadResponse(c.r, nil); err != nil || resp.StatusCode != 202 {
			t.Fatalf("a body within the budget, sent whole: %v %v", resp, err)
		}
	}
	m := metrics(t, a)
	if n := metricValue(t, m, `accord_http_overload_refused_total{limit="inflight_bytes"}`); n != 1 {
		t.Errorf("%v bodies refused at the budget, want 1", n)
	}
	if n := metricValue(t, m, "accord_http_inflight_body_bytes"); n != 0 {
		t.Errorf("%v body bytes in flight once all are answered, want 0", n)
	}
	if got := receiptsTotal(t, a); got != 3 {
		t.Errorf("counted %v events, want the 3 of the bodies read", got)
	}
}

// TestTricklingBodiesAreCutOffByTheirRate sends part of a body and stops:
// it is answered 408 once 16 KiB could have come at --min-read-rate, long
// before the read timeout, and a body sent at once is still taken.
func TestTricklingBodiesAreCutOffByTheirRate(t *testing.T) {
	a := serveLimited(t, app.Options{MinReadRate: 64 << 10, ReadTimeout: time.Hour}) // 16 KiB within 250 ms
	slow := dial(t, a)
	if resp := slow.postHead(t, 1000); resp.StatusCode != http.StatusContinue {
		t.Fatalf("slow body: %d, want 100 Continue", resp.StatusCode)
	}
	fmt.Fprint(slow, `{"stream":"receipts",`)
	resp, err := http.ReadResponse(slow.r, nil) // dial's deadline fails this long before the read timeout
	if err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a body that stopped: %v %v, want 408", resp, err)
	}
	if n := metricValue(t, metrics(t, a), `accord_http_slow_clients_total{direction="read"}`); n != 1 {
		t.Errorf("%v slow bodies cut off, want 1", n)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/events", paddedEvents(100_000)); ans.status != 202 {
		t.Errorf("a 100 kB body sent at once: %d %s", ans.status, ans.body)
	}
	if got := receiptsTotal(t, a); got != 1 {
		t.Errorf("counted %v events, want the 1 of the whole body", got)
	}
}

// dialSmallWindow connects with a receive buffer of a few KiB, so that an
// answer the client does not read stops at once rather than filling the
// kernel's buffers.
func dialSmallWindow(t *testing.T, a *app.App) *rawConn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	c, err := d.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // a bound for a test that fails
	return &rawConn{c, bufio.NewReader(c)}
}

// TestSlowReadersAreCutOffAndLargeAnswersStayWithinTheBudget asks for a
// large answer and does not read it: while it waits, another large answer
// is refused with 503 (the answer budget is taken) and small ones are
// served; once 16 KiB could have gone at --min-write-rate the reader is
// cut off, its answer's bytes are freed, and large answers are served
// again.
func TestSlowReadersAreCutOffAndLargeAnswersStayWithinTheBudget(t *testing.T) {
	a := serveLimited(t, app.Options{MaxGroups: 5000, MaxAnswerBytes: 100_000, MinWriteRate: 2 << 10, WriteTimeout: time.Hour}) // 16 KiB within 8 s: long enough to look while it waits
	var events strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&events, `{"stream":"receipts","labels":{"store":"store-%04d"},"outcome":"good"}`+"\n", i)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/events", events.String()); ans.status != 202 {
		t.Fatalf("3000 stores: %d %s", ans.status, ans.body)
	}
	receiptsTotal(t, a) // evaluates
	const large = "/api/v1/slos/checkout/receipts"
	whole := call(t, "GET", a.URL()+large, "")
	if whole.status != 200 || len(whole.body) < 500_000 {
		t.Fatalf("the large answer: %d, %d bytes; want 200 and over 500 kB", whole.status, len(whole.body))
	}

	stalled := dialSmallWindow(t, a)
	fmt.Fprintf(stalled, "GET %s HTTP/1.1\r\nHost: accord\r\n\r\n", large)
	testenv.WaitFor(t, 10*time.Second, "the stalled answer to hold the answer budget", func() bool {
		return metricValue(t, metrics(t, a), "accord_http_inflight_answer_bytes") > 0
	})
	ans := call(t, "GET", a.URL()+large, "")
	if ans.status != 503 || ans.header.Get("Retry-After") == "" {
		t.Errorf("a large answer while the budget is held: %d Retry-After %q, want 503 with Retry-After", ans.status, ans.header.Get("Retry-After"))
	}
	if ans := call(t, "GET", a.URL()+"/healthz", ""); ans.status != 200 {
		t.Errorf("/healthz while the budget is held: %d", ans.status)
	}

	testenv.WaitFor(t, 20*time.Second, "the stalled reader to be cut off", func() bool {
		m := metrics(t, a)
		return metricValue(t, m, `accord_http_slow_clients_total{direction="write"}`) == 1 &&
			metricValue(t, m, "accord_http_inflight_answer_bytes") == 0
	})
	resp, err := http.ReadResponse(stalled.r, nil)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
	}
	if err == nil {
		t.Error("the stalled reader got its whole answer, want it cut off")
	}
	if ans := call(t, "GET", a.URL()+large, ""); ans.status != 200 || ans.body != whole.body {
		t.Errorf("the large answer after the cut: %d, %d bytes; want it whole", ans.status, len(ans.body))
	}
	if n := metricValue(t, metrics(t, a), `accord_http_overload_refused_total{limit="answer_bytes"}`); n != 1 {
		t.Errorf("%v large answers refused, want 1", n)
	}
}

// withLargeAnswer pushes 3,000 stores, so that the receipts SLO's answer
// is large (over 500 kB), and returns its path.
func withLargeAnswer(t *testing.T, a *app.App) string {
	t.Helper()
	var events strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&events, `{"stream":"receipts","labels":{"store":"store-%04d"},"outcome":"good"}`+"\n", i)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/events", events.String()); ans.status != 202 {
		t.Fatalf("3000 stores: %d %s", ans.status, ans.body)
	}
	receiptsTotal(t, a) // evaluates
	return "/api/v1/slos/checkout/receipts"
}

// once sends one request on a connection of its own, asking the server to
// close it after the answer, and reads to the end: when it returns, the
// server has given the connection's place back.
func once(t *testing.T, a *app.App, path string) (status int, retryAfter string) {
	t.Helper()
	c := dial(t, a)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: accord\r\nConnection: close\r\n\r\n", path)
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_, _ = io.Copy(io.Discard, c.r) // to the server's close
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// cut reports whether the server closed a slow reader's connection before
// its answer was whole.
func cut(t *testing.T, resp *http.Response) bool {
	t.Helper()
	_, err := io.Copy(io.Discard, resp.Body)
	return err != nil
}

// TestTheConnectionLimitClosesClientsWithoutATokenFirstAndProbesAlwaysAnswer
// fills every connection: a new one takes the place of the busy client
// without a token busy longest (a slow reader), never of one with a token
// (slow bodies); once only clients with a token hold the connections,
// /healthz and /readyz still answer on a reserved slot, and anything else
// is 503.
func TestTheConnectionLimitClosesClientsWithoutATokenFirstAndProbesAlwaysAnswer(t *testing.T) {
	a := serveLimited(t, app.Options{MaxConnections: 4, MaxGroups: 5000, MinWriteRate: 1, WriteTimeout: time.Hour, ReadTimeout: time.Hour, MinReadRate: 1})
	large := withLargeAnswer(t, a)
	http.DefaultClient.CloseIdleConnections()
	bodies := []*rawConn{dial(t, a), dial(t, a)}
	for _, c := range bodies {
		c.startSlowPost(t)
	}
	var readers []*http.Response
	for i := 0; i < 2; i++ {
		c := dialSmallWindow(t, a)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: accord\r\n\r\n", large)
		resp, err := http.ReadResponse(c.r, nil) // the answer has begun: its writer waits for the reader
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("slow reader %d: %v %v", i, resp, err)
		}
		readers = append(readers, resp)
	}
	// Four busy connections: the new one closes the slow reader busy
	// longest, not a slow body.
	if status, _ := once(t, a, "/healthz"); status != 200 {
		t.Fatalf("/healthz at the limit: %d", status)
	}
	if !cut(t, readers[0]) {
		t.Error("the first slow reader got its whole answer, want it closed to make room")
	}
	// Two more slow bodies: the second closes the other slow reader.
	for i := 0; i < 2; i++ {
		c := dial(t, a)
		c.startSlowPost(t)
		bodies = append(bodies, c)
	}
	if !cut(t, readers[1]) {
		t.Error("the second slow reader got its whole answer, want it closed to make room")
	}

	// Only clients with a token now: probes answer on a reserved slot.
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _ := once(t, a, path); status != 200 {
			t.Errorf("%s with every connection busy with a token: %d, want 200", path, status)
		}
	}
	if status, retry := once(t, a, "/api/v1/alerts"); status != 503 || retry == "" {
		t.Errorf("the API with every connection busy with a token: %d Retry-After %q, want 503 with Retry-After", status, retry)
	}

	bodies[0].Close() // its place comes back
	testenv.WaitFor(t, 10*time.Second, "a place for the metrics", func() bool {
		status, _ := once(t, a, "/metrics")
		return status == 200
	})
	m := metrics(t, a)
	if n := metricValue(t, m, `accord_http_connections_closed_total{reason="unauthenticated"}`); n != 2 {
		t.Errorf("%v busy connections without a token closed, want the 2 slow readers\n%s", n, grepLines(m, "accord_http_"))
	}
	if n := metricValue(t, m, "accord_http_reserved_connections_total"); n < 3 {
		t.Errorf("%v connections on reserved slots, want at least the 3 made with every place taken", n)
	}
	for i, c := range bodies[1:] {
		fmt.Fprint(c, paddedEvents(1000)[len(`{"stream":"receipts",`):])
		if resp, err := http.ReadResponse(c.r, nil); err != nil || resp.StatusCode != 202 {
			t.Errorf("slow body %d, finished: %v %v, want it kept and counted", i+2, resp, err)
		}
	}
}
