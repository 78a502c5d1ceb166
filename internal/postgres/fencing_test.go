package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/postgres"
	"github.com/accord-slo/accord/internal/store"
)

// lapsing is a leader's store whose lease lapses while the leader
// evaluates, just before it stores the slices it judged: lapse runs
// then, once.
type lapsing struct {
	*postgres.Store
	lapse func()
}

func (l *lapsing) AddSlices(ctx context.Context, slices []engine.Count) error {
	if l.lapse != nil {
		lapse := l.lapse
		l.lapse = nil
		lapse()
	}
	return l.Store.AddSlices(ctx, slices)
}

// TestASliceJudgedAsTheLeaseLapsesIsCountedOnce has replica A lead and
// judge a finished slice of two SLOs and of a journey over them. While it
// evaluates, its lease lapses and replica B takes over, catches up and
// judges the same slices. A's judgments arrive after B's: the database
// refuses them, so every slice is stored once, and A, once it pulls B's
// judgments, counts each once too.
func TestASliceJudgedAsTheLeaseLapsesIsCountedOnce(t *testing.T) {
	ctx := context.Background()
	cat := judgedSlicesCatalog(t)
	url := pg.Database(t)
	sa, sb := mustOpen(t, url), mustOpen(t, url)
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(t0.Add(5 * time.Minute))
	la := &lapsing{Store: sa}
	a := engine.New(engine.Options{Catalog: cat, Store: la, Clock: clock})
	b := engine.New(engine.Options{Catalog: cat, Store: sb, Clock: clock})
	for _, e := range []*engine.Engine{a, b} {
		if err := e.Restore(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pull := func(s *postgres.Store, e *engine.Engine) {
		t.Helper()
		ch, err := s.PullChanges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.Apply(ch.Counts)
	}
	if ok, err := sa.Campaign(ctx, time.Minute); err != nil || !ok {
		t.Fatalf("A's campaign: %v, %v", ok, err)
	}
	// The first slice's ten minutes, all good, pushed to the leader.
	var events []engine.Event
	for m := range 10 {
		for _, stream := range []string{"a", "b"} {
			one := 1.0
			events = append(events, engine.Event{Stream: stream, Time: t0.Add(time.Duration(m) * time.Minute), Good: &one, Total: &one})
		}
	}
	clock.Set(t0.Add(10 * time.Minute))
	if err := a.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	pull(sb, b)
	clock.Set(t0.Add(13 * time.Minute)) // the slice is ready to judge
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	la.lapse = func() {
		// A's lease runs out, as if A had been paused past it.
		if _, err := conn.Exec(ctx, `UPDATE leases SET expires_at = now() WHERE name = 'leader'`); err != nil {
			t.Fatal(err)
		}
		// B takes over as a replica does: it pulls, takes the states,
		// and evaluates as the leader.
		if ok, err := sb.Campaign(ctx, time.Minute); err != nil || !ok {
			t.Fatalf("B's campaign after A's lease ran out: %v, %v", ok, err)
		}
		pull(sb, b)
		if err := b.Follow(ctx, true); err != nil {
			t.Fatal(err)
		}
		if err := b.Evaluate(ctx); err != nil {
			t.Fatalf("B's evaluation as the new leader: %v", err)
		}
	}
	if err := a.Evaluate(ctx); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("A's evaluation, its lease lapsed before it stored its slices: %v; want ErrNotLeader", err)
	}
	if la.lapse != nil {
		t.Fatal("A judged no slices; the test judges none twice")
	}
	stored := storedSlices(t, conn)
	one := engine.Counts{Good: 1, Total: 1}
	for _, id := range []string{"stores/a", "stores/b", "stores/both"} {
		if stored[id] != one {
			t.Errorf("%s: stored slices %+v, want the one good slice once", id, stored[id])
		}
	}
	// A, now a follower, counts what is stored: B's judgments, once.
	pull(sa, a)
	if err := a.Follow(ctx, true); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*engine.Engine{"A": a, "B": b} {
		for _, id := range []string{"stores/a", "stores/b", "stores/both"} {
			if v, _ := e.SLO(id); v.Status.Counts != one {
				t.Errorf("replica %s counts %s's slices as %+v, want the one good slice once", name, id, v.Status.Counts)
			}
		}
	}
}
