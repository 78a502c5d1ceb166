package rules_test

import (
	"path/filepath"
	"testing"
)

// TestPromtoolUnitTests runs the promtool unit tests in testdata/promtool
// (ratio_test.yaml, latency_test.yaml) against rules generated from
// testdata/promtool/slos.yaml: full outages page within minutes, a burn of
// 10× pages after 3.6 hours and tickets after 7.2, half the budget's pace
// stays silent. The files explain the arithmetic.
func TestPromtoolUnitTests(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "testdata/promtool/slos.yaml"))
	tests, err := filepath.Glob("testdata/promtool/*_test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no promtool tests in testdata/promtool: %v", err)
	}
	for _, file := range tests {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustWriteRules(t, dir, res)
			promtool(t, dir, "test", "rules", mustCopy(t, file, dir))
		})
	}
}
