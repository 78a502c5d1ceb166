package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/sqlite"
)

var start = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// mustService returns a Service over a SQLite store in a temporary
// directory, its clock at start.
func mustService(t testing.TB, opts auth.Options) (*auth.Service, *sqlite.Store, *engine.ManualClock) {
	t.Helper()
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := engine.NewManualClock(start)
	opts.Store, opts.Clock = store, clock
	s, err := auth.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, store, clock
}

func TestRolesIncludeTheRolesBelow(t *testing.T) {
	cases := []struct {
		have, need auth.Role
		ok         bool
	}{
		{auth.RoleRead, auth.RoleRead, true},
		{auth.RoleRead, auth.RoleIngest, false},
		{auth.RoleIngest, auth.RoleRead, true},
		{auth.RoleIngest, auth.RoleOperator, false},
		{auth.RoleOperator, auth.RoleIngest, true},
		{auth.RoleOperator, auth.RoleAdmin, false},
		{auth.RoleAdmin, auth.RoleOperator, true},
		{"", auth.RoleRead, false},
		{"root", auth.RoleRead, false},
	}
	for _, c := range cases {
		if got := c.have.Allows(c.need); got != c.ok {
			t.Errorf("%q allows %q: %v, want %v", c.have, c.need, got, c.ok)
		}
	}
	if _, err := auth.ParseRole("root"); err == nil || !strings.Contains(err.Error(), "read, ingest, operator, admin") {
		t.Errorf("ParseRole(root): %v, want the roles listed", err)
	}
}

func TestIdentifyTokensBootstrapAndProxy(t *testing.T) {
	proxies, err := auth.ParseProxies([]string{"10.0.0.5", "192.168.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	s, _, clock := mustService(t, auth.Options{Bootstrap: "boot-secret", ProxyHeader: "X-Forwarded-Email", TrustedProxies: proxies, ProxyRole: auth.RoleOperator})
	ctx := context.Background()
	admin := auth.Identity{Name: auth.BootstrapName, Role: auth.RoleAdmin, Via: auth.ViaToken}
	_, ciSecret, err := s.CreateToken(ctx, "ci", auth.RoleIngest, time.Time{}, admin)
	if err != nil {
		t.Fatal(err)
	}
	_, shortSecret, err := s.CreateToken(ctx, "short", auth.RoleRead, start.Add(time.Hour), admin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ciSecret, "accord_") || len(ciSecret) < 40 || ciSecret == shortSecret {
		t.Errorf("secrets %q and %q, want two distinct accord_ secrets of 256 bits", ciSecret, shortSecret)
	}
	cases := []struct {
		name     string
		c        auth.Credentials
		who      string
		role     auth.Role
		via      auth.Via
		remote   string
		fwd      string
		errCode  slo.Code
		errMatch string
	}{
		{"bootstrap", auth.Credentials{Bearer: "boot-secret", Remote: "127.0.0.1:4000"}, "bootstrap", auth.RoleAdmin, auth.ViaToken, "127.0.0.1", "", "", ""},
		{"named token", auth.Credentials{Bearer: ciSecret, Remote: "[::1]:4000"}, "ci", auth.RoleIngest, auth.ViaToken, "::1", "", "", ""},
		{"anonymous", auth.Credentials{Remote: "127.0.0.1:4000"}, "", "", "", "127.0.0.1", "", "", ""},
		{"wrong token", auth.Credentials{Bearer: "accord_nope", Remote: "127.0.0.1:4000"}, "", "", "", "127.0.0.1", "", slo.CodeUnauthorized, "unknown or revoked"},
		{"proxy person", auth.Credentials{ProxyUser: "maria@freshmart.example", Remote: "10.0.0.5:4000", ForwardedFor: "203.0.113.9"},
			"maria@freshmart.example", auth.RoleOperator, auth.ViaProxy, "10.0.0.5", "203.0.113.9", "", ""},
		{"proxy network", auth.Credentials{ProxyUser: "ops@freshmart.example", Remote: "192.168.7.7:4000"}, "ops@freshmart.example", auth.RoleOperator, auth.ViaProxy, "192.168.7.7", "", "", ""},
		{"header from elsewhere", auth.Credentials{ProxyUser: "maria@freshmart.example", Remote: "10.0.0.6:4000", ForwardedFor: "203.0.113.9"}, "", "", "", "10.0.0.6", "", "", ""},
		{"token through the proxy", auth.Credentials{Bearer: ciSecret, ProxyUser: "maria@freshmart.example", Remote: "10.0.0.5:4000"}, "ci", auth.RoleIngest, auth.ViaToken, "10.0.0.5", "", "", ""},
		{"foreign bearer through the proxy", auth.Credentials{Bearer: "eyJhbGciOi.id-token", ProxyUser: "maria@freshmart.example", Remote: "10.0.0.5:4000"},
			"maria@freshmart.example", auth.RoleOperator, auth.ViaProxy, "10.0.0.5", "", "", ""},
		{"control characters", auth.Credentials{ProxyUser: "maria\x00", Remote: "10.0.0.5:4000"}, "", "", "", "10.0.0.5", "", slo.CodeUnauthorized, "not a name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, o, err := s.Identify(ctx, c.c)
			if slo.ErrorCode(err) != c.errCode && !(err == nil && c.errCode == "") {
				t.Fatalf("error %v, want code %q", err, c.errCode)
			}
			if err != nil && !strings.Contains(err.Error(), c.errMatch) {
				t.Errorf("error %v, want %q in it", err, c.errMatch)
			}
			if id.Name != c.who || id.Role != c.role || id.Via != c.via || o.Remote != c.remote || o.ForwardedFor != c.fwd {
				t.Errorf("identified %+v from %+v, want %s (%s via %s) from %s forwarded for %q", id, o, c.who, c.role, c.via, c.remote, c.fwd)
			}
		})
	}

	// An expired token and a revoked one identify nobody.
	clock.Advance(time.Hour)
	if _, _, err := s.Identify(ctx, auth.Credentials{Bearer: shortSecret}); slo.ErrorCode(err) != slo.CodeUnauthorized || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired token: %v, want unauthorized, saying it expired", err)
	}
	if _, err := s.RevokeToken(ctx, "ci", admin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Identify(ctx, auth.Credentials{Bearer: ciSecret}); slo.ErrorCode(err) != slo.CodeUnauthorized {
		t.Errorf("a revoked token: %v, want unauthorized", err)
	}
}

func TestAProxyHeaderNeedsATrustedProxy(t *testing.T) {
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, err = auth.New(auth.Options{Store: store, Clock: engine.NewManualClock(start), ProxyHeader: "X-Forwarded-Email"})
	if err == nil || !strings.Contains(err.Error(), "name the proxy") {
		t.Errorf("an identity header without a trusted proxy: %v, want refused", err)
	}
	for _, bad := range []string{"10.0.0.300", "proxy.internal", "10.0.0.0/33"} {
		if _, err := auth.ParseProxies([]string{bad}); err == nil {
			t.Errorf("trusted proxy %q: no error", bad)
		}
	}
}

func TestLastUseIsWrittenOnceAMinute(t *testing.T) {
	s, store, clock := mustService(t, auth.Options{})
	ctx := context.Background()
	tok, secret, err := s.CreateToken(ctx, "tills", auth.RoleIngest, time.Time{}, auth.Identity{Name: "bootstrap"})
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		t.Helper()
		all, err := store.Tokens(ctx)
		if err != nil || len(all) != 1 || all[0].ID != tok.ID {
			t.Fatalf("tokens %+v %v", all, err)
		}
		return all[0].LastUsed
	}
	if !lastUsed().IsZero() {
		t.Fatal("a new token has a last use")
	}
	for i := range 3 {
		clock.Set(start.Add(time.Duration(i) * 20 * time.Second))
		if _, _, err := s.Identify(ctx, auth.Credentials{Bearer: secret}); err != nil {
			t.Fatal(err)
		}
	}
	if got := lastUsed(); !got.Equal(start) {
		t.Errorf("after uses at 0s, 20s, 40s the last use reads %v, want %v (written once a minute)", got, start)
	}
	clock.Set(start.Add(61 * time.Second))
	if _, _, err := s.Identify(ctx, auth.Credentials{Bearer: secret}); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(start.Add(61 * time.Second)) {
		t.Errorf("a minute later the last use reads %v, want %v", got, start.Add(61*time.Second))
	}
}

