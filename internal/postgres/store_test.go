package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/auth/authtest"
	"github.com/accord-slo/accord/internal/postgres"
	"github.com/accord-slo/accord/internal/store"
	"github.com/accord-slo/accord/internal/store/storetest"
)

var pg = postgres.PG

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// mustOpen opens a store on url that is closed when the test ends.
func mustOpen(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, storetest.Options{Shared: true, New: func(t *testing.T) func(t *testing.T) store.Store {
		url := pg.Database(t)
		return func(t *testing.T) store.Store {
			s, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}})
}

func TestAuthStoreContract(t *testing.T) {
	authtest.Run(t, func(t *testing.T) auth.Store { return mustOpen(t, pg.Database(t)) })
}
