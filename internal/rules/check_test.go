package rules_test

import (
	"strings"
	"testing"
)

// TestGeneratedRulesPassPromtoolCheck checks every file generated for the
// examples and for the Sloth test inputs with `promtool check rules`,
// which parses every expression and lints for duplicate rules.
func TestGeneratedRulesPassPromtoolCheck(t *testing.T) {
	for _, in := range []string{"../../examples", "../spec/sloth/testdata/good", "testdata/promtool/specs", "testdata/sloth"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := mustWriteRules(t, dir, mustGenerate(t, mustCatalog(t, in)))
			if len(files) == 0 {
				t.Fatal("no rule files generated")
			}
			out := promtool(t, dir, append([]string{"check", "rules"}, files...)...)
			if strings.Contains(out, "WARNING") || strings.Count(out, "SUCCESS") != len(files) {
				t.Errorf("promtool check rules:\n%s", out)
			}
		})
	}
}
