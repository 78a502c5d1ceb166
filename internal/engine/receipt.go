package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Receipt is what is kept of a pushed batch sent with an idempotency key,
// so that the batch sent again is answered as the first time and counted
// once.
type Receipt struct {
	// Key is the client's Idempotency-Key.
	Key string `json:"key"`
	// Digest is the hex SHA-256 of the request body: the same key with
	// another body is a client's mistake, not a repeat.
	Digest string `json:"digest"`
	// Accepted is how many events the batch held.
	Accepted int `json:"accepted"`
	// At is when the batch was first stored.
	At time.Time `json:"at"`
}

// MaxIdempotencyKey bounds an idempotency key, in bytes.
const MaxIdempotencyKey = 200

// ReceiptRetention is how long a receipt is kept at least: a batch sent
// again within it is counted once.
const ReceiptRetention = 24 * time.Hour

// IngestOnce counts a batch like Ingest, once per key: a batch whose
// receipt r.Key has is not counted again, and IngestOnce returns the first
// batch's receipt and true. The receipt is stored in the transaction that
// stores the batch's counts, so a batch is never stored without it. A key
// stored with another body is a conflict slo.Error. r.At is set here.
func (e *Engine) IngestOnce(ctx context.Context, events []Event, r Receipt) (Receipt, bool, error) {
	rs, ok := e.store.(ReceiptStore)
	if !ok {
		return Receipt{}, false, fmt.Errorf("Idempotency-Key %q: this store keeps no receipts", r.Key)
	}
	first, ok, err := rs.Receipt(ctx, r.Key)
	if err != nil {
		return Receipt{}, false, fmt.Errorf("look up Idempotency-Key %q: %w", r.Key, err)
	}
	if ok {
		return repeatOf(first, r)
	}
	r.At = e.clock.Now()
	r.Accepted = len(events)
	e.recordMu.RLock()
	defer e.recordMu.RUnlock()
	counts, reserved, err := e.prepare(events, r.At)
	if err != nil {
		return Receipt{}, false, err
	}
	first, repeat, err := e.recordOnce(ctx, counts, reserved, rs, &r)
	if err != nil || !repeat {
		return r, false, err
	}
	return repeatOf(first, r)
}

// repeatOf answers a batch whose key is stored already: a repeat when the
// bodies match, else a conflict.
func repeatOf(first, r Receipt) (Receipt, bool, error) {
	if first.Digest != r.Digest {
		msg := fmt.Sprintf("Idempotency-Key %q was used at %s for a different batch (of %d events); "+
			"send new events with a new key, and a retry with exactly the first body", r.Key, first.At.UTC().Format(time.RFC3339), first.Accepted)
		return Receipt{}, false, &slo.Error{Code: slo.CodeConflict, Message: msg}
	}
	return first, true, nil
}

// PruneReceipts forgets receipts older than ReceiptRetention.
func (e *Engine) PruneReceipts(ctx context.Context) error {
	rs, ok := e.store.(ReceiptStore)
	if !ok {
		return nil
	}
	before := e.clock.Now().Add(-ReceiptRetention)
	if err := rs.PruneReceipts(ctx, before); err != nil {
		return fmt.Errorf("prune receipts before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}
