package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

// judgedSlicesSpec has two time-slice SLOs and a time-slice journey over
// them: each judges its own slices, which the leader stores.
const judgedSlicesSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  slos:
    - {name: a, objective: 99, window: 14d, budgeting: {method: timeslices, sliceLength: 10m, sliceTarget: 99}, indicator: {ratio: {stream: a}}}
    - {name: b, objective: 99, window: 14d, budgeting: {method: timeslices, sliceLength: 10m, sliceTarget: 99}, indicator: {ratio: {stream: b}}}
    - name: both
      objective: 99
      window: 14d
      budgeting: {method: timeslices, sliceLength: 10m}
      composite: {components: [a, b]}
`

// judgedSlicesCatalog loads judgedSlicesSpec.
func judgedSlicesCatalog(t *testing.T) slo.Catalog {
	t.Helper()
	res := spec.LoadBytes("stores.yaml", []byte(judgedSlicesSpec))
	if res.Diags.HasErrors() {
		t.Fatalf("spec: %v", res.Diags.Items())
	}
	return res.Catalog
}

// storedSlices reads, per SLO, the judged slices the database holds.
func storedSlices(t *testing.T, conn *pgx.Conn) map[string]engine.Counts {
	t.Helper()
	ctx := context.Background()
	stored := map[string]engine.Counts{}
	rows, err := conn.Query(ctx, `SELECT slo, SUM(good), SUM(total) FROM counts WHERE kind = 'slices' GROUP BY slo`)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	var c engine.Counts
	if _, err := pgx.ForEachRow(rows, []any{&id, &c.Good, &c.Total}, func() error { stored[id] = c; return nil }); err != nil {
		t.Fatal(err)
	}
	return stored
}