func TestCreateTokenChecksEverything(t *testing.T) {
	s, _, _ := mustService(t, auth.Options{})
	ctx := context.Background()
	_, _, err := s.CreateToken(ctx, "-bad name", "root", start.Add(-time.Hour), auth.Identity{Name: "bootstrap"})
	for _, want := range []string{"name:", "role:", "expires:"} {
		if slo.ErrorCode(err) != slo.CodeInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("a bad token: %v, want invalid listing %q", err, want)
		}
	}
	for _, name := range []string{"bootstrap", "", strings.Repeat("a", 65), "a/b", "a b"} {
		if _, _, err := s.CreateToken(ctx, name, auth.RoleRead, time.Time{}, auth.Identity{}); slo.ErrorCode(err) != slo.CodeInvalid {
			t.Errorf("token name %q: %v, want invalid", name, err)
		}
	}
	for _, name := range []string{"ci", "maria.jensen@freshmart.example", "head-of-store-it", "a+b_c"} {
		if _, _, err := s.CreateToken(ctx, name, auth.RoleRead, time.Time{}, auth.Identity{}); err != nil {
			t.Errorf("token name %q: %v", name, err)
		}
	}
}

func TestEventPushesFoldPerHourAndFlush(t *testing.T) {
	s, store, clock := mustService(t, auth.Options{})
	ctx := context.Background()
	push := func(at time.Time) {
		t.Helper()
		clock.Set(at)
		if err := s.Record(ctx, auth.Entry{Who: "tills", Via: auth.ViaToken, Role: auth.RoleIngest, Method: "POST",
			Route: "POST /api/v1/events", Status: 202, Remote: "10.0.0.8", Folded: true}); err != nil {
			t.Fatal(err)
		}
	}
	stored := func() []auth.Entry {
		t.Helper()
		got, err := store.Audit(ctx, auth.Query{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	push(start)
	push(start.Add(10 * time.Second))
	if got := stored(); len(got) != 0 {
		t.Errorf("pushes within a minute were written at once: %+v", got)
	}
	push(start.Add(70 * time.Second)) // a minute since the first: written
	got := stored()
	if len(got) != 1 || got[0].Count != 3 || !got[0].At.Equal(start) || !got[0].LastAt.Equal(start.Add(70*time.Second)) {
		t.Fatalf("after a minute: %+v, want one entry of 3 pushes", got)
	}
	push(start.Add(80 * time.Second))
	push(start.Add(time.Hour)) // the next hour starts a new entry
	read, err := s.Audit(ctx, auth.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 2 || read[0].Count != 1 || read[1].Count != 4 {
		t.Errorf("reading the trail writes what is folded: %+v, want 4 pushes in the first hour and 1 in the next", read)
	}
	// Writes other than pushes are written at once, each its own entry.
	for range 2 {
		if err := s.Record(ctx, auth.Entry{Who: "maria.jensen", Route: "POST /api/v1/annotations", Status: 201}); err != nil {
			t.Fatal(err)
		}
	}
	if got := stored(); len(got) != 4 || got[0].Count != 1 || got[0].Folded {
		t.Errorf("two annotations: %+v, want an entry each", got[:2])
	}
}

func TestPruneKeepsTheTrailBounded(t *testing.T) {
	s, store, clock := mustService(t, auth.Options{Retention: 48 * time.Hour, MaxEntries: 3})
	ctx := context.Background()
	for i := range 6 {
		clock.Set(start.Add(time.Duration(i) * 12 * time.Hour))
		if err := s.Record(ctx, auth.Entry{Who: "maria.jensen", Route: "POST /api/v1/annotations", Status: 201}); err != nil {
			t.Fatal(err)
		}
	}
	// The newest is at 60h; retention keeps 12h.. and the bound the last 3.
	if err := s.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Audit(ctx, auth.Query{Limit: 10})
	if len(got) != 3 || !got[2].At.Equal(start.Add(36*time.Hour)) {
		t.Errorf("after pruning: %d entries, oldest %v; want 3 from 36h on", len(got), got[len(got)-1].At)
	}
}

// failingAudit is a store whose audit writes fail while failing is set,
// counting the attempts.
type failingAudit struct {
	auth.Store
	failing  bool
	attempts int
}

func (f *failingAudit) AddAudit(ctx context.Context, e auth.Entry, foldKey string) error {
	f.attempts++
	if f.failing {
		return errors.New("disk full")
	}
	return f.Store.AddAudit(ctx, e, foldKey)
}

func TestFailedFoldedWritesWaitBeforeTheyAreRetried(t *testing.T) {
	_, sqliteStore, clock := mustService(t, auth.Options{})
	store := &failingAudit{Store: sqliteStore, failing: true}
	s, err := auth.New(auth.Options{Store: store, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	push := func(at time.Duration) error {
		clock.Set(start.Add(at))
		return s.Record(ctx, auth.Entry{Who: "tills", Route: "POST /api/v1/events", Status: 202, Folded: true})
	}
	if err := push(0); err != nil {
		t.Fatal(err)
	}
	if err := push(70 * time.Second); err == nil || store.attempts != 1 {
		t.Fatalf("a due write to a failing store: %v after %d attempts, want its error after 1", err, store.attempts)
	}
	for _, at := range []time.Duration{80 * time.Second, 100 * time.Second} {
		if err := push(at); err != nil || store.attempts != 1 {
			t.Errorf("push at %s, within a minute of the failure: %v, %d attempts; want no retry", at, err, store.attempts)
		}
	}
	store.failing = false
	if err := push(131 * time.Second); err != nil || store.attempts != 2 {
		t.Fatalf("a minute after the failure: %v, %d attempts; want one retry that succeeds", err, store.attempts)
	}
	got, err := sqliteStore.Audit(ctx, auth.Query{Limit: 10})
	if err != nil || len(got) != 1 || got[0].Count != 5 {
		t.Errorf("after the retry: %+v %v, want one entry of all 5 pushes", got, err)
	}
}

func TestReadingWithoutFoldedEntriesWritesNothing(t *testing.T) {
	_, sqliteStore, clock := mustService(t, auth.Options{})
	store := &failingAudit{Store: sqliteStore}
	s, err := auth.New(auth.Options{Store: store, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Record(ctx, auth.Entry{Who: "tills", Route: "POST /api/v1/events", Status: 202, Folded: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Audit(ctx, auth.Query{Unfolded: true}); err != nil || store.attempts != 0 {
		t.Errorf("a read leaving folded entries out: %v, %d writes; want none", err, store.attempts)
	}
	if got, err := s.Audit(ctx, auth.Query{}); err != nil || store.attempts != 1 || len(got) != 1 || got[0].Count != 1 {
		t.Errorf("a read with folded entries: %+v %v after %d writes; want the push written once", got, err, store.attempts)
	}
}
