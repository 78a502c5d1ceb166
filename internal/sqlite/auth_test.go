package sqlite_test

import (
	"testing"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/auth/authtest"
	"github.com/accord-slo/accord/internal/sqlite"
)

func TestAuthStoreContract(t *testing.T) {
	authtest.Run(t, func(t *testing.T) auth.Store {
		s, err := sqlite.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
