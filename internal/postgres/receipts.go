package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// AddBatch adds a pushed batch's counts and its receipt durably, in one
// transaction with whatever other calls are waiting; a key stored already,
// by this replica or another, adds nothing and returns the stored receipt
// and true.
func (s *Store) AddBatch(ctx context.Context, counts []engine.Count, r engine.Receipt) (engine.Receipt, bool, error) {
	return s.batch.AddReceipted(ctx, counts, r)
}

// Receipt returns the receipt stored under key.
func (s *Store) Receipt(ctx context.Context, key string) (engine.Receipt, bool, error) {
	r, err := store.ScanReceipt(s.pool.QueryRow(ctx, `SELECT `+store.ReceiptColumns+` FROM receipts WHERE key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return engine.Receipt{}, false, nil
	}
	if err != nil {
		return engine.Receipt{}, false, unavailable(fmt.Errorf("read receipt %q: %w", key, err))
	}
	return r, true, nil
}

// PruneReceipts deletes the receipts of batches stored before t.
func (s *Store) PruneReceipts(ctx context.Context, before time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM receipts WHERE at < $1`, before.UnixMilli()); err != nil {
		return unavailable(fmt.Errorf("prune receipts before %s: %w", before.Format(time.RFC3339), err))
	}
	return nil
}

// addReceipts stores the batches' receipts in tx, marking a batch whose
// key is stored already (or taken by an earlier batch of tx) as a repeat.
// Keys are inserted in order, so replicas storing the same keys wait for
// each other rather than deadlock; a replica inserting a key another's
// open transaction holds waits for it to end and then sees its receipt.
func addReceipts(ctx context.Context, tx pgx.Tx, batches []*store.Batch) error {
	keyed := make([]*store.Batch, 0, len(batches))
	for _, b := range batches {
		b.Repeat, b.First = false, engine.Receipt{}
		if b.Receipt != nil {
			keyed = append(keyed, b)
		}
	}
	slices.SortStableFunc(keyed, func(a, b *store.Batch) int { return strings.Compare(a.Receipt.Key, b.Receipt.Key) })
	for _, b := range keyed {
		r := b.Receipt
		tag, err := tx.Exec(ctx, `INSERT INTO receipts (`+store.ReceiptColumns+`) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
			r.Key, r.Digest, r.Accepted, r.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("store receipt %q: %w", r.Key, err)
		}
		if tag.RowsAffected() == 1 {
			continue
		}
		first, err := store.ScanReceipt(tx.QueryRow(ctx, `SELECT `+store.ReceiptColumns+` FROM receipts WHERE key = $1`, r.Key))
		if err != nil {
			return fmt.Errorf("read receipt %q: %w", r.Key, err)
		}
		b.Repeat, b.First = true, first
	}
	return nil
}
