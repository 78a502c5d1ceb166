// Package spectest holds what the format readers' tests share: loading a
// test file with its diagnostics as text, and the fuzz harness.
package spectest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Loader is a format reader, as spec drives it.
type Loader interface {
	Add(d *decode.Doc)
	Finish(diags *diag.List) slo.Catalog
}

// Load reads the spec file at path as accord validate would and returns
// the result with every diagnostic rendered as file:line:col text.
func Load(tb testing.TB, path string) (*spec.Result, []string) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	res := spec.LoadBytes(path, data)
	var lines []string
	for _, d := range res.Diags.Items() {
		lines = append(lines, d.String())
	}
	return res, lines
}

// Fuzz feeds arbitrary bytes through a format's reader, seeded with the
// package's testdata/*/*.yaml files: whatever the input, the reader must
// report problems, not panic, and every SLO it returns has a budgeting
// method.
func Fuzz(f *testing.F, format slo.Format, newLoader func() Loader) {
	files, err := filepath.Glob("testdata/*/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var diags diag.List
		l := newLoader()
		for d := range decode.ReadBytes("fuzz.yaml", data, &diags) {
			l.Add(decode.NewDoc(d, format, &diags))
		}
		for _, s := range l.Finish(&diags).SLOs {
			if s.Budgeting.Method == "" {
				t.Errorf("SLO %q has no budgeting method", s.Name)
			}
		}
	})
}
