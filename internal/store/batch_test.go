package store

import (
	"context"
	"errors"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
)

// A caller that gives up while its counts are being committed must learn
// the commit's outcome, not its own context's: the counts are stored, so
// the engine must count them.
func TestAddReportsTheCommitOfACallerThatGaveUp(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var committed []engine.Count
	b := NewBatcher(func(ctx context.Context, batches []*Batch) error {
		close(started)
		<-release
		committed = append(committed, Fresh(batches)...)
		return nil
	})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- b.Add(ctx, &Batch{Counts: []engine.Count{{SLO: "a/b", Minute: 1, Counts: engine.Counts{Good: 1, Total: 1}}}})
	}()
	<-started
	cancel() // the client disconnects while the commit runs
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Add of counts that were committed = %v, want nil so they are counted", err)
	}
	if len(committed) != 1 {
		t.Fatalf("committed %d counts, want 1", len(committed))
	}
}

// A call whose context ended before it was queued stores nothing.
func TestAddOfAnEndedContextStoresNothingOrReportsTheCommit(t *testing.T) {
	commits := 0
	b := NewBatcher(func(ctx context.Context, batches []*Batch) error { commits += len(Fresh(batches)); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok := 0
	for i := 0; i < 50; i++ {
		if err := b.Add(ctx, &Batch{Counts: []engine.Count{{SLO: "a/b", Minute: int64(i)}}}); err == nil {
			ok++
		} else if !errors.Is(err, context.Canceled) {
			t.Fatalf("Add = %v, want nil or context.Canceled", err)
		}
	}
	b.Close()
	if commits != ok {
		t.Fatalf("%d counts committed, %d Adds returned nil: each stored count must be reported as stored", commits, ok)
	}
}

// Close answers every call: none waits for ever.
func TestCloseAnswersWaitingCalls(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	b := NewBatcher(func(ctx context.Context, batches []*Batch) error {
		select {
		case <-started:
		default:
			close(started)
		}
		<-release
		return nil
	})
	first := make(chan error, 1)
	go func() { first <- b.Add(context.Background(), &Batch{}) }()
	<-started
	second := make(chan error, 1)
	go func() { second <- b.Add(context.Background(), &Batch{}) }()
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	close(release)
	<-closed
	if err := <-first; err != nil {
		t.Errorf("call committed before Close = %v, want nil", err)
	}
	if err := <-second; err != nil && !errors.Is(err, ErrClosed) {
		t.Errorf("call queued at Close = %v, want nil or ErrClosed", err)
	}
}
