package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// manyCounts are n counts of distinct groups: a write that needs new pages.
func manyCounts(n int) []engine.Count {
	var out []engine.Count
	for i := 0; i < n; i++ {
		out = append(out, count("a/b", fmt.Sprintf(`{"store":"s%05d"}`, i), 100, 1, 1))
	}
	return out
}

// TestReadinessRemembersTheLastRefusedWrite fills the database (SQLite's
// page limit stands for a full disk) so a batch of counts is refused: Ping
// fails from then on although its one-page test write would fit, until a
// real write succeeds; and only once probeAfter has passed may the test
// write clear it.
func TestReadinessRemembersTheLastRefusedWrite(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.AddCounts(ctx, manyCounts(10)); err != nil {
		t.Fatal(err)
	}
	limit := func(pages int64) {
		t.Helper()
		// The writer has one connection: the limit holds for its writes.
		if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
			t.Fatal(err)
		}
	}
	var pages int64
	if err := s.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	limit(pages)
	err = s.AddCounts(ctx, manyCounts(5000))
	if slo.ErrorCode(err) != slo.CodeUnavailable {
		t.Fatalf("a batch over the page limit: %v, want it refused as unavailable", err)
	}
	err = s.Ping(ctx)
	if slo.ErrorCode(err) != slo.CodeUnavailable || !strings.Contains(err.Error(), "refused a write") {
		t.Errorf("Ping right after the refused batch: %v, want unavailable naming the refused write", err)
	}

	s.probeAfter = 0 // as if a minute had passed: the test write fits
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping once the test write may clear it: %v", err)
	}

	s.probeAfter = probeAfter
	if err := s.AddCounts(ctx, manyCounts(5000)); slo.ErrorCode(err) != slo.CodeUnavailable {
		t.Fatalf("the batch again: %v, want it refused", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after the second refusal: nil, want unavailable")
	}
	limit(1 << 30) // the operator made room
	if err := s.AddCounts(ctx, manyCounts(5000)); err != nil {
		t.Fatalf("the batch once there is room: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after a write succeeded: %v", err)
	}
}
