package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/testenv"
)

// TestOpenGivesUpOnAServerThatDoesNotAnswer: a host that takes the
// connection and never answers fails Open within the connect timeout
// instead of holding start-up.
func TestOpenGivesUpOnAServerThatDoesNotAnswer(t *testing.T) {
	addr := testenv.Silent(t)
	defer func(d time.Duration) { connectTimeout = d }(connectTimeout)
	connectTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		s, err := Open(ctx, "postgres://accord:secret@"+addr+"/accord?sslmode=disable")
		if s != nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open succeeded against a server that never answers")
		}
	case <-ctx.Done():
		t.Fatal("Open still waiting after 10 s on a server that never answers")
	}
}

// TestRevokingAnExceptionWithoutTheDatabaseIsUnavailable: like every
// other write, a revocation PostgreSQL cannot take now answers 503.
func TestRevokingAnExceptionWithoutTheDatabaseIsUnavailable(t *testing.T) {
	addr := testenv.FreeAddr(t) // nothing listens there: connections are refused
	pool, err := pgxpool.New(context.Background(), "postgres://accord@"+addr+"/accord?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := &Store{pool: pool}
	_, err = s.RevokeException(context.Background(), 1, time.Now(), "maria")
	if code := slo.ErrorCode(err); code != slo.CodeUnavailable {
		t.Errorf("revoking with PostgreSQL down: %v (code %s), want unavailable", err, code)
	}
}
