package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestFollowerShowsTheLeadersStatesAndSavesNothing runs a leader and a
// follower engine on one store, the follower counting what the leader
// stored as a replica pulls it.
func TestFollowerShowsTheLeadersStatesAndSavesNothing(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := mustCatalog(t, paymentsSpec)
	leader, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	follower := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock})
	if err := follower.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	// An hour of 1,000 events a minute, 10% bad: a burn rate of 100.
	var counts []engine.Count
	for m := 0; m < 60; m++ {
		counts = append(counts, engine.Count{SLO: "checkout/payments", Group: "{}", Kind: engine.KindEvents,
			Minute: engine.UnixMinute(start) + int64(m), Counts: engine.Counts{Good: 900, Total: 1000}})
	}
	clock.Set(start.Add(time.Hour))
	if err := leader.Record(ctx, counts); err != nil {
		t.Fatal(err)
	}
	follower.Apply(counts)
	if err := leader.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	notes, _ := store.Notifications(ctx, 0, "", 100)
	if len(notes) == 0 {
		t.Fatal("the leader sent no notification for a burn rate of 100")
	}
	firing := func(e *engine.Engine) (n int, burn float64) {
		v, _ := e.SLO("checkout/payments")
		for _, a := range v.Alerts {
			if a.State == engine.AlertFiring {
				n++
				if a.Rule == "fast" {
					burn = a.LongBurn
				}
			}
		}
		return n, burn
	}
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	lv, _ := leader.SLO("checkout/payments")
	fv, _ := follower.SLO("checkout/payments")
	if fv.Status.Counts != lv.Status.Counts || fv.Status.Counts.Total != 60_000 {
		t.Errorf("follower counts %+v, leader %+v; want the same 60,000 events", fv.Status.Counts, lv.Status.Counts)
	}
	if n, _ := firing(follower); n != 0 {
		t.Errorf("the follower shows %d firing alerts before taking the leader's states; want none of its own", n)
	}
	if err := follower.Follow(ctx, true); err != nil {
		t.Fatal(err)
	}
	ln, lburn := firing(leader)
	fn, fburn := firing(follower)
	if fn != ln || fn == 0 || !near(fburn, lburn, 1e-9) || !near(fburn, 100, 0.01) {
		t.Errorf("follower: %d firing, fast burn %v; leader: %d firing, burn %v", fn, fburn, ln, lburn)
	}
	fv, _ = follower.SLO("checkout/payments")
	if fv.Policy.State != lv.Policy.State || fv.Policy.State == "" {
		t.Errorf("follower's policy state %q, leader's %q", fv.Policy.State, lv.Policy.State)
	}
	if fv.Alerts[0].Labels["team"] != "pos-platform" {
		t.Errorf("follower's alert labels %v; want them built from its catalog", fv.Alerts[0].Labels)
	}
	clock.Set(start.Add(2 * time.Hour)) // the burn is over
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	if after, _ := store.Notifications(ctx, 0, "", 100); len(after) != len(notes) {
		t.Errorf("%d notifications after following, %d before: a follower saves none", len(after), len(notes))
	}
	// Restoring again replaces the counts rather than adding to them.
	if err := follower.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	if fv, _ = follower.SLO("checkout/payments"); fv.Status.Counts.Total != 60_000 {
		t.Errorf("after a second restore the follower counts %v events, want 60,000", fv.Status.Counts.Total)
	}
}
