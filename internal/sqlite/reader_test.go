package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/sqlite"
)

// TestReaderReadsWhileTheServerHoldsTheDatabase: a store holds the data
// directory (as accord serve does) while a Reader reads its counts and
// annotations, and sees what the store adds after it opened.
func TestReaderReadsWhileTheServerHoldsTheDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := sqlite.OpenReader(dir); err == nil {
		t.Fatal("a Reader opened a directory without a database")
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := sqlite.Open(dir); err == nil {
		t.Fatal("a second store opened the directory; the Reader is what may share it")
	}
	r, err := sqlite.OpenReader(dir)
	if err != nil {
		t.Fatalf("a Reader beside a running store: %v", err)
	}
	defer r.Close()
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	if err := s.AddCounts(ctx, []engine.Count{{SLO: "a/b", Group: "{}", Kind: engine.KindEvents, Minute: 100, Counts: engine.Counts{Good: 9, Total: 10}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAnnotation(ctx, slo.Annotation{Kind: slo.AnnotationDeploy, Service: "a", Start: at, Version: "1"}); err != nil {
		t.Fatal(err)
	}
	var got []engine.Count
	if err := r.LoadCounts(ctx, 0, func(c engine.Count) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Counts != (engine.Counts{Good: 9, Total: 10}) {
		t.Errorf("counts %+v, want the one the store added", got)
	}
	if a, err := r.Annotations(ctx, "a", at.Add(-time.Hour), at.Add(time.Hour)); err != nil || len(a) != 1 || a[0].Version != "1" {
		t.Errorf("annotations %+v %v, want the deploy", a, err)
	}
}
