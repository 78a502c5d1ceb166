package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// ErrClosed is returned for writes after a store closed.
var ErrClosed = errors.New("store closed")

// Batcher commits concurrent AddCounts and AddBatch calls together (group
// commit): one goroutine commits whatever calls are waiting in one
// transaction, so they share one fsync, and answers each once it is
// durable.
type Batcher struct {
	commit func(ctx context.Context, batches []*Batch) error
	queue  chan *batchReq
	stop   chan struct{}
	exited chan struct{} // closed when run returns
}

// Batch is one call's share of a group commit: its counts and, for a
// pushed batch sent with an idempotency key, its receipt.
type Batch struct {
	Counts []engine.Count
	// Receipt is stored with the counts; nil for none.
	Receipt *engine.Receipt
	// Repeat is set by the commit when a receipt under Receipt.Key was
	// stored already, First to that receipt: the counts are not added.
	Repeat bool
	First  engine.Receipt
}

// Fresh returns the counts of the batches that are not repeats, in one
// slice of their own the commit may reorder.
func Fresh(batches []*Batch) []engine.Count {
	var all []engine.Count
	for _, b := range batches {
		if !b.Repeat {
			all = append(all, b.Counts...)
		}
	}
	return all
}

type batchReq struct {
	batch *Batch
	done  chan error
}

// maxGroup bounds how many calls one transaction commits.
const maxGroup = 256

// NewBatcher starts the goroutine that runs commit, in one transaction,
// for the batches of every call waiting. Commit stores each batch's
// receipt first, marking the batches whose key is taken as repeats, then
// the counts of the others (Fresh); run again after a failure, it sets
// Repeat afresh.
func NewBatcher(commit func(ctx context.Context, batches []*Batch) error) *Batcher {
	b := &Batcher{commit: commit, queue: make(chan *batchReq, 1024), stop: make(chan struct{}), exited: make(chan struct{})}
	go b.run()
	return b
}

// Add queues a batch and waits until it is committed; the commit sets its
// Repeat and First. A ctx that ends before the batch is queued stores
// nothing and returns its error; once it is queued Add waits for the
// commit whatever ctx says (commitTimeout bounds it), so nil means stored
// and an error means not stored: a caller that gave up cannot leave counts
// on disk that its process never counts.
func (b *Batcher) Add(ctx context.Context, batch *Batch) error {
	req := &batchReq{batch: batch, done: make(chan error, 1)}
	select {
	case b.queue <- req:
	case <-b.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-b.exited:
		// The goroutine answers every call it took before it exits.
		select {
		case err := <-req.done:
			return err
		default:
			return ErrClosed
		}
	}
}

// AddReceipted queues a pushed batch's counts with its receipt, as
// engine.ReceiptStore's AddBatch: it returns the receipt stored before
// under r.Key and true when there was one, and then nothing was added.
func (b *Batcher) AddReceipted(ctx context.Context, counts []engine.Count, r engine.Receipt) (engine.Receipt, bool, error) {
	batch := &Batch{Counts: counts, Receipt: &r}
	if err := b.Add(ctx, batch); err != nil {
		return engine.Receipt{}, false, fmt.Errorf("add %d counts with receipt %q: %w", len(counts), r.Key, err)
	}
	return batch.First, batch.Repeat, nil
}

// Close stops the goroutine once the commit under way is done.
func (b *Batcher) Close() {
	close(b.stop)
	<-b.exited
}

// commitTimeout bounds one group commit: far beyond the seconds the
// largest allowed request takes, so that only a database that does not
// answer reaches it.
const commitTimeout = time.Minute

func (b *Batcher) run() {
	defer close(b.exited)
	for {
		var reqs []*batchReq
		select {
		case req := <-b.queue:
			reqs = append(reqs, req)
		case <-b.stop:
			return
		}
	drain:
		for len(reqs) < maxGroup {
			select {
			case req := <-b.queue:
				reqs = append(reqs, req)
			default:
				break drain
			}
		}
		batches := make([]*Batch, len(reqs))
		for i, req := range reqs {
			batches[i] = req.batch
		}
		// A database that stops answering must not hold the writer, and
		// every ingest behind it, for ever: past the limit the commit
		// fails, rolled back, and its callers get the error.
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		err := b.commit(ctx, batches)
		cancel()
		for _, req := range reqs {
			req.done <- err
		}
	}
}
