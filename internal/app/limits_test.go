package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/testenv"
)

// storesSpec has a pushed SLO counted per store and a latency SLO.
const storesSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: receipts
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: receipts}}
      groupBy: [store]
    - name: scans
      objective: 99
      window: 7d
      indicator: {latency: {stream: scans, threshold: 300ms}}
`

const testToken = "t0ken"

// serveLimited starts Accord in-process on port 0 with the given options
// over storesSpec (unless opts name specs), closed when the test ends.
func serveLimited(t *testing.T, opts app.Options) *app.App {
	t.Helper()
	if opts.SpecPaths == nil {
		opts.SpecPaths = []string{writeSpec(t, storesSpec)}
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Addr, opts.Token, opts.Manual = "127.0.0.1:0", testToken, true
	a := startApp(t, opts)
	t.Cleanup(func() { a.Close() })
	return a
}

// answer is an HTTP answer as a test reads it.
type answer struct {
	status int
	header http.Header
	body   string
}

// call sends a request with the token and reads the whole answer.
func call(t *testing.T, method, url, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", method, url, err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// apiError reads an error answer's message and line.
func apiErrorOf(t *testing.T, a answer) (msg string, line int) {
	t.Helper()
	var e struct {
		Error struct {
			Message string
			Line    int
		}
	}
	if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("answer %d is not a JSON error: %v\n%s", a.status, err, a.body)
	}
	return e.Error.Message, e.Error.Line
}

// receiptsTotal is what the receipts SLO counts over its window, evaluated
// now.
func receiptsTotal(t *testing.T, a *app.App) float64 {
	t.Helper()
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, ok := a.Engine.SLO("checkout/receipts")
	if !ok {
		t.Fatal("no SLO checkout/receipts")
	}
	return v.Status.Counts.Total
}

// TestAbsurdNumbersAreRefusedAndEveryAnswerStaysWhole sends the numbers
// that once made every SLI NaN and emptied the API's answers, and numbers
// that overflowed; each is refused naming its line, nothing of its batch
// is stored, and every read endpoint still answers whole JSON.
func TestAbsurdNumbersAreRefusedAndEveryAnswerStaysWhole(t *testing.T) {
	a := serveLimited(t, app.Options{})
	good := `{"stream":"receipts","labels":{"store":"s1"},"good":10,"total":10}`
	for _, c := range []struct {
		name, body string
		line       int
		want       string
	}{
		{"counts over a trillion", good + "\n" + `{"stream":"receipts","labels":{"store":"s1"},"good":1e308,"total":1e308}`, 2, "total: 1e+308 is over 1e+12"},
		{"a number JSON cannot hold", good + "\n" + `{"stream":"receipts","labels":{"store":"s1"},"good":1,"total":1e309}`, 2, `field "total": 1e309 is out of range`},
		{"a latency that overflows a duration", good + "\n\n" + `{"stream":"scans","latency_ms":9.3e12}`, 3, "latency_ms: 9.3e+12 is not between 0 and"},
		{"a negative latency", `{"stream":"scans","latency_ms":-1}`, 1, "latency_ms: -1 is not between 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ans := call(t, "POST", a.URL()+"/api/v1/events", c.body)
			msg, line := apiErrorOf(t, ans)
			if ans.status != 400 || line != c.line || !strings.Contains(msg, c.want) {
				t.Errorf("answer %d, line %d, %q; want 400 at line %d saying %q", ans.status, line, msg, c.line, c.want)
			}
		})
	}
	if got := receiptsTotal(t, a); got != 0 {
		t.Errorf("refused batches left %v events counted, want none (all or nothing)", got)
	}
	// Two events at the bound sum to a finite number.
	big := `{"stream":"receipts","labels":{"store":"s1"},"good":1e12,"total":1e12}`
	if ans := call(t, "POST", a.URL()+"/api/v1/events", big+"\n"+big); ans.status != 202 {
		t.Fatalf("two events at the bound: %d %s", ans.status, ans.body)
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatalf("evaluation after the largest events: %v", err)
	}
	for _, path := range []string{"/api/v1/slos", "/api/v1/slos/checkout/receipts", "/api/v1/services", "/api/v1/alerts", "/api/v1/gate?service=checkout"} {
		ans := call(t, "GET", a.URL()+path, "")
		var v any
		if ans.status != 200 || json.Unmarshal([]byte(ans.body), &v) != nil {
			t.Errorf("GET %s: %d, body not whole JSON:\n%.300s", path, ans.status, ans.body)
		}
	}
	if got := receiptsTotal(t, a); got != 2e12 {
		t.Errorf("counted %v events, want 2e12", got)
	}
}

// TestCountsOlderVersionsStoredAsInfinityAreDropped opens a database that
// holds an infinite count, as versions without bounds stored: the server
// restores without it, and its answers stay whole.
func TestCountsOlderVersionsStoredAsInfinityAreDropped(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := engine.UnixMinute(time.Now())
	err = store.AddCounts(context.Background(), []engine.Count{
		{SLO: "checkout/receipts", Group: `{"store":"s1"}`, Kind: engine.KindEvents, Minute: now - 5, Counts: engine.Counts{Good: math.Inf(1), Total: math.Inf(1)}},
		{SLO: "checkout/receipts", Group: `{"store":"s1"}`, Kind: engine.KindEvents, Minute: now - 4, Counts: engine.Counts{Good: 9, Total: 10}},
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	a := serveLimited(t, app.Options{DataDir: dir})
	if got := receiptsTotal(t, a); got != 10 {
		t.Errorf("restored %v events, want the 10 finite ones", got)
	}
	ans := call(t, "GET", a.URL()+"/api/v1/slos", "")
	if ans.status != 200 || !strings.Contains(ans.body, `"sli": 0.9`) {
		t.Errorf("GET /api/v1/slos: %d\n%.500s", ans.status, ans.body)
	}
}

// TestGroupsStopAtTheCap pushes more stores than --max-groups allows: a
// batch that would start one more group is refused whole, naming the cap
// and the line, concurrent batches cannot pass the cap together, and the
// metric shows the groups.
func TestGroupsStopAtTheCap(t *testing.T) {
	a := serveLimited(t, app.Options{MaxGroups: 5})
	ev := func(store string) string {
		return fmt.Sprintf(`{"stream":"receipts","labels":{"store":%q},"outcome":"good"}`, store)
	}
	if ans := call(t, "POST", a.URL()+"/api/v1/events", ev("s1")+"\n"+ev("s2")+"\n"+ev("s2")); ans.status != 202 {
		t.Fatalf("two stores: %d %s", ans.status, ans.body)
	}
	// Eight clients race for the three groups left.
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ans := call(t, "POST", a.URL()+"/api/v1/events", ev("s1")+"\n"+ev(fmt.Sprintf("race-%d", i)))
			mu.Lock()
			codes[ans.status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[202] != 3 || codes[400] != 5 {
		t.Errorf("racing new stores were answered %v, want three 202 (the groups left) and five 400", codes)
	}
	ans := call(t, "POST", a.URL()+"/api/v1/events", ev("s1")+"\n"+ev("s9"))
	msg, line := apiErrorOf(t, ans)
	if ans.status != 400 || line != 2 || !strings.Contains(msg, "already counts 5 groups, its cap (max-groups)") || !strings.Contains(msg, "store=s9") {
		t.Errorf("a sixth store: %d line %d %q, want 400 at line 2 naming the cap", ans.status, line, msg)
	}
	if got := receiptsTotal(t, a); got != 3+3*2 {
		t.Errorf("counted %v events, want the 9 of accepted batches only", got)
	}
	v, _ := a.Engine.SLO("checkout/receipts")
	if v.GroupCount != 5 {
		t.Errorf("the SLO counts %d groups, want the cap, 5", v.GroupCount)
	}
	if metrics := call(t, "GET", a.URL()+"/metrics", "").body; !strings.Contains(metrics,
		`accord_slo_groups{service="checkout",slo="receipts",team="pos-platform"} 5`) {
		t.Errorf("/metrics lacks the groups of checkout/receipts:\n%s", grepLines(metrics, "accord_slo_groups"))
	}
}

// TestLabelsAndBytesAreBounded refuses a label value too long for a group
// key, a body that is not UTF-8 and control characters in labels, each
// naming the line.
func TestLabelsAndBytesAreBounded(t *testing.T) {
	a := serveLimited(t, app.Options{})
	long := `{"stream":"receipts","labels":{"store":"` + strings.Repeat("x", 300) + `"},"outcome":"good"}`
	ans := call(t, "POST", a.URL()+"/api/v1/events", long)
	if msg, line := apiErrorOf(t, ans); ans.status != 400 || line != 1 || !strings.Contains(msg, "labels.store: 300 bytes, at most 256") {
		t.Errorf("a 300-byte store: %d line %d %q", ans.status, line, msg)
	}
	bad := `{"stream":"receipts","labels":{"store":"s1"},"outcome":"good"}` + "\n" + `{"stream":"receipts","labels":{"store":"s` + "\xff\xfe" + `"},"outcome":"good"}`
	ans = call(t, "POST", a.URL()+"/api/v1/events", bad)
	if msg, line := apiErrorOf(t, ans); ans.status != 400 || line != 2 || !strings.Contains(msg, "not valid UTF-8") {
		t.Errorf("invalid UTF-8: %d line %d %q", ans.status, line, msg)
	}
	good := `{"stream":"receipts","labels":{"store":"s1"},"outcome":"good"}`
	for _, c := range []struct{ name, event, want string }{
		{"a NUL in a value", `{"stream":"receipts","labels":{"store":"s\u0000"},"outcome":"good"}`, "labels.store: the control character U+0000 is not allowed"},
		{"an escape in a value", `{"stream":"receipts","labels":{"store":"s\u001b[31m"},"outcome":"good"}`, "labels.store: the control character U+001B"},
		{"a newline in a name", `{"stream":"receipts","labels":{"store":"s1","re\ngion":"x"},"outcome":"good"}`, `name "re\ngion" has the control character U+000A`},
	} {
		ans = call(t, "POST", a.URL()+"/api/v1/events", good+"\n"+good+"\n"+c.event)
		if msg, line := apiErrorOf(t, ans); ans.status != 400 || line != 3 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d line %d %q, want 400 at line 3 saying %q", c.name, ans.status, line, msg, c.want)
		}
	}
	if got := receiptsTotal(t, a); got != 0 {
		t.Errorf("refused batches counted %v events", got)
	}
	if ans := call(t, "GET", a.URL()+"/api/v1/slos/checkout/receipts", ""); strings.Contains(ans.body, `\u0000`) {
		t.Errorf("a group named with a NUL exists:\n%.500s", ans.body)
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// rawConn is a TCP connection a test writes HTTP on by hand.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, a *app.App) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// A bound for a test that fails, not a synchronisation.
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{c, bufio.NewReader(c)}
}

// get sends one keep-alive request and reads its answer.
func (c *rawConn) get(t *testing.T, path string) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: accord\r\n\r\n", path)
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// startSlowPost sends an ingest request's headers and part of its body,
// and waits for the 100 Continue that says the server is reading it.
func (c *rawConn) startSlowPost(t *testing.T) {
	t.Helper()
	fmt.Fprintf(c, "POST /api/v1/events HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer %s\r\n"+
		"Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n", testToken)
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("slow POST: want 100 Continue, got %v %v", resp, err)
	}
	fmt.Fprint(c, `{"stream":"receipts",`)
}

// TestIdleConnectionsCannotLockOthersOut opens more keep-alive
// connections than the limit and leaves them idle: each new one closes
// the one quiet longest, so new clients and health checks still get in
// and the server never holds more than the limit.
func TestIdleConnectionsCannotLockOthersOut(t *testing.T) {
	a := serveLimited(t, app.Options{MaxConnections: 4})
	var conns []*rawConn
	for i := 0; i < 10; i++ {
		c := dial(t, a)
		if resp := c.get(t, "/healthz"); resp.StatusCode != 200 {
			t.Fatalf("connection %d: /healthz %d", i, resp.StatusCode)
		}
		conns = append(conns, c)
	}
	// The newest was never the one quiet longest.
	if resp := conns[9].get(t, "/healthz"); resp.StatusCode != 200 {
		t.Errorf("the newest idle connection: /healthz %d", resp.StatusCode)
	}
	if ans := call(t, "GET", a.URL()+"/healthz", ""); ans.status != 200 {
		t.Errorf("a new client: /healthz %d", ans.status)
	}
	// The ten connections made room six times; the client's may have too.
	metrics := call(t, "GET", a.URL()+"/metrics", "").body
	if n := metricValue(t, metrics, `accord_http_connections_closed_total{reason="evicted"}`); n < 6 {
		t.Errorf("%v idle connections were closed to make room, want at least 6", n)
	}
	if n := metricValue(t, metrics, "accord_http_connections_open"); n > 4 {
		t.Errorf("%v connections open, over the limit of 4", n)
	}
}

// metricValue reads a sample's value from Prometheus text.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	t.Fatalf("no sample %s in:\n%s", series, text)
	return 0
}

// TestSlowBodiesTimeOutAndBusyServersRefuseNewConnections holds every
// connection with a body that never finishes: a new connection gets a
// reserved slot, where an API request is refused with 503; once the
// reserved slots are taken too, a new connection is refused with 503 at
// once; and the slow bodies are answered 408 when the read timeout ends,
// which frees their places.
func TestSlowBodiesTimeOutAndBusyServersRefuseNewConnections(t *testing.T) {
	a := serveLimited(t, app.Options{MaxConnections: 3, ReadTimeout: 2 * time.Second})
	var slow []*rawConn
	for i := 0; i < 3; i++ {
		c := dial(t, a)
		c.startSlowPost(t)
		slow = append(slow, c)
	}
	if status, retry := once(t, a, "/api/v1/slos"); status != 503 || retry == "" {
		t.Fatalf("a request past the limit while all are busy: %d Retry-After %q, want 503 with Retry-After", status, retry)
	}
	for i := 0; i < 8; i++ { // the reserved slots, each waiting for a probe
		dial(t, a)
	}
	refused := dial(t, a)
	resp, err := http.ReadResponse(refused.r, nil)
	if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a connection past the limit and the reserved slots: %v %v, want 503 with Retry-After at once", resp, err)
	}
	for i, c := range slow {
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil || resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("slow body %d: %v %v, want 408 once the read timeout passed", i, resp, err)
		}
	}
	testWaitHealthy(t, a)
	if got := receiptsTotal(t, a); got != 0 {
		t.Errorf("timed-out bodies counted %v events", got)
	}
}

// testWaitHealthy asks /healthz on new connections until one is admitted:
// the slow connections' places come free as the server closes them after
// their 408.
func testWaitHealthy(t *testing.T, a *app.App) {
	t.Helper()
	testenv.WaitFor(t, 10*time.Second, "/healthz to answer once the slow bodies timed out", func() bool {
		resp, err := http.Get(a.URL() + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// TestHealthAnswersWhileStateIsRestored holds the database locked, as a
// long restore would hold the server, and checks that /healthz answers,
// /readyz and the API say 503 with Retry-After, and all is served once
// the restore can go on.
func TestHealthAnswersWhileStateIsRestored(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, storesSpec)
	first := startApp(t, app.Options{SpecPaths: []string{spec}, DataDir: dir, Addr: "127.0.0.1:0", Manual: true})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	lock := lockDatabase(t, filepath.Join(dir, "accord.db"))
	a, err := app.New(context.Background(), app.Options{SpecPaths: []string{spec}, DataDir: dir, Addr: "127.0.0.1:0", Token: testToken, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	started := make(chan error, 1)
	go func() { started <- a.Start(context.Background()) }()

	if ans := call(t, "GET", a.URL()+"/healthz", ""); ans.status != 200 {
		t.Errorf("/healthz while restoring: %d", ans.status)
	}
	if ans := call(t, "GET", a.URL()+"/readyz", ""); ans.status != 503 || !strings.Contains(ans.body, "starting") {
		t.Errorf("/readyz while restoring: %d %s, want 503 starting", ans.status, ans.body)
	}
	ans := call(t, "GET", a.URL()+"/api/v1/slos", "")
	if msg, _ := apiErrorOf(t, ans); ans.status != 503 || ans.header.Get("Retry-After") == "" || !strings.Contains(msg, "restoring") {
		t.Errorf("the API while restoring: %d Retry-After %q %q", ans.status, ans.header.Get("Retry-After"), msg)
	}
	lock()
	if err := <-started; err != nil {
		t.Fatalf("start after the lock was released: %v", err)
	}
	if ans := call(t, "GET", a.URL()+"/readyz", ""); ans.status != 200 {
		t.Errorf("/readyz once restored: %d %s", ans.status, ans.body)
	}
	if ans := call(t, "GET", a.URL()+"/api/v1/slos", ""); ans.status != 200 {
		t.Errorf("the API once restored: %d", ans.status)
	}
}

// TestCloseAfterTheStoreFailedToOpen starts a second server on a data
// directory another one holds: Start fails, and Close (which serve calls
// then) returns rather than panicking on the store that never opened.
func TestCloseAfterTheStoreFailedToOpen(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, storesSpec)
	first := startApp(t, app.Options{SpecPaths: []string{spec}, DataDir: dir, Addr: "127.0.0.1:0", Manual: true})
	defer first.Close()
	a, err := app.New(context.Background(), app.Options{SpecPaths: []string{spec}, DataDir: dir, Addr: "127.0.0.1:0", Token: testToken, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("start on a data directory in use: %v, want it refused", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("close after a failed start: %v", err)
	}
}

// TestDataIsReadableByItsOwnerOnly checks the modes of the data directory,
// the database, its journal files and the token.
func TestDataIsReadableByItsOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	opts := app.Options{SpecPaths: []string{writeSpec(t, storesSpec)}, DataDir: dir, Addr: "127.0.0.1:0", Manual: true}
	a := startApp(t, opts)
	defer a.Close()
	if ans := call(t, "POST", a.URL()+"/api/v1/events", ""); ans.status != 401 {
		t.Fatalf("without the generated token: %d", ans.status)
	}
	want := map[string]os.FileMode{"": 0o700, "accord.db": 0o600, "accord.db-wal": 0o600, "accord.db-shm": 0o600, "token": 0o600}
	for name, mode := range want {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %o, want %o", filepath.Join(dir, name), fi.Mode().Perm(), mode)
		}
	}
}

// TestAnOpenTokenFileIsMadePrivate starts on a data directory whose token
// file others may read, as an older version or a careless copy left it:
// the file becomes its owner's only, the server says so, and the token
// still works.
func TestAnOpenTokenFileIsMadePrivate(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("kept-token\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "token"), 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	logs := newSyncBuffer()
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, storesSpec)}, DataDir: dir, Addr: "127.0.0.1:0", Manual: true,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	defer a.Close()
	fi, err := os.Stat(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the token file has mode %o after start, want 600", fi.Mode().Perm())
	}
	if !strings.Contains(logs.String(), "the token file was open to other users") || !strings.Contains(logs.String(), "was=644") {
		t.Errorf("no warning about the open token file in the log:\n%s", logs.String())
	}
	if a.Token() != "kept-token" {
		t.Errorf("the kept token became %q", a.Token())
	}
}

// lockDatabase takes SQLite's exclusive lock on the database and keeps it,
// so that another connection's reads wait (up to its busy timeout); the
// returned function releases it.
func lockDatabase(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	for _, q := range []string{"PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A write takes the lock for good in exclusive locking mode.
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{fmt.Sprintf("PRAGMA user_version = %d", version), "COMMIT"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestTheLargestBodyIsCountedWholeAndNamesItsLines sends the most events
// one request may carry, back-dated over two days and padded, once with
// its last event bad (refused, naming that line, nothing stored) and once
// good (all counted).
func TestTheLargestBodyIsCountedWholeAndNamesItsLines(t *testing.T) {
	a := serveLimited(t, app.Options{})
	now := time.Now().UTC().Truncate(time.Minute)
	var body strings.Builder
	const n = 100_000
	for i := 0; i < n-1; i++ {
		at := now.Add(-time.Duration(i%2880) * time.Minute).Format(time.RFC3339)
		fmt.Fprintf(&body, "  {\"stream\":\"receipts\",\"time\":%q,\"labels\":{\"store\":\"s%d\"},\"outcome\":\"good\"}\n", at, i%50)
	}
	events := body.String()
	ans := call(t, "POST", a.URL()+"/api/v1/events", events+`{"stream":"receipts","labels":{"store":"s1"},"outcome":"fine"}`)
	if msg, line := apiErrorOf(t, ans); ans.status != 400 || line != n || !strings.Contains(msg, `outcome: "fine" is not good or bad`) {
		t.Errorf("a bad last event: %d line %d %q, want 400 at line %d", ans.status, line, msg, n)
	}
	ans = call(t, "POST", a.URL()+"/api/v1/events", events+`{"stream":"receipts","labels":{"store":"s1"},"outcome":"bad"}`)
	if ans.status != 202 || !strings.Contains(ans.body, `"accepted": 100000`) {
		t.Fatalf("the largest body: %d %s", ans.status, ans.body)
	}
	if got := receiptsTotal(t, a); got != n {
		t.Errorf("counted %v events, want %d", got, n)
	}
}

// TestNegativeLimitsAreRefused checks that a negative timeout or limit is
// an error naming its flag, not a timeout turned off.
func TestNegativeLimitsAreRefused(t *testing.T) {
	spec := writeSpec(t, storesSpec)
	for flag, opts := range map[string]app.Options{
		"--read-timeout":     {ReadTimeout: -time.Second},
		"--idle-timeout":     {IdleTimeout: -time.Second},
		"--max-connections":  {MaxConnections: -1},
		"--max-groups":       {MaxGroups: -1},
		"--max-body-bytes":   {MaxBodyBytes: -1},
		"--min-read-rate":    {MinReadRate: -1},
		"--min-write-rate":   {MinWriteRate: -1},
		"--max-answer-bytes": {MaxAnswerBytes: -1},
		// No body of the largest size could ever be read.
		"--max-inflight-bytes": {MaxBodyBytes: 1 << 20, MaxInflightBytes: 1 << 19},
	} {
		opts.SpecPaths, opts.DataDir, opts.Addr, opts.Manual = []string{spec}, t.TempDir(), "127.0.0.1:0", true
		if _, err := app.New(context.Background(), opts); err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s negative: %v, want an error naming it", flag, err)
		}
	}
}
