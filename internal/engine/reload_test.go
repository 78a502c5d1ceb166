package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

const reloadSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: payments, objective: 99, window: 7d, indicator: {ratio: {stream: payments}}, groupBy: [store]}
`

// TestReloadReadsAChangedWindowFromTheStore reloads an SLO whose window
// and grouping change, so its series no longer fit: it reads its counts
// from the store as a restart would, and takes events at once.
func TestReloadReadsAChangedWindowFromTheStore(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, reloadSpec), t.TempDir(), clock)
	defer store.Close()
	ev := counted("payments", now.Add(-time.Hour), 90, 100)
	ev.Labels = map[string]string{"store": "s1"}
	if err := e.Ingest(context.Background(), []engine.Event{ev}); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(strings.Replace(reloadSpec, "window: 7d", "window: 30d", 1), ", groupBy: [store]", "", 1)
	res, err := e.Reload(context.Background(), mustCatalog(t, changed), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 1 || res.Changed[0] != "checkout/payments" || res.Unchanged != 0 {
		t.Errorf("reload result %+v, want checkout/payments changed", res)
	}
	if err := e.Ingest(context.Background(), []engine.Event{counted("payments", now, 10, 10)}); err != nil {
		t.Fatalf("an event without the store label after grouping was dropped: %v", err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("checkout/payments")
	if v.Window != "30d" || v.Status.Counts.Total != 110 || v.Status.Counts.Good != 100 {
		t.Errorf("after the reload: window %s, counts %+v, want 30d and the 110 events stored", v.Window, v.Status.Counts)
	}
	// The store's group is counted in the SLO's one series, not kept as a
	// group of an SLO that has none.
	for _, a := range v.Alerts {
		if a.Group != "{}" {
			t.Errorf("an alert of group %s on an SLO without groups", a.Group)
		}
	}
	if h, ok := e.History("checkout/payments", `{"store":"s1"}`, now.Add(-2*time.Hour), now, time.Hour); ok {
		t.Errorf("the SLO without groups kept the group store=s1: %v", h)
	}
}

// TestReloadForgetsTouchedRemovedSLOs removes an SLO that events were
// pushed for since the last evaluation: evaluating the touched SLOs must
// not look for it.
func TestReloadForgetsTouchedRemovedSLOs(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	e, store := mustEngine(t, mustCatalog(t, reloadSpec), t.TempDir(), engine.NewManualClock(now))
	defer store.Close()
	ev := counted("payments", now.Add(-time.Hour), 90, 100)
	ev.Labels = map[string]string{"store": "s1"}
	if err := e.Ingest(context.Background(), []engine.Event{ev}); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(reloadSpec, "name: payments", "name: refunds", 1)
	if _, err := e.Reload(context.Background(), mustCatalog(t, other), true); err != nil {
		t.Fatal(err)
	}
	if n, err := e.EvaluateTouched(context.Background()); n != 0 || err != nil {
		t.Errorf("EvaluateTouched after the touched SLO was removed: %d, %v; want 0, nil", n, err)
	}
	if n, err := e.FollowTouched(context.Background()); n != 0 || err != nil {
		t.Errorf("FollowTouched after the touched SLO was removed: %d, %v; want 0, nil", n, err)
	}
}

// TestFollowDuringReloadsFindsEverySLO follows pushed events on a replica
// while reloads remove and add the SLO they were pushed for: each follow
// picks SLOs the engine still has, never one a reload just removed.
func TestFollowDuringReloadsFindsEverySLO(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	e, store := mustEngine(t, mustCatalog(t, reloadSpec), t.TempDir(), engine.NewManualClock(now))
	defer store.Close()
	ctx := context.Background()
	cats := []slo.Catalog{
		mustCatalog(t, strings.Replace(reloadSpec, "name: payments", "name: refunds", 1)),
		mustCatalog(t, reloadSpec),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			if _, err := e.Reload(ctx, cats[i%2], false); err != nil {
				t.Error(err)
			}
		}
	}()
	ev := counted("payments", now, 1, 1)
	ev.Labels = map[string]string{"store": "s1"}
	for range 100 {
		_ = e.Ingest(ctx, []engine.Event{ev}) // refused while payments is removed
		if _, err := e.FollowTouched(ctx); err != nil {
			t.Error(err)
		}
		if err := e.Follow(ctx, false); err != nil {
			t.Error(err)
		}
	}
	<-done
}
