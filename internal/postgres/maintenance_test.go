package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/postgres"
	"github.com/accord-slo/accord/internal/slo"
)

// TestMaintenanceOnAFollowerLeavesTheSlicesToTheLeader has replica A lead
// and judge a finished slice: SLO a's was bad, b's good, so the journey
// over both was bad. Replica B, which follows, then receives a
// maintenance window excluding a's slice. B stores the window and
// subtracts a's events, but no judged slice: those are the leader's. A
// pulls both and judges again under its lease: a's slice leaves, and the
// journey, judged from b alone now, is good. Every replica counts what is
// stored.
func TestMaintenanceOnAFollowerLeavesTheSlicesToTheLeader(t *testing.T) {
	ctx := context.Background()
	cat := judgedSlicesCatalog(t)
	url := pg.Database(t)
	sa, sb := mustOpen(t, url), mustOpen(t, url)
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(t0.Add(10 * time.Minute))
	a := engine.New(engine.Options{Catalog: cat, Store: sa, Clock: clock})
	b := engine.New(engine.Options{Catalog: cat, Store: sb, Clock: clock})
	for _, e := range []*engine.Engine{a, b} {
		if err := e.Restore(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// pull brings a replica up to what the others wrote, as the app does:
	// counts, then the maintenance windows when annotations changed.
	pull := func(s *postgres.Store, e *engine.Engine) []engine.Count {
		t.Helper()
		ch, err := s.PullChanges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.Apply(ch.Counts)
		if ch.Annotations {
			anns, err := s.Annotations(ctx, "", time.Time{}, time.Unix(1<<40, 0))
			if err != nil {
				t.Fatal(err)
			}
			e.SetExclusions(anns)
		}
		return ch.Counts
	}
	pull(sa, a) // starts both feeds
	pull(sb, b)
	if ok, err := sa.Campaign(ctx, time.Minute); err != nil || !ok {
		t.Fatalf("A's campaign: %v, %v", ok, err)
	}
	var events []engine.Event
	for m := range 10 {
		zero, one := 0.0, 1.0
		at := t0.Add(time.Duration(m) * time.Minute)
		events = append(events,
			engine.Event{Stream: "a", Time: at, Good: &zero, Total: &one},
			engine.Event{Stream: "b", Time: at, Good: &one, Total: &one})
	}
	if err := a.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(13 * time.Minute)) // the slice is ready to judge
	if err := a.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	pull(sb, b)
	if err := b.Follow(ctx, true); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.SLO("stores/both"); v.Status.Counts != (engine.Counts{Total: 1}) {
		t.Fatalf("B counts the journey's slices as %+v before the maintenance, want one bad slice", v.Status.Counts)
	}

	// B, which follows, receives the window, as the API stores it and
	// then excludes it.
	m, err := sb.AddAnnotation(ctx, slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "stores", SLO: "a",
		Start: t0, End: t0.Add(10 * time.Minute), ExcludeFromBudget: true, CreatedAt: clock.Now(), By: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Exclude(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := pull(sa, a)
	for _, c := range got {
		if c.Kind == engine.KindSlices {
			t.Errorf("B, a follower, stored a judged slice: %+v", c)
		}
	}
	if len(got) == 0 {
		t.Error("B stored nothing for the window; want a's events in it subtracted")
	}
	if err := a.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	stored := storedSlices(t, conn)
	want := map[string]engine.Counts{"stores/a": {}, "stores/b": {Good: 1, Total: 1}, "stores/both": {Good: 1, Total: 1}}
	for id, w := range want {
		if stored[id] != w {
			t.Errorf("%s: stored slices %+v, want %+v", id, stored[id], w)
		}
	}
	pull(sb, b)
	if err := b.Follow(ctx, true); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*engine.Engine{"A": a, "B": b} {
		for id, w := range want {
			if v, _ := e.SLO(id); v.Status.Counts != w {
				t.Errorf("replica %s counts %s's slices as %+v, want %+v", name, id, v.Status.Counts, w)
			}
		}
	}
}
