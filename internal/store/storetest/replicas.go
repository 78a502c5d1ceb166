package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

// pull returns the counts another replica added since the last pull, by
// key.
func pull(t *testing.T, s store.Store) (map[string]engine.Counts, store.Changes) {
	t.Helper()
	ch, err := s.PullChanges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.Counts{}
	for _, c := range ch.Counts {
		k := fmt.Sprintf("%s|%s|%s|%d", c.SLO, c.Group, c.Kind, c.Minute)
		v := out[k]
		out[k] = engine.Counts{Good: v.Good + c.Good, Total: v.Total + c.Total}
	}
	return out, ch
}

func testPullCounts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := mustOpen(t, open), mustOpen(t, open)
	if err := b.AddCounts(ctx, []engine.Count{count("x/y", "{}", engine.KindEvents, 10, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	// a restores: what it loads is not pulled again.
	loaded, _ := loadAll(t, a, 0)
	if got, _ := pull(t, a); len(got) != 0 || loaded["x/y|{}|events|10"].Total != 1 {
		t.Fatalf("loaded %v, then pulled %v; want the count loaded once and nothing pulled", loaded, got)
	}
	// Both replicas write concurrently; each pulls exactly the other's.
	var wg sync.WaitGroup
	for i, s := range []store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 40; n++ {
				c := count("x/y", fmt.Sprintf(`{"r":"%d"}`, i), engine.KindEvents, int64(20+n%4), 1, 2)
				if err := s.AddCounts(ctx, []engine.Count{c}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, _ := pull(t, a)
	want := engine.Counts{Good: 10, Total: 20}
	if len(got) != 4 || got[`x/y|{"r":"1"}|events|20`] != want || got[`x/y|{"r":"0"}|events|20`] != (engine.Counts{}) {
		t.Errorf("a pulled %v; want b's four minutes of 10/20 and none of its own", got)
	}
	if again, _ := pull(t, a); len(again) != 0 {
		t.Errorf("a second pull gave %v; want nothing new", again)
	}
	gotB, _ := pull(t, b) // b never loaded: its first pull starts the feed
	if len(gotB) != 0 {
		t.Errorf("b's first pull gave %v; want nothing: it starts the feed", gotB)
	}
	if err := a.AddCounts(ctx, []engine.Count{count("x/y", "{}", engine.KindSlices, 30, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if gotB, _ = pull(t, b); gotB["x/y|{}|slices|30"] != (engine.Counts{Good: 1, Total: 1}) || len(gotB) != 1 {
		t.Errorf("b pulled %v; want a's slice", gotB)
	}
}

func testPullFlags(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := mustOpen(t, open), mustOpen(t, open)
	pull(t, a) // starts a's feed
	if _, ch := pull(t, a); ch.Annotations || ch.States {
		t.Fatalf("changes %+v before anything was written", ch)
	}
	if _, err := b.AddAnnotation(ctx, slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "x", Start: t0, End: t0.Add(time.Hour), ExcludeFromBudget: true}); err != nil {
		t.Fatal(err)
	}
	if _, ch := pull(t, a); !ch.Annotations || ch.States {
		t.Errorf("after b's annotation: %+v; want Annotations only", ch)
	}
	lead(t, b)
	if err := b.SavePolicyStates(ctx, []engine.PolicyRecord{{SLO: "x/y", State: "healthy"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, ch := pull(t, a); ch.Annotations || !ch.States || len(ch.Policies) != 1 || ch.Policies[0].State != "healthy" || len(ch.Alerts) != 0 {
		t.Errorf("after the leader's policy state: %+v; want States with just that policy state", ch)
	}
	if err := b.SaveAlerts(ctx, []engine.Alert{{SLO: "x/y", Group: "{}", Rule: "fast", State: engine.AlertFiring}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, ch := pull(t, a); !ch.States || ch.Sources || len(ch.Alerts) != 1 || ch.Alerts[0].State != engine.AlertFiring || len(ch.Policies) != 0 {
		t.Errorf("after the leader's alert: %+v; want States with just that alert", ch)
	}
	if err := b.SaveSourceStates(ctx, map[string]engine.SourceState{"x/y": {Stale: true}}); err != nil {
		t.Fatal(err)
	}
	if _, ch := pull(t, a); ch.States || !ch.Sources {
		t.Errorf("after the leader's source state: %+v; want Sources only", ch)
	}
	if _, ch := pull(t, a); ch.States || ch.Annotations || ch.Sources {
		t.Errorf("a second pull: %+v; want nothing new", ch)
	}
}

func testLeadership(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := mustOpen(t, open), mustOpen(t, open)
	campaign := func(s store.Store, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.Campaign(ctx, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !campaign(a, time.Minute) || campaign(b, time.Minute) || !campaign(a, time.Minute) {
		t.Fatal("want a to take the free lease and renew it, and b to lose")
	}
	if err := a.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if !campaign(b, 300*time.Millisecond) || campaign(a, time.Minute) {
		t.Fatal("after a resigned, want b to take the lease and a to lose it")
	}
	// b stops renewing (as if killed): its lease runs out and a takes over.
	deadline := time.Now().Add(10 * time.Second)
	for !campaign(a, time.Minute) {
		if time.Now().After(deadline) {
			t.Fatal("a did not take over within 10s of b's 300ms lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if campaign(b, time.Minute) {
		t.Error("b took the lease back while a holds it")
	}
}

func testFence(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := mustOpen(t, open), mustOpen(t, open)
	if err := a.SaveAlerts(ctx, nil, []engine.Notification{alertNote("x/y", "fast", t0)}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("saving alerts without campaigning: %v; want ErrNotLeader", err)
	}
	if ok, err := a.Campaign(ctx, 500*time.Millisecond); err != nil || !ok {
		t.Fatalf("campaign: %v %v", ok, err)
	}
	cur, err := b.Cursor(ctx, "webhook:x") // any replica may start a cursor
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SaveAlerts(ctx, nil, []engine.Notification{alertNote("x/y", "fast", t0)}); err != nil {
		t.Fatal(err)
	}
	notes, err := a.Notifications(ctx, cur, "", 10)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notifications %+v, %v; want the one saved", notes, err)
	}
	id := notes[0].ID
	if err := b.ClaimNotifications(ctx, "webhook:x", cur, id); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("a follower's claim: %v; want ErrNotLeader", err)
	}
	if err := b.SetCursor(ctx, "webhook:x", id); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("a follower's cursor: %v; want ErrNotLeader", err)
	}
	// a claims the notification, then stalls before sending it.
	if err := a.ClaimNotifications(ctx, "webhook:x", cur, id); err != nil {
		t.Fatal(err)
	}
	// a stops renewing; once its lease runs out b takes over.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := b.Campaign(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b did not take over within 10s of a's 500ms lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// a still believes it leads; the database refuses its writes and
	// claims. b claims what a claimed but never recorded as sent, and
	// once b delivered it, a cannot record it, nor claim it again.
	if err := a.ClaimNotifications(ctx, "webhook:x", cur, id); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("the old leader's claim: %v; want ErrNotLeader", err)
	}
	if err := b.ClaimNotifications(ctx, "webhook:x", cur, id); err != nil {
		t.Fatalf("the new leader's claim: %v", err)
	}
	if err := a.SetCursor(ctx, "webhook:x", id); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("the old leader recorded a delivery the new leader claimed: %v; want ErrNotLeader", err)
	}
	if err := b.SetCursor(ctx, "webhook:x", id); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Cursor(ctx, "webhook:x"); err != nil || got != id {
		t.Errorf("cursor %d, %v; want %d", got, err, id)
	}
	if err := a.SaveSourceStates(ctx, map[string]engine.SourceState{"x/y": {Stale: true}}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("the old leader's source states: %v; want ErrNotLeader", err)
	}
	if err := a.SavePolicyStates(ctx, []engine.PolicyRecord{{SLO: "x/y", State: "frozen"}}, nil); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("the old leader's write: %v; want ErrNotLeader", err)
	}
	if states, err := b.LoadPolicyStates(ctx); err != nil || len(states) != 0 {
		t.Errorf("policy states %+v, %v; want none from the old leader", states, err)
	}
	// Judged slices are the leader's too: the old leader's are refused
	// and stored nowhere, the new leader's are stored and pulled.
	pull(t, a) // starts both feeds
	pull(t, b)
	slice := count("x/y", "{}", engine.KindSlices, 30, 1, 1)
	if err := a.AddSlices(ctx, []engine.Count{slice}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("the old leader's judged slices: %v; want ErrNotLeader", err)
	}
	if got, _ := pull(t, b); len(got) != 0 {
		t.Errorf("b pulled %v after the old leader's refused slices; want nothing", got)
	}
	if err := b.AddSlices(ctx, []engine.Count{slice}); err != nil {
		t.Fatalf("the new leader's judged slices: %v", err)
	}
	if got, _ := pull(t, a); got["x/y|{}|slices|30"] != (engine.Counts{Good: 1, Total: 1}) || len(got) != 1 {
		t.Errorf("a pulled %v; want the new leader's one slice", got)
	}
	if notes, err := b.Notifications(ctx, 0, "", 10); err != nil || len(notes) != 1 {
		t.Errorf("%d notifications, %v; want only the one saved while a led", len(notes), err)
	}
}
