package accord_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/accord"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// load runs data through the accord loader alone (no spec.Validate).
func load(name string, data []byte) (slo.Catalog, *diag.List) {
	var diags diag.List
	l := accord.NewLoader()
	for d := range decode.ReadBytes(name, data, &diags) {
		l.Add(decode.NewDoc(d, slo.FormatAccord, &diags))
	}
	return l.Finish(&diags), &diags
}

func loadFile(t *testing.T, path string) (slo.Catalog, *diag.List) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return load(path, data)
}

func lines(diags *diag.List) string {
	var out []string
	for _, d := range diags.Items() {
		out = append(out, d.String())
	}
	return strings.Join(out, "\n")
}

// canonical renders a catalog's meaning for comparison.
func canonical(t *testing.T, cat slo.Catalog) string {
	t.Helper()
	b, err := json.MarshalIndent(cat.Canonical(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
