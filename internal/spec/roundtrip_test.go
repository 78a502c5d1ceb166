package spec_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

// TestRoundTrip converts every valid spec the project ships — the examples
// and each format's test files — to accord/v1, then to OpenSLO (with the
// default alerts written as AlertPolicy objects), then back to accord/v1,
// and checks each step keeps the same model.
func TestRoundTrip(t *testing.T) {
	inputs := []string{"../../examples"}
	for _, pattern := range []string{"*/testdata/good/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, files...)
	}
	tried := 0
	for _, in := range inputs {
		res, err := spec.Load(in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Diags.HasErrors() || len(res.Catalog.SLOs) == 0 {
			continue // files made to fail are tested where they live
		}
		tried++
		t.Run(in, func(t *testing.T) {
			cat := res.Catalog
			spec.FillOwner(&cat, "round-trip") // accord/v1 asks every SLO for a team
			want := canonicalJSON(t, cat)
			for _, step := range []struct {
				name   string
				format string
			}{{"accord", "accord"}, {"openslo", "openslo"}, {"accord again", "accord"}} {
				out, err := spec.WriteWith(step.format, cat, spec.WriteOptions{Rules: engine.Rules})
				if err != nil {
					t.Fatalf("%s: write: %v", step.name, err)
				}
				back := spec.LoadBytes("converted.yaml", out)
				for _, d := range back.Diags.Items() {
					if d.Severity == "error" {
						t.Errorf("%s: reading the converted spec: %s", step.name, d)
					}
				}
				if got := canonicalJSON(t, back.Catalog); got != want {
					t.Fatalf("%s: model changed\n--- got\n%s\n--- want\n%s\n--- converted spec\n%s", step.name, got, want, out)
				}
				cat = back.Catalog
			}
		})
	}
	if tried < 5 {
		t.Errorf("round trip tried %d spec files, want at least 5: are the test files there?", tried)
	}
}

func canonicalJSON(t *testing.T, c slo.Catalog) string {
	t.Helper()
	b, err := json.MarshalIndent(c.Canonical(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
