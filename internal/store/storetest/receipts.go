package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// testReceipts: a batch's receipt is stored with its counts; a batch
// under a stored key adds nothing and gets the first receipt back, also
// when many race, also after a reopen; pruning forgets old receipts.
func testReceipts(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	r := engine.Receipt{Key: "k1", Digest: "d1", Accepted: 2, At: at}
	batch := []engine.Count{count("a/b", "{}", engine.KindEvents, 100, 1, 2)}
	if first, repeat, err := s.AddBatch(ctx, batch, r); err != nil || repeat || first != (engine.Receipt{}) {
		t.Fatalf("first AddBatch: %+v %v %v; want no repeat", first, repeat, err)
	}
	again := r
	again.Digest, again.At = "d2", at.Add(time.Minute)
	if first, repeat, err := s.AddBatch(ctx, batch, again); err != nil || !repeat || first != r {
		t.Fatalf("AddBatch under a stored key: %+v %v %v; want a repeat with the first receipt %+v", first, repeat, err, r)
	}
	// Racing batches under one new key: one is stored.
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, repeat, err := s.AddBatch(ctx, batch, engine.Receipt{Key: "k2", Digest: "d", Accepted: 2, At: at})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !repeat {
				stored++
			}
		}()
	}
	wg.Wait()
	if got, _ := loadAll(t, s, 0); stored != 1 || got["a/b|{}|events|100"] != (engine.Counts{Good: 2, Total: 4}) {
		t.Errorf("%d of 8 racing batches stored, counts %v; want 1 stored and 2/4 (two batches of 1/2)", stored, got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, open)
	if got, ok, err := s.Receipt(ctx, "k1"); err != nil || !ok || got != r {
		t.Errorf("Receipt after a reopen: %+v %v %v; want %+v", got, ok, err, r)
	}
	if _, ok, err := s.Receipt(ctx, "nope"); err != nil || ok {
		t.Errorf("Receipt of an unknown key: %v %v; want none", ok, err)
	}
	if _, repeat, err := s.AddBatch(ctx, batch, r); err != nil || !repeat {
		t.Errorf("AddBatch after a reopen: repeat %v, %v; want a repeat", repeat, err)
	}
	if err := s.PruneReceipts(ctx, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Receipt(ctx, "k1"); err != nil || ok {
		t.Errorf("receipt k1 after pruning: %v %v; want it gone", ok, err)
	}
	if got, _ := loadAll(t, s, 0); got["a/b|{}|events|100"] != (engine.Counts{Good: 2, Total: 4}) {
		t.Errorf("counts %v; want 2/4: no repeat added any", got)
	}
}
