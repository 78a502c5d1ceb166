// Package storetest is the test suite every store.Store implementation
// passes: SQLite and PostgreSQL run the same cases, so the two behave the
// same to the engine, the notifier and the API.
package storetest

import (
	"context"
	"testing"

	"github.com/accord-slo/accord/internal/store"
)

// Options say how to get the store under test.
type Options struct {
	// New makes an empty database and returns a function that opens it.
	// The function may be called again after Close and, for a Shared
	// store, while other stores on the database are open (each as a
	// replica of its own).
	New func(t *testing.T) (open func(t *testing.T) store.Store)
	// Shared is true for a store several replicas share.
	Shared bool
}

// Run runs every case against the store, each on a fresh database.
func Run(t *testing.T, o Options) {
	cases := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"CountsAddUpPerMinute", testCountsAddUp},
		{"GivenUpAddsAreStoredOnlyIfReported", testGivenUpAdds},
		{"ReceiptsStoreABatchOnce", testReceipts},
		{"CompactKeepsHourSums", testCompact},
		{"HourlyCounts", testHourlyCounts},
		{"ReopenKeepsEverything", testReopen},
		{"AlertsAndPolicyStates", testAlertsAndPolicies},
		{"SourceStates", testSourceStates},
		{"NotificationsAndCursors", testNotifications},
		{"PruneKeepsUndelivered", testPruneNotifications},
		{"Annotations", testAnnotations},
		{"Exceptions", testExceptions},
		{"OwnWritesAreNoChanges", testOwnWrites},
		{"AuditByAction", testAuditByAction},
	}
	if o.Shared {
		cases = append(cases, []struct {
			name string
			run  func(t *testing.T, open func(t *testing.T) store.Store)
		}{
			{"ReplicasPullEachOthersCounts", testPullCounts},
			{"ReplicasSeeAnnotationsAndStates", testPullFlags},
			{"OneLeaderAtATime", testLeadership},
			{"LeaderWritesAreFenced", testFence},
		}...)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each on its own database
			open := o.New(t)
			c.run(t, open)
		})
	}
}

// mustOpen opens a store that is closed when the test ends.
func mustOpen(t *testing.T, open func(t *testing.T) store.Store) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

// lead makes s the leader, as the leader's writes need.
func lead(t *testing.T, s store.Store) {
	t.Helper()
	ok, err := s.Campaign(context.Background(), 60e9)
	if err != nil || !ok {
		t.Fatalf("campaign on a free lease: %v %v, want leadership", ok, err)
	}
}
