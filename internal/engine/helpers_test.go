package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
)

// mustCatalog reads an accord/v1 spec and fails on any error in it.
func mustCatalog(tb testing.TB, yaml string) slo.Catalog {
	tb.Helper()
	res := spec.LoadBytes("test.yaml", []byte(yaml))
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		tb.Fatalf("spec errors:\n%s", strings.Join(lines, "\n"))
	}
	return res.Catalog
}

// mustEngine starts an engine over a SQLite store in dir.
func mustEngine(tb testing.TB, cat slo.Catalog, dir string, clock engine.Clock) (*engine.Engine, *sqlite.Store) {
	tb.Helper()
	store, err := sqlite.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	e := engine.New(engine.Options{Catalog: cat, Store: store, Clock: clock, ExternalURL: "http://accord.test"})
	if err := e.Restore(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e, store
}

func ptr(f float64) *float64 { return &f }

// counted is a pre-counted event.
func counted(stream string, t time.Time, good, total float64) engine.Event {
	return engine.Event{Stream: stream, Time: t, Good: ptr(good), Total: ptr(total)}
}

func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
