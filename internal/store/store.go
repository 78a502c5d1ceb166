// Package store is the contract Accord's databases fulfil: SQLite for one
// replica (the embedded default) and PostgreSQL for several replicas on one
// database. Both implementations pass the shared suite in storetest.
//
// Adding what a store keeps takes the same steps on both sides: a
// migration appended to each store's list (sqlite/store.go, postgres/
// migrations.go; never edit a released one), the methods on both stores,
// and cases in a suite both run. Rows the leader alone writes take the
// lease check (postgres leaderTx); rows other replicas must notice carry
// origin and txid columns for PullChanges.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Store is everything Accord keeps: counts, alert and policy states, the
// notification outbox with each channel's cursor, annotations and
// exceptions, and what replicas need to share one database. Every method
// is safe for concurrent use.
type Store interface {
	// engine.Store: counts, alert states and policy states. SaveAlerts and
	// SavePolicyStates are the leader's: a store shared by replicas
	// refuses them (ErrNotLeader) unless Campaign last reported leadership
	// and the lease still holds.
	engine.Store
	// engine.ReceiptStore: receipts of batches pushed with an
	// Idempotency-Key, stored with their counts.
	engine.ReceiptStore
	// auth.Store: named tokens (hashed) and the audit trail.
	auth.Store

	// LastMinutes returns, per SLO, the newest minute holding measured
	// events.
	LastMinutes(ctx context.Context) (map[string]int64, error)
	// HourlyCounts returns, per SLO and Unix hour, the counts of one kind
	// from minute from (inclusive) to minute to (exclusive). Events add up
	// over groups; slices are read from the SLO-wide group when there is one.
	HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error)
	// GroupCounts returns, per group of one SLO, the counts of one kind
	// from minute from (inclusive) to minute to (exclusive), the SLO-wide
	// group left out.
	GroupCounts(ctx context.Context, kind engine.Kind, slo string, from, to int64) (map[string]engine.Counts, error)

	// SaveSourceStates records the health of SLOs' data sources (stale,
	// backfilled), as the leader that queries them sees it. It is the
	// leader's, like SaveAlerts.
	SaveSourceStates(ctx context.Context, states map[string]engine.SourceState) error
	// LoadSourceStates returns every saved source state, by SLO.
	LoadSourceStates(ctx context.Context) (map[string]engine.SourceState, error)

	// Notifications returns up to limit notifications after id afterID,
	// oldest first; for one SLO when slo is not empty. Ids grow in the
	// order notifications were saved.
	Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error)
	// Cursor returns the last notification id a channel delivered; a
	// channel seen for the first time starts after the newest notification.
	Cursor(ctx context.Context, channel string) (int64, error)
	// ClaimNotifications records, before they are sent, that this
	// replica's leadership sends a channel the notifications after id
	// after up to id upto. It is the leader's, like SaveAlerts: a replica
	// whose lease ran out gets ErrNotLeader and must send nothing. When the
	// channel's cursor is no longer after (another leader delivered on),
	// it returns ErrCursorMoved: read the cursor again.
	ClaimNotifications(ctx context.Context, channel string, after, upto int64) error
	// SetCursor records that a channel delivered every notification up to
	// id, within this replica's last claim; ErrNotLeader when a later
	// leader claimed them since.
	SetCursor(ctx context.Context, channel string, id int64) error

	// AddAnnotation stores an annotation and returns it with its id.
	AddAnnotation(ctx context.Context, a slo.Annotation) (slo.Annotation, error)
	// Annotations returns the annotations overlapping from..to, of one
	// service when service is not empty, oldest first.
	Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error)
	// AddException stores an exception and returns it with its id.
	AddException(ctx context.Context, e slo.Exception) (slo.Exception, error)
	// RevokeException ends exception id at t, by whom; an unknown id is a
	// not-found slo.Error, one already revoked a conflict.
	RevokeException(ctx context.Context, id int64, t time.Time, by string) (slo.Exception, error)
	// Exceptions returns every exception, oldest first.
	Exceptions(ctx context.Context) ([]slo.Exception, error)

	// PullChanges returns what other replicas wrote since the last
	// LoadCounts or PullChanges of this store: their counts, each once,
	// and whether they added annotations or the leader saved alert,
	// policy or source states. A store only one process uses has nothing to pull.
	// When the changes asked for are no longer kept, it returns
	// ErrChangesLost: load the counts again.
	PullChanges(ctx context.Context) (Changes, error)
	// Campaign takes or renews the leadership for ttl and reports whether
	// this store's process leads. A store only one process uses always
	// leads.
	Campaign(ctx context.Context, ttl time.Duration) (bool, error)
	// Resign gives the leadership up, so another replica takes it at once.
	Resign(ctx context.Context) error

	// Join records this replica, with the SHA-256 of its bootstrap token,
	// among the replicas of the database; it refuses (conflict) when a
	// replica seen within the last `within` runs with another token. A
	// store only one process uses has no other replica and accepts.
	Join(ctx context.Context, tokenHash string, within time.Duration) error

	// PublishSpecs records that a replica reloaded the specs to a catalog
	// of this digest, the revision every replica must then run, and
	// returns it. A store only one process uses keeps none and returns
	// the zero revision.
	PublishSpecs(ctx context.Context, digest string) (SpecRevision, error)
	// LatestSpecs returns the revision published last; the zero revision
	// when none was.
	LatestSpecs(ctx context.Context) (SpecRevision, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close waits for pending writes and closes the database.
	Close() error
}

// Changes are what other replicas wrote.
type Changes struct {
	// Counts were added by other replicas; they are stored already and
	// only need counting in memory.
	Counts []engine.Count
	// Annotations is true when another replica added annotations, so the
	// maintenance windows excluded from budgets may have changed.
	Annotations bool
	// States is true when the leader saved alert or policy states; Alerts
	// and Policies are the ones it saved, so a follower takes just those.
	States   bool
	Alerts   []engine.Alert
	Policies []engine.PolicyRecord
	// Sources is true when the leader saved source states.
	Sources bool
}

// SpecRevision is a version of the specs every replica must run: the
// digest of the catalog one replica loaded, by whom and when.
type SpecRevision struct {
	ID     int64     `json:"id"`
	Digest string    `json:"digest"`
	Origin string    `json:"origin"`
	At     time.Time `json:"at"`
}

// ErrNotLeader is returned for a leader's write from a replica that does
// not hold the leadership (any more).
var ErrNotLeader = errors.New("this replica does not lead")

// ErrCursorMoved is returned by ClaimNotifications when the channel's
// cursor is not where the claim starts: another leader delivered on.
var ErrCursorMoved = errors.New("the channel's cursor moved: another replica delivered on")

// ErrChangesLost is returned by PullChanges when changes since the last
// pull were pruned before they were read.
var ErrChangesLost = errors.New("changes since the last pull were pruned; load the counts again")
