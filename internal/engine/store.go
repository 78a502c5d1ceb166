package engine

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// Kind says what a stored count counts.
type Kind string

// The count kinds.
const (
	// KindEvents are events (or Prometheus increments) as measured.
	KindEvents Kind = "events"
	// KindSlices are judged time slices of a timeslice-budgeted SLO.
	KindSlices Kind = "slices"
)

// Count is good and total counts of one SLO group in one minute, the unit
// the engine stores.
type Count struct {
	SLO    string `json:"slo"`
	Group  string `json:"group"`
	Kind   Kind   `json:"kind"`
	Minute int64  `json:"minute"`
	Counts
	// Span is how many minutes from Minute on the counts were measured
	// over, when more than one: 60 for a source's hourly backfill. Stores
	// keep counts by Minute alone; the engine reads Span to judge the time
	// slices such counts cover as they arrive.
	Span int64 `json:"-"`
}

// Store keeps what the engine must not lose. The engine is its only
// writer; every method is safe for concurrent use.
type Store interface {
	// AddCounts adds counts durably: once it returns nil they survive a
	// crash. Counts for the same SLO, group, kind and minute add up. A ctx
	// that ends once the write is under way does not cut it short: the
	// engine counts in memory what AddCounts reports stored, so it must
	// not return an error for counts it stored.
	AddCounts(ctx context.Context, counts []Count) error
	// AddSlices adds the time slices the leader judged, as AddCounts
	// adds counts, but only under the leader's lease, checked in the same
	// transaction: a store that replicas share refuses them, storing
	// none, unless this replica still holds the lease it won (the store
	// package's ErrNotLeader). Judged slices are stored as differences to
	// what was judged before, so a former leader's late write would count
	// a slice twice beside the new leader's. Nil means stored, an error
	// means none was.
	AddSlices(ctx context.Context, slices []Count) error
	// LoadCounts calls fn with every stored count from minute since on;
	// the counts of one SLO, group and kind come oldest first.
	LoadCounts(ctx context.Context, since int64, fn func(Count) error) error
	// SaveAlerts records alert states and, in the same transaction, the
	// notifications their changes owe, so a crash loses or repeats none.
	SaveAlerts(ctx context.Context, alerts []Alert, notes []Notification) error
	// LoadAlerts returns every saved alert state.
	LoadAlerts(ctx context.Context) ([]Alert, error)
	// SavePolicyStates records policy states and, in the same transaction,
	// the notifications their changes owe.
	SavePolicyStates(ctx context.Context, states []PolicyRecord, notes []Notification) error
	// LoadPolicyStates returns every saved policy state.
	LoadPolicyStates(ctx context.Context) ([]PolicyRecord, error)
	// Prune forgets counts older than minute before.
	Prune(ctx context.Context, before int64) error
	// Compact may merge the counts before minute before into hours,
	// keeping each hour's sums.
	Compact(ctx context.Context, before int64) error
}

// ReceiptStore is a Store that keeps receipts of pushed batches, which
// IngestOnce needs; the databases do, a replay's store does not.
type ReceiptStore interface {
	Store
	// AddBatch adds a pushed batch's counts like AddCounts and, in the
	// same transaction, its receipt. If a receipt under r.Key is stored
	// already (by this or another replica) it adds nothing and returns that
	// receipt and true.
	AddBatch(ctx context.Context, counts []Count, r Receipt) (Receipt, bool, error)
	// Receipt returns the receipt stored under key; false when there is
	// none.
	Receipt(ctx context.Context, key string) (Receipt, bool, error)
	// PruneReceipts forgets the receipts of batches stored before t.
	PruneReceipts(ctx context.Context, before time.Time) error
}

// GroupKey is the canonical key of a label set: its JSON object, keys
// sorted; "{}" for an SLO without grouping.
func GroupKey(labels map[string]string) string {
	if len(labels) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(labels) // maps marshal with sorted keys
	return string(b)
}

// GroupLabels parses a GroupKey back into labels.
func GroupLabels(key string) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(key), &out)
	return out
}

// The notification kinds.
const (
	NotifyAlert  = "alert"
	NotifyPolicy = "policy"
)

// Notification is a change owed to every channel: an alert's change of
// state (Kind "alert") or an SLO's move between policy states ("policy").
type Notification struct {
	ID   int64     `json:"id"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Alert is set for alert notifications.
	Alert Alert `json:"alert"`
	// Policy is set for policy notifications.
	Policy      *PolicyChange     `json:"policy,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	// URL is the SLO's page in Accord.
	URL string `json:"url"`
}

// LabelText renders labels as people read them: store=berlin-042,
// region=north, keys sorted; "" without labels.
func LabelText(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
