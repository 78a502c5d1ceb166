package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
)

// pullReads pulls s's changes and returns how many it got and how many
// rows of the tables the change feed reads (fetched through an index or
// scanned) the pull read. PostgreSQL's counts of a connection's reads
// add up until it reports them, so the pull's are the difference between
// its start and its end.
func pullReads(t *testing.T, s *Store) (int, int64) {
	t.Helper()
	var reads []int64
	s.pulling = func(tx pgx.Tx) error {
		var n int64
		err := tx.QueryRow(context.Background(), `SELECT COALESCE(SUM(COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0)), 0)::bigint
			FROM pg_stat_xact_user_tables WHERE relname IN ('alerts', 'policy_states', 'count_changes', 'annotations', 'source_states')`).Scan(&n)
		reads = append(reads, n)
		return err
	}
	defer func() { s.pulling = nil }()
	ch, err := s.PullChanges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var read int64
	if len(reads) == 2 { // the first pull reads nothing: it starts the feed
		read = reads[1] - reads[0]
	}
	return len(ch.Alerts) + len(ch.Policies) + len(ch.Counts), read
}

// TestAPullReadsOnlyWhatChangedSinceTheLast: a follower pulls the
// leader's 1,000 alert states, 1,000 policy states and 1,000 counts once,
// and its next pull reads no row at all, even while a transaction begun
// before them all is still open (a long statement on another replica,
// a restore): rows are found by what committed after the last pull, not
// by what any transaction open at it might have written.
func TestAPullReadsOnlyWhatChangedSinceTheLast(t *testing.T) {
	ctx := context.Background()
	url := PG.Database(t)
	leader, follower := openStore(t, url), openStore(t, url)
	pullReads(t, follower) // starts the feed
	long, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close(ctx)
	tx, err := long.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil { // holds every snapshot's xmin back
		t.Fatal(err)
	}

	if ok, err := leader.Campaign(ctx, time.Minute); err != nil || !ok {
		t.Fatalf("campaign: %v %v", ok, err)
	}
	const n = 1000
	alerts := make([]engine.Alert, n)
	policies := make([]engine.PolicyRecord, n)
	counts := make([]engine.Count, n)
	for i := range n {
		id := fmt.Sprintf("a/s%04d", i)
		alerts[i] = engine.Alert{SLO: id, Group: "{}", Rule: "page", State: engine.AlertFiring}
		policies[i] = engine.PolicyRecord{SLO: id, Policy: "freeze", State: "frozen"}
		counts[i] = count(id, 100, 1, 2)
	}
	if err := leader.SaveAlerts(ctx, alerts, nil); err != nil {
		t.Fatal(err)
	}
	if err := leader.SavePolicyStates(ctx, policies, nil); err != nil {
		t.Fatal(err)
	}
	if err := leader.AddCounts(ctx, counts); err != nil {
		t.Fatal(err)
	}
	if got, _ := pullReads(t, follower); got != 3*n {
		t.Fatalf("the follower pulled %d changes, want %d", got, 3*n)
	}
	for i := range 3 {
		if got, read := pullReads(t, follower); got != 0 || read != 0 {
			t.Errorf("pull %d with nothing new: %d changes, %d rows read; want none read", i+2, got, read)
		}
	}
}
