package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
)

// authSpec has checkout, whose policy names one exception approver, and
// loyalty, whose default policy names none.
const authSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  policy: strict
  slos:
    - {name: payments, objective: 99, window: 7d, indicator: {ratio: {stream: payments}}}
---
apiVersion: accord/v1
kind: Service
metadata: {name: loyalty}
spec:
  owners: {team: crm}
  slos:
    - {name: points, objective: 99, window: 7d, indicator: {ratio: {stream: points}}}
---
apiVersion: accord/v1
kind: Policy
metadata: {name: strict}
spec:
  states:
    - name: exhausted
      when: {budgetRemainingAtMost: 0}
      actions: [{freeze-releases: {except: [security]}}]
    - name: healthy
  exceptionApprovers: [head-of-it]
`

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// authServer is a running Accord, the secrets of its tokens by name, and
// the writes known callers made, which the audit trail must list.
type authServer struct {
	t       *testing.T
	a       *app.App
	dataDir string
	secrets map[string]string
	writes  map[string]int // who|route|status → requests
	closed  bool
}

func startAuthServer(t *testing.T, opts app.Options) *authServer {
	t.Helper()
	opts.SpecPaths = []string{writeSpec(t, authSpec)}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Addr, opts.Manual = "127.0.0.1:0", true
	opts.Clock = engine.NewManualClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	a := startApp(t, opts)
	s := &authServer{t: t, a: a, dataDir: opts.DataDir, secrets: map[string]string{auth.BootstrapName: a.Token()}, writes: map[string]int{}}
	t.Cleanup(func() {
		if !s.closed {
			a.Close()
		}
	})
	return s
}

// close stops the server before the test ends.
func (s *authServer) close() {
	s.t.Helper()
	s.closed = true
	if err := s.a.Close(); err != nil {
		s.t.Fatal(err)
	}
}

// mustToken creates a token with the bootstrap token.
func (s *authServer) mustToken(name string, role auth.Role) {
	s.t.Helper()
	var out struct{ Secret string }
	body := fmt.Sprintf(`{"name": %q, "role": %q}`, name, role)
	if code := s.do(auth.BootstrapName, "POST /api/v1/tokens", "POST", "/api/v1/tokens", body, nil, &out); code != 201 {
		s.t.Fatalf("create token %s: %d", name, code)
	}
	s.secrets[name] = out.Secret
}

// do sends a request as who: a token's name, "" for nobody, or "wrong"
// for a token Accord never made. Writes by known callers that get past
// the token check are noted for the audit trail.
func (s *authServer) do(who, route, method, path, body string, header map[string]string, out any) int {
	s.t.Helper()
	req, err := http.NewRequest(method, s.a.URL()+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	switch secret, known := s.secrets[who]; {
	case known:
		req.Header.Set("Authorization", "Bearer "+secret)
	case who == "wrong":
		req.Header.Set("Authorization", "Bearer accord_thisTokenWasNeverMade")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	if _, known := s.secrets[who]; known && method != "GET" && resp.StatusCode != 401 {
		s.writes[fmt.Sprintf("%s|%s|%d", who, route, resp.StatusCode)]++
	}
	return resp.StatusCode
}

// audit reads the whole trail, a page of three at a time, following next.
func (s *authServer) audit() []auth.Entry {
	s.t.Helper()
	var all []auth.Entry
	seen := map[int64]bool{}
	for path := "/api/v1/audit?limit=3"; path != ""; {
		var page struct {
			Entries []auth.Entry `json:"entries"`
			Next    string       `json:"next"`
		}
		if code := s.do(auth.BootstrapName, "GET /api/v1/audit", "GET", path, "", nil, &page); code != 200 {
			s.t.Fatalf("GET %s: %d", path, code)
		}
		for _, e := range page.Entries {
			if seen[e.ID] {
				s.t.Fatalf("entry %d came twice while paging", e.ID)
			}
			seen[e.ID] = true
			if len(all) > 0 && e.ID >= all[len(all)-1].ID {
				s.t.Fatalf("entry %d after %d: want newest first", e.ID, all[len(all)-1].ID)
			}
		}
		all = append(all, page.Entries...)
		path = page.Next
	}
	return all
}

// TestRoleMatrixAuditTrailAndSecrets runs every role against every kind
// of endpoint on a real server, then checks that the audit trail lists
// each write once and that no token's secret reached the log or the
// database file.
func TestRoleMatrixAuditTrailAndSecrets(t *testing.T) {
	logs := newSyncBuffer()
	s := startAuthServer(t, app.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	roles := map[string]auth.Role{"reader": auth.RoleRead, "tills": auth.RoleIngest, "ops": auth.RoleOperator, "root": auth.RoleAdmin}
	for name, role := range roles {
		s.mustToken(name, role)
	}
	roles[auth.BootstrapName] = auth.RoleAdmin
	callers := []string{"", "wrong", "reader", "tills", "ops", "root", auth.BootstrapName}

	type request struct{ method, path, body string }
	endpoints := []struct {
		route string
		need  auth.Role // "" lets anyone in
		ok    int
		req   func(who string) request
	}{
		{"GET /api/v1/slos", "", 200, func(string) request { return request{"GET", "/api/v1/slos", ""} }},
		{"GET /api/v1/gate", "", 200, func(string) request { return request{"GET", "/api/v1/gate?service=loyalty", ""} }},
		{"GET /teams/{team}", "", 200, func(string) request { return request{"GET", "/teams/crm", ""} }},
		{"GET /api/v1/audit", auth.RoleOperator, 200, func(string) request { return request{"GET", "/api/v1/audit?limit=1", ""} }},
		{"GET /api/v1/tokens", auth.RoleAdmin, 200, func(string) request { return request{"GET", "/api/v1/tokens", ""} }},
		{"POST /api/v1/events", auth.RoleIngest, 202, func(string) request {
			return request{"POST", "/api/v1/events", `{"stream": "points", "outcome": "good"}`}
		}},
		{"POST /api/v1/annotations", auth.RoleOperator, 201, func(string) request {
			return request{"POST", "/api/v1/annotations", `{"kind": "deploy", "service": "loyalty", "version": "1.2"}`}
		}},
		{"POST /api/v1/exceptions", auth.RoleOperator, 201, func(string) request {
			return request{"POST", "/api/v1/exceptions", `{"service": "loyalty", "until": "1h", "reason": "points fix"}`}
		}},
		{"DELETE /api/v1/exceptions/{id}", auth.RoleOperator, 200, func(string) request {
			var e struct{ ID int64 }
			if code := s.do(auth.BootstrapName, "POST /api/v1/exceptions", "POST", "/api/v1/exceptions",
				`{"service": "loyalty", "until": "1h", "reason": "to revoke"}`, nil, &e); code != 201 {
				t.Fatalf("grant an exception to revoke: %d", code)
			}
			return request{"DELETE", fmt.Sprintf("/api/v1/exceptions/%d", e.ID), ""}
		}},
		{"POST /api/v1/tokens", auth.RoleAdmin, 201, func(who string) request {
			return request{"POST", "/api/v1/tokens", `{"name": "made-by-` + who + `x", "role": "read"}`}
		}},
		{"DELETE /api/v1/tokens/{name}", auth.RoleAdmin, 200, func(who string) request {
			s.mustToken("victim-"+who+"x", auth.RoleRead)
			return request{"DELETE", "/api/v1/tokens/victim-" + who + "x", ""}
		}},
	}
	t.Run("matrix", func(t *testing.T) {
		for _, ep := range endpoints {
			for _, who := range callers {
				want := ep.ok
				switch {
				case ep.need == "":
				case who == "" || who == "wrong":
					want = 401
				case !roles[who].Allows(ep.need):
					want = 403
				}
				r := ep.req(who)
				var body struct {
					Error struct{ Code, Message string }
				}
				var out any = &body
				if strings.HasPrefix(ep.route, "GET /teams") {
					out = nil // HTML
				}
				got := s.do(who, ep.route, r.method, r.path, r.body, nil, out)
				if got != want {
					t.Errorf("%s as %q: %d, want %d (%s)", ep.route, who, got, want, body.Error.Message)
					continue
				}
				if wantCode := map[int]string{401: "unauthorized", 403: "forbidden"}[want]; wantCode != "" && body.Error.Code != wantCode {
					t.Errorf("%s as %q: error %+v, want code %s", ep.route, who, body.Error, wantCode)
				}
			}
		}
	})

	t.Run("the audit trail lists each write once", func(t *testing.T) {
		type tally struct{ entries, requests int }
		got := map[string]tally{}
		for _, e := range s.audit() {
			if e.Remote != "127.0.0.1" || e.ForwardedFor != "" || e.At.IsZero() {
				t.Errorf("entry %+v: want from 127.0.0.1, without X-Forwarded-For (no trusted proxy), with a time", e)
			}
			if e.Role != roles[e.Who] {
				t.Errorf("entry %d by %s with role %s, want %s", e.ID, e.Who, e.Role, roles[e.Who])
			}
			k := fmt.Sprintf("%s|%s|%d", e.Who, e.Route, e.Status)
			got[k] = tally{got[k].entries + 1, got[k].requests + e.Count}
		}
		for k, n := range s.writes {
			want := tally{n, n}
			if strings.Contains(k, "|POST /api/v1/events|") {
				want.entries = 1 // pushes fold per identity and hour
			}
			if got[k] != want {
				t.Errorf("%s: %d entries for %d requests, want %d for %d", k, got[k].entries, got[k].requests, want.entries, want.requests)
			}
			delete(got, k)
		}
		for k, n := range got {
			t.Errorf("the trail lists %s (%d entries) that nobody made", k, n.entries)
		}
		// What the entries say.
		entries := s.audit()
		var grant, refused *auth.Entry
		for i, e := range entries {
			switch {
			case e.Who == "ops" && e.Route == "POST /api/v1/exceptions" && e.Status == 201:
				grant = &entries[i]
			case e.Who == "tills" && e.Route == "POST /api/v1/tokens":
				refused = &entries[i]
			}
		}
		if grant == nil || grant.Service != "loyalty" || !strings.HasPrefix(grant.Object, "exception ") ||
			!strings.Contains(grant.Summary, "releases of loyalty go through until Mon Nov 2 13:00 UTC: points fix") {
			t.Errorf("the grant by ops reads %+v", grant)
		}
		if refused == nil || refused.Status != 403 || !strings.Contains(refused.Summary, "refused: tills (role ingest) may not POST /api/v1/tokens: it needs the admin role") {
			t.Errorf("the refused token creation by tills reads %+v", refused)
		}
	})

	t.Run("no secret in the log or the database", func(t *testing.T) {
		var secrets []string
		for _, v := range s.secrets {
			secrets = append(secrets, v)
		}
		sort.Strings(secrets)
		s.close()
		log := logs.String()
		if !strings.Contains(log, "token created") || !strings.Contains(log, "token=victim-rootx") {
			t.Fatalf("the log does not record the token changes; is it captured?\n%s", log)
		}
		files, _ := filepath.Glob(filepath.Join(s.dataDir, "accord.db*"))
		var db []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			db = append(db, b...)
		}
		if !bytes.Contains(db, []byte("victim-rootx")) || !bytes.Contains(db, []byte(auth.HashSecret(s.secrets["ops"]))) {
			t.Fatalf("the database files %v hold neither a token's name nor its hash: wrong files?", files)
		}
		for _, secret := range secrets {
			if strings.Contains(log, secret) {
				t.Errorf("the log holds a token's secret %.12s…", secret)
			}
			if bytes.Contains(db, []byte(secret)) {
				t.Errorf("the database holds a token's secret %.12s… in clear", secret)
			}
		}
	})
}

// TestExceptionApproverIsTheGrantingToken checks that an exception's
// approver is the name of the token that grants it, against the
// approvers the policy names.
func TestExceptionApproverIsTheGrantingToken(t *testing.T) {
	s := startAuthServer(t, app.Options{})
	s.mustToken("ops", auth.RoleOperator)
	s.mustToken("head-of-it", auth.RoleOperator)
	grant := `{"service": "checkout", "until": "2h", "reason": "card terminal firmware fix"}`
	for _, who := range []string{"ops", auth.BootstrapName} {
		var body struct {
			Error struct{ Code, Message string }
		}
		if code := s.do(who, "POST /api/v1/exceptions", "POST", "/api/v1/exceptions", grant, nil, &body); code != 403 ||
			!strings.Contains(body.Error.Message, who+" may not grant exceptions for checkout: its policy names head-of-it") {
			t.Errorf("grant by %s, whom the policy does not name: %d %+v, want 403 naming the approver", who, code, body.Error)
		}
	}
	var body struct{ Error struct{ Message string } }
	claim := `{"service": "checkout", "until": "2h", "reason": "fix", "by": "head-of-it"}`
	if code := s.do("ops", "POST /api/v1/exceptions", "POST", "/api/v1/exceptions", claim, nil, &body); code != 400 || !strings.Contains(body.Error.Message, "leave by out") {
		t.Errorf("ops claiming to be head-of-it: %d %q, want 400", code, body.Error.Message)
	}
	var e struct {
		ID        int64
		GrantedBy string
	}
	if code := s.do("head-of-it", "POST /api/v1/exceptions", "POST", "/api/v1/exceptions", grant, nil, &e); code != 201 || e.GrantedBy != "head-of-it" {
		t.Fatalf("grant by head-of-it: %d %+v", code, e)
	}
	var list struct{ Exceptions []struct{ GrantedBy string } }
	if code := s.do("", "GET", "GET", "/api/v1/exceptions?service=checkout", "", nil, &list); code != 200 || len(list.Exceptions) != 1 || list.Exceptions[0].GrantedBy != "head-of-it" {
		t.Errorf("exceptions of checkout: %d %+v, want one, granted by head-of-it", code, list)
	}
	// Any operator may revoke: ending an exception only restores the freeze.
	var revoked struct{ RevokedBy string }
	if code := s.do("ops", "DELETE /api/v1/exceptions/{id}", "DELETE", fmt.Sprintf("/api/v1/exceptions/%d", e.ID), "", nil, &revoked); code != 200 || revoked.RevokedBy != "ops" {
		t.Errorf("revoke by ops: %d %+v", code, revoked)
	}
	if code := s.do("ops", "DELETE /api/v1/exceptions/{id}", "DELETE", fmt.Sprintf("/api/v1/exceptions/%d", e.ID), "", nil, nil); code != 409 {
		t.Errorf("revoking it again: %d, want 409", code)
	}
}

// TestReadAuthAndTheTrustedProxy runs Accord with --read-auth behind a
// proxy on 127.0.0.1 that names people in X-Forwarded-Email, and Accord
// whose trusted proxy is elsewhere.
func TestReadAuthAndTheTrustedProxy(t *testing.T) {
	s := startAuthServer(t, app.Options{ReadAuth: true, AuthHeader: "X-Forwarded-Email", TrustedProxies: []string{"127.0.0.1"}, ProxyRole: "operator"})
	s.mustToken("dashboard", auth.RoleRead)
	maria := map[string]string{"X-Forwarded-Email": "maria@freshmart.example", "X-Forwarded-For": "203.0.113.7"}
	cases := []struct {
		who, path string
		header    map[string]string
		want      int
	}{
		{"", "/api/v1/slos", nil, 401},
		{"", "/", nil, 401},
		{"", "/teams/crm", nil, 401},
		{"dashboard", "/api/v1/slos", nil, 200},
		{"dashboard", "/", nil, 200},
		{"", "/api/v1/slos", maria, 200},
		{"", "/healthz", nil, 200},
		{"", "/readyz", nil, 200},
		{"", "/metrics", nil, 200},
		{"", "/api/v1/nothing-here", nil, 404},
	}
	for _, c := range cases {
		if got := s.do(c.who, "GET", "GET", c.path, "", c.header, nil); got != c.want {
			t.Errorf("GET %s as %q (%v): %d, want %d", c.path, c.who, c.header, got, c.want)
		}
	}
	// The page says who is signed in.
	req, _ := http.NewRequest("GET", s.a.URL()+"/", nil)
	req.Header.Set("X-Forwarded-Email", "maria@freshmart.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "maria@freshmart.example") {
		t.Errorf("the overview does not say who is signed in")
	}
	// The person the proxy names writes under their name, from the address
	// the proxy forwarded.
	annotation := `{"kind": "incident", "service": "loyalty", "incident": "INC-7", "link": "https://incidents.test/7"}`
	var a struct{ By string }
	if code := s.do("", "POST /api/v1/annotations", "POST", "/api/v1/annotations", annotation, maria, &a); code != 201 || a.By != "maria@freshmart.example" {
		t.Fatalf("annotate through the proxy: %d %+v", code, a)
	}
	// A page on another site may not make the signed-in person's browser write.
	cross := map[string]string{"X-Forwarded-Email": "maria@freshmart.example", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	if code := s.do("", "POST /api/v1/annotations", "POST", "/api/v1/annotations", annotation, cross, nil); code != 403 {
		t.Errorf("a cross-site write: %d, want 403", code)
	}
	entries := s.audit()
	var found bool
	for _, e := range entries {
		if e.Who == "maria@freshmart.example" && e.Status == 201 {
			found = true
			if e.Via != auth.ViaProxy || e.Role != auth.RoleOperator || e.Remote != "127.0.0.1" || e.ForwardedFor != "203.0.113.7" {
				t.Errorf("the proxied write reads %+v, want via proxy, operator, from 127.0.0.1 for 203.0.113.7", e)
			}
		}
	}
	if !found {
		t.Errorf("the audit trail lacks the proxied write: %+v", entries)
	}

	// A proxy header from an address Accord does not trust counts for nothing.
	other := startAuthServer(t, app.Options{ReadAuth: true, AuthHeader: "X-Forwarded-Email", TrustedProxies: []string{"10.9.9.9"}})
	if code := other.do("", "GET", "GET", "/api/v1/slos", "", maria, nil); code != 401 {
		t.Errorf("an identity header from an untrusted address: %d, want 401", code)
	}
	if code := other.do(auth.BootstrapName, "POST /api/v1/annotations", "POST", "/api/v1/annotations", annotation, maria, nil); code != 201 {
		t.Fatalf("annotate: %d", code)
	}
	if e := other.audit()[0]; e.Who != auth.BootstrapName || e.ForwardedFor != "" {
		t.Errorf("a write from an untrusted address reads %+v, want bootstrap's, without X-Forwarded-For", e)
	}
	if _, err := app.New(context.Background(), app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		AuthHeader: "X-Forwarded-Email"}); err == nil || !strings.Contains(err.Error(), "name the proxy") {
		t.Errorf("--auth-header without --trusted-proxy: %v, want refused", err)
	}
}
