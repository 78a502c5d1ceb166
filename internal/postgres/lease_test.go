package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/testenv"
)

// openStore opens a store on url that is closed when the test ends.
func openStore(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestACampaignRenewsTheReplicaWhetherItLeadsOrNot: the one statement of
// a campaign also renews the replica's row, for the replica that wins the
// lease and for the one that does not.
func TestACampaignRenewsTheReplicaWhetherItLeadsOrNot(t *testing.T) {
	ctx := context.Background()
	url := PG.Database(t)
	a, b := openStore(t, url), openStore(t, url)
	for _, s := range []*Store{a, b} {
		if err := s.Join(ctx, "hash", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.pool.Exec(ctx, `UPDATE replicas SET seen_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    *Store
		name string
		lead bool
	}{{a, "a", true}, {b, "b", false}} {
		lead, err := c.s.Campaign(ctx, 10*time.Second)
		if err != nil || lead != c.lead {
			t.Fatalf("%s campaigns: %v, %v; want %v", c.name, lead, err, c.lead)
		}
		var ago float64
		if err := a.pool.QueryRow(ctx, `SELECT EXTRACT(EPOCH FROM now() - seen_at)::float8 FROM replicas WHERE origin = $1`, c.s.origin).Scan(&ago); err != nil {
			t.Fatal(err)
		}
		if ago > 60 {
			t.Errorf("%s (leads: %v) was last seen %.0f s ago after its campaign, want it renewed", c.name, c.lead, ago)
		}
	}
}

// TestACampaignWithoutTheDatabaseIsUnavailable: a campaign PostgreSQL
// cannot take now is an outage to wait out (503 on the routes that meet
// it), not a defect.
func TestACampaignWithoutTheDatabaseIsUnavailable(t *testing.T) {
	addr := testenv.FreeAddr(t) // nothing listens there: connections are refused
	pool, err := pgxpool.New(context.Background(), "postgres://accord@"+addr+"/accord?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := &Store{pool: pool, origin: "test"}
	_, err = s.Campaign(context.Background(), 10*time.Second)
	if code := slo.ErrorCode(err); code != slo.CodeUnavailable {
		t.Errorf("a campaign with PostgreSQL down: %v (code %s), want unavailable", err, code)
	}
}
