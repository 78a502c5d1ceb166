package store

import (
	"context"
	"errors"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// ErrClosed is returned for writes after a store closed.
var ErrClosed = errors.New("store closed")

// Batcher commits concurrent AddCounts calls together (group commit): one
// goroutine commits whatever calls are waiting in one transaction, so they
// share one fsync, and answers each once it is durable.
type Batcher struct {
	commit func(ctx context.Context, counts []engine.Count) error
	queue  chan *batchReq
	stop   chan struct{}
	exited chan struct{} // closed when run returns
}

type batchReq struct {
	counts []engine.Count
	done   chan error
}

// maxGroup bounds how many calls one transaction commits.
const maxGroup = 256

// NewBatcher starts the goroutine that runs commit, in one transaction,
// for the counts of every call waiting. The slice commit gets is a copy of
// the callers' counts, its own to reorder.
func NewBatcher(commit func(ctx context.Context, counts []engine.Count) error) *Batcher {
	b := &Batcher{commit: commit, queue: make(chan *batchReq, 1024), stop: make(chan struct{}), exited: make(chan struct{})}
	go b.run()
	return b
}

// Add queues counts and waits until they are committed. A ctx that ends
// before the counts are queued stores nothing and returns its error; once
// they are queued Add waits for the commit whatever ctx says (commitTimeout
// bounds it), so nil means stored and an error means not stored: a caller
// that gave up cannot leave counts on disk that its process never counts.
func (b *Batcher) Add(ctx context.Context, counts []engine.Count) error {
	req := &batchReq{counts: counts, done: make(chan error, 1)}
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
		var batch []*batchReq
		select {
		case req := <-b.queue:
			batch = append(batch, req)
		case <-b.stop:
			return
		}
	drain:
		for len(batch) < maxGroup {
			select {
			case req := <-b.queue:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		var all []engine.Count // a copy, which commit may reorder
		for _, req := range batch {
			all = append(all, req.counts...)
		}
		// A database that stops answering must not hold the writer, and
		// every ingest behind it, for ever: past the limit the commit
		// fails, rolled back, and its callers get the error.
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		err := b.commit(ctx, all)
		cancel()
		for _, req := range batch {
			req.done <- err
		}
	}
}
