package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/sqlite"
)

func TestConcurrentAddsAllCommitAndSumPerMinute(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c := engine.Count{SLO: "a/b", Group: fmt.Sprintf(`{"store":"s%d"}`, w%2), Kind: engine.KindEvents,
					Minute: int64(1000 + i%5), Counts: engine.Counts{Good: 1, Total: 2}}
				if err := s.AddCounts(ctx, []engine.Count{c}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	s.Close()

	s, err = sqlite.Open(dir) // reopening runs no migration twice
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sums := map[string]engine.Counts{}
	rows := 0
	err = s.LoadCounts(ctx, 0, func(c engine.Count) error {
		rows++
		v := sums[c.Group]
		sums[c.Group] = engine.Counts{Good: v.Good + c.Good, Total: v.Total + c.Total}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2 groups × 5 minutes, each row the sum of its adds.
	if rows != 10 || sums[`{"store":"s0"}`].Total != 400 || sums[`{"store":"s1"}`].Good != 200 {
		t.Errorf("%d rows, sums %v; want 10 rows, 200 adds of 1/2 per group", rows, sums)
	}
	if err := s.Prune(ctx, 1003); err != nil {
		t.Fatal(err)
	}
	rows = 0
	_ = s.LoadCounts(ctx, 0, func(engine.Count) error { rows++; return nil })
	if rows != 4 {
		t.Errorf("after pruning minutes before 1003, %d rows remain, want 4", rows)
	}
	last, err := s.LastMinutes(ctx)
	if err != nil || last["a/b"] != 1004 {
		t.Errorf("last minutes %v %v, want a/b at 1004", last, err)
	}
}

func TestPruneKeepsUndeliveredNotifications(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	note := func(at time.Time) engine.Notification {
		return engine.Notification{Kind: engine.NotifyAlert, At: at, Alert: engine.Alert{SLO: "a/b", Rule: "fast"}}
	}
	if _, err := s.Cursor(ctx, "webhook:x"); err != nil { // a channel that has delivered nothing yet
		t.Fatal(err)
	}
	if err := s.SaveAlerts(ctx, nil, []engine.Notification{note(old), note(old.Add(time.Hour)), note(old.AddDate(0, 3, 0))}); err != nil {
		t.Fatal(err)
	}
	cutoff := engine.UnixMinute(old.AddDate(0, 1, 0))
	if err := s.Prune(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Notifications(ctx, 0, "", 10); len(got) != 3 {
		t.Fatalf("%d notifications left, want all 3: the channel has not delivered them", len(got))
	}
	if err := s.SetCursor(ctx, "webhook:x", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Prune(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Notifications(ctx, 0, "", 10); len(got) != 1 || got[0].ID != 3 {
		t.Errorf("after delivery, notifications %+v; want only the recent one", got)
	}
}
