package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func alertNote(sloID, rule string, at time.Time) engine.Notification {
	return engine.Notification{Kind: engine.NotifyAlert, At: at, Alert: engine.Alert{SLO: sloID, Rule: rule, State: engine.AlertFiring},
		Labels: map[string]string{"slo": sloID}}
}

func testReopen(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", engine.KindEvents, 100, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	lead(t, s)
	if err := s.SaveAlerts(ctx, []engine.Alert{{SLO: "a/b", Group: "{}", Rule: "fast", State: engine.AlertFiring}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddException(ctx, slo.Exception{Service: "a", Reason: "fix", From: t0, Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, open) // migrations already applied are not applied again
	got, rows := loadAll(t, s, 0)
	alerts, err := s.LoadAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exc, err := s.Exceptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1 || got["a/b|{}|events|100"].Total != 1 || len(alerts) != 1 || alerts[0].State != engine.AlertFiring || len(exc) != 1 {
		t.Errorf("after reopening: counts %v, alerts %+v, exceptions %+v; want what was stored", got, alerts, exc)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func testAlertsAndPolicies(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	lead(t, s)
	a := engine.Alert{SLO: "a/b", Group: `{"store":"1"}`, Rule: "fast", State: engine.AlertPending, Since: t0}
	if err := s.SaveAlerts(ctx, []engine.Alert{a}, nil); err != nil {
		t.Fatal(err)
	}
	a.State, a.FiredAt = engine.AlertFiring, t0.Add(time.Minute)
	b := engine.Alert{SLO: "a/b", Group: `{"store":"2"}`, Rule: "fast", State: engine.AlertResolved}
	if err := s.SaveAlerts(ctx, []engine.Alert{a, b}, []engine.Notification{alertNote("a/b", "fast", t0)}); err != nil {
		t.Fatal(err)
	}
	alerts, err := s.LoadAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byGroup := map[string]engine.Alert{}
	for _, x := range alerts {
		byGroup[x.Group] = x
	}
	if len(alerts) != 2 || byGroup[a.Group].State != engine.AlertFiring || !byGroup[a.Group].FiredAt.Equal(a.FiredAt) {
		t.Errorf("alerts %+v; want the second save to replace the first, and both groups", alerts)
	}
	rec := engine.PolicyRecord{SLO: "a/b", Policy: "default", State: "healthy", Since: t0}
	if err := s.SavePolicyStates(ctx, []engine.PolicyRecord{rec}, nil); err != nil {
		t.Fatal(err)
	}
	rec.State = "exhausted"
	change := &engine.PolicyChange{SLO: "a/b", From: "healthy", To: "exhausted"}
	if err := s.SavePolicyStates(ctx, []engine.PolicyRecord{rec}, []engine.Notification{{Kind: engine.NotifyPolicy, At: t0, Policy: change}}); err != nil {
		t.Fatal(err)
	}
	states, err := s.LoadPolicyStates(ctx)
	if err != nil || len(states) != 1 || states[0].State != "exhausted" {
		t.Errorf("policy states %+v %v; want one, exhausted", states, err)
	}
	notes, err := s.Notifications(ctx, 0, "a/b", 10)
	if err != nil || len(notes) != 2 || notes[0].Kind != engine.NotifyAlert || notes[1].Policy == nil || notes[1].Policy.To != "exhausted" {
		t.Errorf("notifications %+v %v; want the alert's, then the policy change's", notes, err)
	}
}

func testSourceStates(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	lead(t, s)
	stale := engine.SourceState{Stale: true, StaleSince: t0, Error: "query failed: 503", Backfill: 0.5}
	if err := s.SaveSourceStates(ctx, map[string]engine.SourceState{"a/b": stale, "a/c": {Backfill: 1, LastSuccess: t0}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSourceStates(ctx, map[string]engine.SourceState{"a/c": {Backfill: 1, LastSuccess: t0.Add(time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadSourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["a/b"].Stale || !got["a/b"].StaleSince.Equal(t0) || got["a/b"].Error != stale.Error ||
		!got["a/c"].LastSuccess.Equal(t0.Add(time.Minute)) {
		t.Errorf("source states %+v; want a/b stale as saved and a/c's second save", got)
	}
}

func testNotifications(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	lead(t, s)
	if err := s.SaveAlerts(ctx, nil, []engine.Notification{alertNote("a/b", "fast", t0), alertNote("a/c", "fast", t0)}); err != nil {
		t.Fatal(err)
	}
	cur, err := s.Cursor(ctx, "webhook:x")
	if err != nil {
		t.Fatal(err)
	}
	var notes []engine.Notification
	for i := 0; i < 5; i++ {
		notes = append(notes, alertNote("a/b", "slow", t0.Add(time.Duration(i)*time.Minute)))
	}
	if err := s.SaveAlerts(ctx, nil, notes); err != nil {
		t.Fatal(err)
	}
	got, err := s.Notifications(ctx, cur, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Alert.Rule != "slow" || !got[0].At.Equal(t0) || got[2].ID <= got[1].ID || got[1].ID <= got[0].ID {
		t.Fatalf("a new channel's first notifications %+v; want the 3 oldest saved after it started, ids growing", got)
	}
	if err := s.ClaimNotifications(ctx, "webhook:x", got[0].ID, got[2].ID); !errors.Is(err, store.ErrCursorMoved) {
		t.Errorf("a claim from behind the cursor: %v; want ErrCursorMoved", err)
	}
	if err := s.ClaimNotifications(ctx, "webhook:x", cur, got[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "webhook:x", got[2].ID); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Cursor(ctx, "webhook:x"); err != nil || again != got[2].ID {
		t.Errorf("cursor %d %v after setting it to %d", again, err, got[2].ID)
	}
	rest, err := s.Notifications(ctx, got[2].ID, "", 10)
	if err != nil || len(rest) != 2 || !rest[1].At.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("the rest: %+v %v; want the last two, in order", rest, err)
	}
	if only, err := s.Notifications(ctx, 0, "a/c", 10); err != nil || len(only) != 1 {
		t.Errorf("a/c's notifications: %+v %v; want one", only, err)
	}
}

func testPruneNotifications(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	lead(t, s)
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Cursor(ctx, "webhook:x"); err != nil { // a channel that has delivered nothing yet
		t.Fatal(err)
	}
	if err := s.SaveAlerts(ctx, nil, []engine.Notification{alertNote("a/b", "fast", old), alertNote("a/b", "fast", old.Add(time.Hour)),
		alertNote("a/b", "fast", old.AddDate(0, 3, 0))}); err != nil {
		t.Fatal(err)
	}
	cutoff := engine.UnixMinute(old.AddDate(0, 1, 0))
	if err := s.Prune(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Notifications(ctx, 0, "", 10)
	if len(all) != 3 {
		t.Fatalf("%d notifications left, want all 3: the channel has not delivered them", len(all))
	}
	if err := s.ClaimNotifications(ctx, "webhook:x", 0, all[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "webhook:x", all[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Prune(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Notifications(ctx, 0, "", 10); len(got) != 1 || got[0].ID != all[2].ID {
		t.Errorf("after delivery, notifications %+v; want only the recent one", got)
	}
}

func testAnnotations(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	add := func(a slo.Annotation) slo.Annotation {
		t.Helper()
		got, err := s.AddAnnotation(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	deploy := add(slo.Annotation{Kind: slo.AnnotationDeploy, Service: "checkout", Start: t0, Version: "v2"})
	maint := add(slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "checkout", Start: t0.Add(-2 * time.Hour), End: t0.Add(-time.Hour), ExcludeFromBudget: true})
	add(slo.Annotation{Kind: slo.AnnotationDeploy, Service: "search", Start: t0.Add(time.Minute)})
	if deploy.ID == 0 || maint.ID == deploy.ID {
		t.Fatalf("ids %d and %d; want distinct ids", deploy.ID, maint.ID)
	}
	got, err := s.Annotations(ctx, "checkout", t0.Add(-90*time.Minute), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != maint.ID || !got[0].ExcludeFromBudget || !got[0].End.Equal(t0.Add(-time.Hour)) || got[1].Version != "v2" {
		t.Errorf("checkout's annotations overlapping the last 90 minutes: %+v; want the maintenance window, then the deploy", got)
	}
	if none, err := s.Annotations(ctx, "checkout", t0.Add(-50*time.Minute), t0.Add(-10*time.Minute)); err != nil || len(none) != 0 {
		t.Errorf("annotations between the two: %+v %v; want none", none, err)
	}
	if all, err := s.Annotations(ctx, "", t0.Add(-time.Hour), t0.Add(time.Hour)); err != nil || len(all) != 3 {
		t.Errorf("every service's: %+v %v; want 3", all, err)
	}
}

func testExceptions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	e1, err := s.AddException(ctx, slo.Exception{Service: "checkout", GrantedBy: "ana", Reason: "hotfix", From: t0, Until: t0.Add(4 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddException(ctx, slo.Exception{Service: "search", Reason: "x", From: t0, Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	revoked, err := s.RevokeException(ctx, e1.ID, t0.Add(time.Hour), "bo")
	if err != nil || !revoked.RevokedAt.Equal(t0.Add(time.Hour)) || revoked.RevokedBy != "bo" || revoked.Reason != "hotfix" {
		t.Errorf("revoke: %+v %v", revoked, err)
	}
	if _, err := s.RevokeException(ctx, e1.ID, t0.Add(2*time.Hour), "cy"); slo.ErrorCode(err) != slo.CodeConflict {
		t.Errorf("revoking twice: %v; want a conflict", err)
	}
	all, err := s.Exceptions(ctx)
	if err != nil || len(all) != 2 || all[0].ID != e1.ID || !all[0].RevokedAt.Equal(t0.Add(time.Hour)) || all[1].Service != "search" {
		t.Errorf("exceptions %+v %v; want both, oldest first, the first revoked", all, err)
	}
	if _, err := s.RevokeException(ctx, 9999, t0, "bo"); slo.ErrorCode(err) != slo.CodeNotFound {
		t.Errorf("revoking an unknown exception: %v; want not found", err)
	}
}

func testOwnWrites(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if err := s.LoadCounts(ctx, 0, func(engine.Count) error { return nil }); err != nil {
		t.Fatal(err)
	}
	lead(t, s)
	if err := s.AddCounts(ctx, []engine.Count{count("a/b", "{}", engine.KindEvents, 100, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAlerts(ctx, []engine.Alert{{SLO: "a/b", Group: "{}", Rule: "fast", State: engine.AlertFiring}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAnnotation(ctx, slo.Annotation{Kind: slo.AnnotationDeploy, Service: "a", Start: t0}); err != nil {
		t.Fatal(err)
	}
	ch, err := s.PullChanges(ctx)
	if err != nil || len(ch.Counts) != 0 || ch.Annotations || ch.States {
		t.Errorf("changes after only own writes: %+v %v; want none: the writer counted them already", ch, err)
	}
}
