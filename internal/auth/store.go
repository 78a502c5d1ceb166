package auth

import (
	"context"
	"time"
)

// Store keeps tokens and the audit trail. Every method is safe for
// concurrent use. Errors that callers act on carry an slo error code;
// authtest.Run checks an implementation against this contract.
type Store interface {
	// CreateToken stores t and returns it with its id. It fails with
	// slo.CodeConflict when an unrevoked token has t's name.
	CreateToken(ctx context.Context, t Token) (Token, error)
	// TokenByHash returns the unrevoked token whose secret hashes to hash
	// (expired or not); slo.CodeNotFound if there is none.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens returns every token, revoked ones too, oldest first.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes the unrevoked token named name at t, by whom,
	// and returns it; slo.CodeNotFound if there is none.
	RevokeToken(ctx context.Context, name string, t time.Time, by string) (Token, error)
	// TouchToken records that token id identified a request at t.
	TouchToken(ctx context.Context, id int64, t time.Time) error

	// AddAudit appends e to the audit trail. A folded entry (Folded) adds
	// its Count to the stored entry with the same fold key, and moves its
	// LastAt, instead of appending.
	AddAudit(ctx context.Context, e Entry, foldKey string) error
	// Audit returns the entries q selects, newest (highest id) first.
	Audit(ctx context.Context, q Query) ([]Entry, error)
	// PruneAudit deletes entries last added to before before, then the oldest
	// beyond the newest keep, and returns how many it deleted.
	PruneAudit(ctx context.Context, before time.Time, keep int) (int64, error)
}
