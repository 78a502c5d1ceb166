// Package authtest checks an auth.Store implementation against the
// contract auth.Store documents, so that every store (SQLite, PostgreSQL)
// runs the same tests.
package authtest

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/slo"
)

// Run runs the contract's tests; newStore returns an empty store that
// lives until the test ends.
func Run(t *testing.T, newStore func(t *testing.T) auth.Store) {
	t.Run("Tokens", func(t *testing.T) { testTokens(t, newStore(t)) })
	t.Run("AuditAppendsAndPages", func(t *testing.T) { testAuditPages(t, newStore(t)) })
	t.Run("AuditFilters", func(t *testing.T) { testAuditFilters(t, newStore(t)) })
	t.Run("AuditFolds", func(t *testing.T) { testAuditFolds(t, newStore(t)) })
	t.Run("AuditPrunes", func(t *testing.T) { testAuditPrunes(t, newStore(t)) })
}

// base is a time with whole milliseconds, as stores keep them.
var base = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func testTokens(t *testing.T, s auth.Store) {
	ctx := context.Background()
	ci, err := s.CreateToken(ctx, auth.Token{Name: "ci", Role: auth.RoleIngest, Hash: "h-ci", CreatedAt: base, CreatedBy: "bootstrap",
		ExpiresAt: base.Add(90 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	maria, err := s.CreateToken(ctx, auth.Token{Name: "maria.jensen", Role: auth.RoleOperator, Hash: "h-maria", CreatedAt: base.Add(time.Minute), CreatedBy: "bootstrap"})
	if err != nil {
		t.Fatal(err)
	}
	if ci.ID == 0 || maria.ID == 0 || ci.ID == maria.ID {
		t.Fatalf("ids %d and %d, want two distinct ids", ci.ID, maria.ID)
	}
	if _, err := s.CreateToken(ctx, auth.Token{Name: "ci", Role: auth.RoleAdmin, Hash: "h-other", CreatedAt: base}); slo.ErrorCode(err) != slo.CodeConflict {
		t.Errorf("a second unrevoked token named ci: %v, want a conflict", err)
	}
	got, err := s.TokenByHash(ctx, "h-ci")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != ci.ID || got.Name != "ci" || got.Role != auth.RoleIngest || got.Hash != "h-ci" || !got.CreatedAt.Equal(base) ||
		got.CreatedBy != "bootstrap" || !got.ExpiresAt.Equal(base.Add(90*24*time.Hour)) || !got.LastUsed.IsZero() || !got.RevokedAt.IsZero() {
		t.Errorf("token by hash: %+v, want ci as created", got)
	}
	if _, err := s.TokenByHash(ctx, "h-nobody"); slo.ErrorCode(err) != slo.CodeNotFound {
		t.Errorf("unknown hash: %v, want not found", err)
	}
	if err := s.TouchToken(ctx, maria.ID, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TokenByHash(ctx, "h-maria"); !got.LastUsed.Equal(base.Add(time.Hour)) || !got.ExpiresAt.IsZero() {
		t.Errorf("after a use: %+v, want last used at %s and no expiry", got, base.Add(time.Hour))
	}

	revoked, err := s.RevokeToken(ctx, "ci", base.Add(2*time.Hour), "maria.jensen")
	if err != nil {
		t.Fatal(err)
	}
	if revoked.ID != ci.ID || !revoked.RevokedAt.Equal(base.Add(2*time.Hour)) || revoked.RevokedBy != "maria.jensen" {
		t.Errorf("revoked: %+v", revoked)
	}
	if _, err := s.TokenByHash(ctx, "h-ci"); slo.ErrorCode(err) != slo.CodeNotFound {
		t.Errorf("a revoked token is still found: %v", err)
	}
	if _, err := s.RevokeToken(ctx, "ci", base.Add(3*time.Hour), "x"); slo.ErrorCode(err) != slo.CodeNotFound {
		t.Errorf("revoking a revoked token: %v, want not found", err)
	}
	again, err := s.CreateToken(ctx, auth.Token{Name: "ci", Role: auth.RoleIngest, Hash: "h-ci-2", CreatedAt: base.Add(3 * time.Hour), CreatedBy: "bootstrap"})
	if err != nil {
		t.Fatalf("a new token may take a revoked token's name: %v", err)
	}
	all, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != ci.ID || all[1].ID != maria.ID || all[2].ID != again.ID || all[0].RevokedAt.IsZero() || !all[2].RevokedAt.IsZero() {
		t.Errorf("tokens %+v, want ci (revoked), maria.jensen and the new ci, oldest first", all)
	}
}

func entry(at time.Time, who, service string, status int) auth.Entry {
	return auth.Entry{At: at, LastAt: at, Who: who, Via: auth.ViaToken, Role: auth.RoleOperator, Method: "POST",
		Route: "POST /api/v1/annotations", Object: "annotation 1", Service: service, Summary: "recorded deploy 1.2 on " + service,
		Status: status, Remote: "10.0.0.7", ForwardedFor: "203.0.113.9", Count: 1}
}

func mustAdd(t *testing.T, s auth.Store, entries ...auth.Entry) {
	t.Helper()
	for _, e := range entries {
		if err := s.AddAudit(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(entries []auth.Entry) []int64 {
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func testAuditPages(t *testing.T, s auth.Store) {
	ctx := context.Background()
	for i := range 5 {
		mustAdd(t, s, entry(base.Add(time.Duration(i)*time.Minute), "maria.jensen", "checkout", 201))
	}
	first, err := s.Audit(ctx, auth.Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || !first[0].At.Equal(base.Add(4*time.Minute)) || first[0].ID <= first[1].ID {
		t.Fatalf("first page %+v, want the two newest, newest first", first)
	}
	want := entry(base.Add(4*time.Minute), "maria.jensen", "checkout", 201)
	want.ID = first[0].ID
	if first[0] != want {
		t.Errorf("stored entry reads\n%+v\nwant\n%+v", first[0], want)
	}
	rest, err := s.Audit(ctx, auth.Query{Limit: 10, Before: first[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 3 || rest[0].ID >= first[1].ID || !rest[2].At.Equal(base) {
		t.Errorf("second page %v after %v, want the three older entries", ids(rest), ids(first))
	}
}

func testAuditFilters(t *testing.T, s auth.Store) {
	ctx := context.Background()
	mustAdd(t, s,
		entry(base, "maria.jensen", "checkout", 201),
		entry(base.Add(time.Hour), "ci", "store-sync", 201),
		entry(base.Add(2*time.Hour), "ci", "checkout", 403),
		entry(base.Add(3*time.Hour), "bootstrap", "", 201),
	)
	if err := s.AddAudit(ctx, auth.Entry{At: base.Add(4 * time.Hour), LastAt: base.Add(4 * time.Hour), Who: "tills", Via: auth.ViaToken,
		Role: auth.RoleIngest, Method: "POST", Route: "POST /api/v1/events", Status: 202, Remote: "10.0.0.8", Count: 3, Folded: true}, "tills-key"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    auth.Query
		want []string // who, newest first
	}{
		{"all", auth.Query{Limit: 10}, []string{"tills", "bootstrap", "ci", "ci", "maria.jensen"}},
		{"who", auth.Query{Limit: 10, Who: "ci"}, []string{"ci", "ci"}},
		{"services", auth.Query{Limit: 10, Services: []string{"checkout", "store-sync"}}, []string{"ci", "ci", "maria.jensen"}},
		{"one service", auth.Query{Limit: 10, Services: []string{"checkout"}}, []string{"ci", "maria.jensen"}},
		{"from..to", auth.Query{Limit: 10, From: base.Add(time.Hour), To: base.Add(3 * time.Hour)}, []string{"ci", "ci"}},
		{"succeeded", auth.Query{Limit: 10, Succeeded: true, Services: []string{"checkout"}}, []string{"maria.jensen"}},
		{"unfolded", auth.Query{Limit: 10, Unfolded: true, From: base.Add(3 * time.Hour)}, []string{"bootstrap"}},
	}
	for _, c := range cases {
		got, err := s.Audit(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, e := range got {
			who = append(who, e.Who)
		}
		if !equal(who, c.want) {
			t.Errorf("%s: %v, want %v", c.name, who, c.want)
		}
	}
	got, _ := s.Audit(ctx, auth.Query{Limit: 1})
	if len(got) != 1 || !got[0].Folded || got[0].Count != 3 {
		t.Errorf("the folded entry reads %+v, want folded with 3 requests", got)
	}
}

func testAuditFolds(t *testing.T, s auth.Store) {
	ctx := context.Background()
	push := func(key string, at time.Time, n int) {
		t.Helper()
		e := auth.Entry{At: at, LastAt: at, Who: "tills", Via: auth.ViaToken, Role: auth.RoleIngest, Method: "POST",
			Route: "POST /api/v1/events", Status: 202, Remote: "10.0.0.8", Count: n, Folded: true}
		if err := s.AddAudit(ctx, e, key); err != nil {
			t.Fatal(err)
		}
	}
	push("hour-12", base, 5)
	push("hour-12", base.Add(30*time.Minute), 7)
	push("hour-13", base.Add(time.Hour), 1)
	mustAdd(t, s, entry(base.Add(10*time.Minute), "maria.jensen", "checkout", 201), entry(base.Add(11*time.Minute), "maria.jensen", "checkout", 201))
	got, err := s.Audit(ctx, auth.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var folded []auth.Entry
	for _, e := range got {
		if e.Folded {
			folded = append(folded, e)
		}
	}
	if len(got) != 4 || len(folded) != 2 {
		t.Fatalf("%d entries, %d folded, want 4 with 2 folded: %+v", len(got), len(folded), got)
	}
	// hour-12 was stored first, so it is the older of the two.
	h12 := folded[1]
	if h12.Count != 12 || !h12.At.Equal(base) || !h12.LastAt.Equal(base.Add(30*time.Minute)) {
		t.Errorf("hour 12 folds into %+v, want 12 requests from %s to %s", h12, base, base.Add(30*time.Minute))
	}
	if folded[0].Count != 1 {
		t.Errorf("hour 13 reads %+v, want 1 request", folded[0])
	}
}

func testAuditPrunes(t *testing.T, s auth.Store) {
	ctx := context.Background()
	for i := range 10 {
		mustAdd(t, s, entry(base.Add(time.Duration(i)*24*time.Hour), "maria.jensen", "checkout", 201))
	}
	n, err := s.PruneAudit(ctx, base.Add(3*24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Audit(ctx, auth.Query{Limit: 100})
	if n != 3 || len(got) != 7 || !got[6].At.Equal(base.Add(3*24*time.Hour)) {
		t.Errorf("pruned %d before day 3, %d left (oldest %v), want 3 pruned and 7 left from day 3", n, len(got), got[len(got)-1].At)
	}
	n, err = s.PruneAudit(ctx, base, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Audit(ctx, auth.Query{Limit: 100})
	if n != 3 || len(got) != 4 || !got[3].At.Equal(base.Add(6*24*time.Hour)) {
		t.Errorf("pruned %d beyond 4, %d left, want 3 pruned and the newest 4 (days 6 to 9) left", n, len(got))
	}
	if n, err := s.PruneAudit(ctx, base, 4); err != nil || n != 0 {
		t.Errorf("pruning again: %d %v, want nothing to do", n, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
