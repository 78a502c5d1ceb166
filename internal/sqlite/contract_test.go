package sqlite_test

import (
	"testing"

	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/store"
	"github.com/accord-slo/accord/internal/store/storetest"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, storetest.Options{New: func(t *testing.T) func(t *testing.T) store.Store {
		dir := t.TempDir()
		return func(t *testing.T) store.Store {
			s, err := sqlite.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}})
}

func TestSecondProcessIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(dir); err == nil {
		t.Fatal("a second open of one data directory succeeded; want it refused while the first is open")
	}
	s.Close()
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
}
