package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// AddBatch adds a pushed batch's counts and its receipt durably, in one
// transaction with whatever other calls are waiting; a key stored already
// adds nothing and returns the stored receipt and true.
func (s *Store) AddBatch(ctx context.Context, counts []engine.Count, r engine.Receipt) (engine.Receipt, bool, error) {
	return s.batch.AddReceipted(ctx, counts, r)
}

// Receipt returns the receipt stored under key.
func (s *Store) Receipt(ctx context.Context, key string) (engine.Receipt, bool, error) {
	r, err := store.ScanReceipt(s.read.QueryRowContext(ctx, `SELECT `+store.ReceiptColumns+` FROM receipts WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return engine.Receipt{}, false, nil
	}
	if err != nil {
		return engine.Receipt{}, false, fmt.Errorf("read receipt %q: %w", key, err)
	}
	return r, true, nil
}

// PruneReceipts deletes the receipts of batches stored before t.
func (s *Store) PruneReceipts(ctx context.Context, before time.Time) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM receipts WHERE at < ?`, before.UnixMilli()); err != nil {
		return fmt.Errorf("prune receipts before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}

// addReceipts stores the batches' receipts in tx, marking a batch whose
// key is stored already (or taken by an earlier batch of tx) as a repeat.
func addReceipts(ctx context.Context, tx *sql.Tx, batches []*store.Batch) error {
	for _, b := range batches {
		b.Repeat, b.First = false, engine.Receipt{}
		r := b.Receipt
		if r == nil {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO receipts (`+store.ReceiptColumns+`) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			r.Key, r.Digest, r.Accepted, r.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("store receipt %q: %w", r.Key, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			if err != nil {
				return fmt.Errorf("store receipt %q: %w", r.Key, err)
			}
			continue
		}
		first, err := store.ScanReceipt(tx.QueryRowContext(ctx, `SELECT `+store.ReceiptColumns+` FROM receipts WHERE key = ?`, r.Key))
		if err != nil {
			return fmt.Errorf("read receipt %q: %w", r.Key, err)
		}
		b.Repeat, b.First = true, first
	}
	return nil
}
