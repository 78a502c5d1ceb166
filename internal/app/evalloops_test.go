package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestAnIdleServerEvaluatesOnlyAtItsInterval starts Accord with pushed
// SLOs only and an hour between evaluations, then stops it: it evaluated
// every SLO once, before it was ready. Its loops used to evaluate twice
// more at once (the evaluation loop's first turn, and the source loop's
// evaluation after querying nothing), and the source loop once a minute
// after: an idle server evaluated more often than --eval-interval says.
func TestAnIdleServerEvaluatesOnlyAtItsInterval(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(spec, []byte(`apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: payments}
  slos:
    - {name: payments, objective: 99.9, window: 30d, indicator: {ratio: {stream: payments}}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := New(ctx, Options{SpecPaths: []string{spec}, DataDir: filepath.Join(dir, "data"), Addr: "127.0.0.1:0", Token: "tok", EvalInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n := a.source().Queried(); n != 0 {
		t.Fatalf("the source queries %d SLOs of a catalog of pushed ones", n)
	}
	// Close waits for every loop, each of which has taken its first turn.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	families, err := a.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var evaluations uint64
	for _, f := range families {
		if f.GetName() == "accord_evaluation_duration_seconds" {
			evaluations = f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	if evaluations != 1 {
		t.Errorf("%d evaluations from start to stop with an hour between evaluations, want the one before ready", evaluations)
	}
}
