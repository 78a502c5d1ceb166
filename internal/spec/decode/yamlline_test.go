package decode

import (
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/spec/diag"
)

// TestSyntaxErrorsPointAtTheMistake checks that a YAML syntax error is
// reported at the line holding the mistake, not where yaml.v3 says (the
// start of the block around it, or the line before a tab), and without
// yaml's own "line N:" beside the position.
func TestSyntaxErrorsPointAtTheMistake(t *testing.T) {
	const head = "apiVersion: accord/v1\nkind: Service\nmetadata:\n  name: shop\n" // lines 1-4
	for _, tc := range []struct {
		name, text string
		line       int
	}{
		{"list item key indented one space short", head + "spec:\n  slos:\n    - name: a\n      objective: 99\n      indicator:\n        ratio:\n          stream: x\n     window: 30d\n", 12},
		{"mapping key indented one space short", head + "  labels:\n    team: x\n    tier: \"1\"\n   zone: a\nspec: {}\n", 8},
		{"a tab in the indentation", head + "spec:\n  slos:\n    - name: a\n      objective: 99\n\twindow: 30d\n", 9},
		{"after a separator and a sequence at its key's indentation", "a: 1\n---\n" + head + "spec:\n  slos:\n  - name: a\n    objective: 99\n   window: 30d\n", 11},
		{"a key indented one space deep, which yaml.v3 places right", head + "spec:\n  description: hi\n   runbook: x\n", 7},
	} {
		var diags diag.List
		for range ReadBytes("t.yaml", []byte(tc.text), &diags) {
		}
		items := diags.Items()
		if len(items) != 1 {
			t.Errorf("%s: %d diagnostics, want 1: %v", tc.name, len(items), items)
			continue
		}
		if d := items[0]; d.Line != tc.line || yamlLine.MatchString(d.Message) || !strings.HasPrefix(d.Message, "invalid YAML: ") {
			t.Errorf("%s: %s, want line %d and no yaml line in the message", tc.name, d.String(), tc.line)
		}
	}
}
