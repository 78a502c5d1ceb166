package rules_test

import (
	"path/filepath"
	"testing"
)

// TestPromtoolUnitTests runs the promtool unit tests in testdata/promtool
// (*_test.yaml) in one promtool run against the rules generated from
// testdata/promtool/specs: full outages page within a minute, half the
// budget's pace stays silent, the budget is there a minute after the counters start,
// windows count the counters' growth exactly, a Sloth query grouped by
// host keeps one series per host, time slices are judged per store, and
// journeys add up their components' weighted minutes and slices.
// The files explain the arithmetic.
func TestPromtoolUnitTests(t *testing.T) {
	t.Parallel()
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/specs"))
	tests, err := filepath.Glob("testdata/promtool/*_test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no promtool tests in testdata/promtool: %v", err)
	}
	dir := t.TempDir()
	mustWriteRules(t, dir, res)
	args := []string{"test", "rules"}
	for _, file := range tests {
		args = append(args, mustCopy(t, file, dir))
	}
	promtool(t, dir, args...)
}
