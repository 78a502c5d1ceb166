package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

const twoStreamsSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: payments
      objective: 99
      window: 7d
      indicator: {ratio: {stream: payments}}
    - name: receipts
      objective: 99
      window: 7d
      indicator: {ratio: {stream: receipts}}
`

// TestEvaluateTouchedEvaluatesOnlyWhatWasCounted pushes events to one of
// two SLOs: evaluating the touched SLOs shows them at once and leaves the
// other as the last evaluation left it.
func TestEvaluateTouchedEvaluatesOnlyWhatWasCounted(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, twoStreamsSpec), t.TempDir(), clock)
	defer store.Close()
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if e.Pending() {
		t.Fatal("an engine nothing was pushed to has touched SLOs")
	}

	// Three pushes before anyone evaluates wake the evaluator once.
	for _, ev := range []engine.Event{counted("payments", now, 1, 2), counted("payments", now, 3, 3), counted("payments", now, 0, 1)} {
		if err := e.Ingest(ctx, []engine.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-e.Touched():
	default:
		t.Fatal("a push does not signal Touched")
	}
	select {
	case <-e.Touched():
		t.Fatal("three pushes before an evaluation signal Touched more than once")
	default:
	}
	if !e.Pending() {
		t.Fatal("after a push Pending is false")
	}
	if v, _ := e.SLO("checkout/payments"); v.Status.HasData() {
		t.Fatalf("before any evaluation the pushed SLO shows %+v", v.Status.Counts)
	}

	clock.Set(now.Add(10 * time.Second)) // an SLO evaluated now would show the later time
	n, err := e.EvaluateTouched(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("EvaluateTouched evaluated %d SLOs, want the 1 that was pushed to", n)
	}
	pay, _ := e.SLO("checkout/payments")
	if got := pay.Status.Counts; got.Good != 4 || got.Total != 6 {
		t.Errorf("payments counts %+v after EvaluateTouched, want 4 good of 6", got)
	}
	if rec, _ := e.SLO("checkout/receipts"); !rec.Status.At.Equal(now) || rec.Status.HasData() {
		t.Errorf("receipts, not pushed to, changed: %+v", rec.Status)
	}
	if e.Pending() {
		t.Error("after EvaluateTouched Pending is still true")
	}
	if n, err := e.EvaluateTouched(ctx); n != 0 || err != nil {
		t.Errorf("a second EvaluateTouched evaluated %d SLOs (%v), want none", n, err)
	}

	// A full evaluation covers what was touched before it.
	if err := e.Ingest(ctx, []engine.Event{counted("receipts", now, 9, 10)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if e.Pending() {
		t.Error("after a full evaluation Pending is still true")
	}
	if rec, _ := e.SLO("checkout/receipts"); rec.Status.Counts.Total != 10 {
		t.Errorf("receipts counts %+v after a full evaluation, want 10 events", rec.Status.Counts)
	}
}

// TestFollowTouchedShowsPushesAndSavesNothing pushes an outage to a
// replica that does not lead: following the touched SLOs shows the events
// at once, as on the leader, but steps and saves no alert, since alerting
// is the leader's.
func TestFollowTouchedShowsPushesAndSavesNothing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC)
	clock := engine.NewManualClock(now)
	cat := mustCatalog(t, twoStreamsSpec)
	leader, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	follower := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock})
	if err := follower.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := leader.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	for m := 20; m >= 0; m-- { // twenty minutes of a full outage
		if err := follower.Ingest(ctx, []engine.Event{counted("payments", now.Add(-time.Duration(m)*time.Minute), 0, 1000)}); err != nil {
			t.Fatal(err)
		}
	}
	if !follower.Pending() {
		t.Fatal("after a push the follower has nothing pending")
	}
	n, err := follower.FollowTouched(ctx)
	if err != nil || n != 1 {
		t.Fatalf("FollowTouched: %d SLOs, %v; want the 1 pushed to", n, err)
	}
	if follower.Pending() {
		t.Error("after FollowTouched the push is still pending")
	}
	v, _ := follower.SLO("checkout/payments")
	if v.Status.Counts.Total != 21_000 || v.Status.Counts.Good != 0 {
		t.Errorf("the follower shows %+v, want the 21,000 bad events pushed", v.Status.Counts)
	}
	for _, a := range v.Alerts {
		if a.State != engine.AlertInactive {
			t.Errorf("the follower stepped alert %s to %s; only the leader alerts", a.Rule, a.State)
		}
	}
	if saved, err := store.LoadAlerts(ctx); err != nil || len(saved) != 0 {
		t.Errorf("the follower saved alerts %+v (%v); want none", saved, err)
	}
}

// TestSpecSeverityLabelIsKept: a page level's own severity label (Sloth's
// `severity: pageteam`) reaches the alert's labels, as it reaches the
// generated Prometheus rules, so alert routes that match on it keep
// working; a level without one says page or ticket.
func TestSpecSeverityLabelIsKept(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 30, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, twoStreamsSpec+`      alerting:
        page: {labels: {severity: pageteam}}
`), t.TempDir(), clock)
	defer store.Close()
	for m := 30; m >= 0; m-- { // half an hour of a full outage
		if err := e.Ingest(ctx, []engine.Event{counted("receipts", now.Add(-time.Duration(m)*time.Minute), 0, 1000)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("checkout/receipts")
	pages := 0
	for _, a := range v.Alerts {
		want := "ticket"
		if a.Severity == "page" {
			want = "pageteam"
			if a.State == engine.AlertFiring {
				pages++
			}
		}
		if a.Labels["severity"] != want {
			t.Errorf("alert %s (%s) has severity label %q, want %q", a.Rule, a.Severity, a.Labels["severity"], want)
		}
	}
	if pages == 0 {
		t.Errorf("no page fires for half an hour of a full outage: %+v", v.Alerts)
	}
}
