package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// slicesCaught records the judged slices an engine stores, as the change
// feed would carry them to other replicas.
type slicesCaught struct {
	engine.Store
	mu     sync.Mutex
	slices []engine.Count
}

func (s *slicesCaught) AddSlices(ctx context.Context, counts []engine.Count) error {
	s.mu.Lock()
	s.slices = append(s.slices, counts...)
	s.mu.Unlock()
	return s.Store.AddSlices(ctx, counts)
}

// TestBackdatedEventsOnAFollowerAreJudgedByTheLeader pushes a back-dated
// week to a replica that does not lead. It judges no slices itself; the
// leader, counting the week as it pulls it, judges them as if the week
// had been pushed to it, and the follower shows the leader's judgments
// once it takes them, counting each slice once.
func TestBackdatedEventsOnAFollowerAreJudgedByTheLeader(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	now := t0.Add(7*24*time.Hour + 5*time.Minute)
	clock := engine.NewManualClock(now)
	ctx := context.Background()
	cat := mustCatalog(t, backdatedSpec)
	_, db := mustEngine(t, cat, t.TempDir(), clock)
	defer db.Close()
	caught := &slicesCaught{Store: db}
	leader := engine.New(engine.Options{Catalog: cat, Store: caught, Clock: clock})
	follower := engine.New(engine.Options{Catalog: cat, Store: db, Clock: clock})
	for _, e := range []*engine.Engine{leader, follower} {
		if err := e.Restore(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A week of 100 events a minute with two bad slices, one older than
	// the minute checkpoints and one within them.
	var week []engine.Count
	for m := int64(0); m < 7*24*60; m++ {
		good := 100.0
		if m >= 10*60 && m < 10*60+10 || m >= 150*60 && m < 150*60+10 {
			good = 95
		}
		week = append(week, engine.Count{SLO: "stores/sync-slices", Group: "{}", Kind: engine.KindEvents,
			Minute: engine.UnixMinute(t0) + m, Counts: engine.Counts{Good: good, Total: 100}})
	}
	if err := follower.Record(ctx, week); err != nil {
		t.Fatal(err)
	}
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	if v, _ := follower.SLO("stores/sync-slices"); v.Status.Counts.Total != 0 {
		t.Fatalf("the follower judged %+v slices itself; judging is the leader's", v.Status.Counts)
	}
	leader.Apply(week) // what the leader pulls from the change feed
	if err := leader.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	lv, _ := leader.SLO("stores/sync-slices")
	if c := lv.Status.Counts; c.Total != 1_008 || c.Bad() != 2 {
		t.Errorf("the leader counts %+v slices, want 2 bad of 1,008", c)
	}
	follower.Apply(caught.slices) // and what the follower pulls from the leader
	if err := follower.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	if fv, _ := follower.SLO("stores/sync-slices"); fv.Status.Counts != lv.Status.Counts {
		t.Errorf("the follower counts %+v slices, the leader %+v", fv.Status.Counts, lv.Status.Counts)
	}
}

// refusing is a store that refuses the next judged slices it is given,
// as a database does when the lease lapsed or the write failed.
type refusing struct {
	engine.Store
	refuse bool
}

func (s *refusing) AddSlices(ctx context.Context, counts []engine.Count) error {
	if s.refuse {
		s.refuse = false
		return errors.New("refused")
	}
	return s.Store.AddSlices(ctx, counts)
}

// TestSlicesTheStoreRefusedAreJudgedAgain has the store refuse an
// evaluation's judged slices: the engine counts none of them, since it
// counts what is stored, and judges them again at the next evaluation,
// which stores them; a restart counts what is stored, the same.
func TestSlicesTheStoreRefusedAreJudgedAgain(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	ctx := context.Background()
	cat := withJourney(t, mustCatalog(t, stepSlicesSpec), "stores/a", "both", components("stores/a", "stores/b"))
	dir := t.TempDir()
	_, db := mustEngine(t, cat, dir, clock)
	s := &refusing{Store: db}
	e := engine.New(engine.Options{Catalog: cat, Store: s, Clock: clock})
	if err := e.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	var events []engine.Event
	for m := range 20 {
		at := start.Add(time.Duration(m) * time.Minute)
		events = append(events, counted("a", at, 10, 10), counted("b", at, 9, 10)) // b's slices are bad
	}
	clock.Set(start.Add(23 * time.Minute))
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	ids := []string{"stores/a", "stores/b", "stores/both"}
	want := map[string]engine.Counts{"stores/a": {Good: 4, Total: 4}, "stores/b": {Total: 4}, "stores/both": {Total: 4}}
	s.refuse = true
	if err := e.Evaluate(ctx); err == nil {
		t.Fatal("the store refused the judged slices, yet the evaluation reported no error")
	}
	if err := e.Follow(ctx, false); err != nil { // as a replica that stepped down does
		t.Fatal(err)
	}
	for _, id := range ids {
		if v := mustView(t, e, id); v.Status.Counts != (engine.Counts{}) {
			t.Errorf("after the refusal %s counts %+v slices; want none, as none is stored", id, v.Status.Counts)
		}
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if v := mustView(t, e, id); v.Status.Counts != want[id] {
			t.Errorf("judged again, %s counts %+v slices; want %+v", id, v.Status.Counts, want[id])
		}
	}
	db.Close()
	again, db2 := mustEngine(t, cat, dir, clock)
	defer db2.Close()
	if err := again.Follow(ctx, false); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if v := mustView(t, again, id); v.Status.Counts != want[id] {
			t.Errorf("after a restart %s counts %+v slices stored; want %+v", id, v.Status.Counts, want[id])
		}
	}
}
