package accord_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-slo/accord/internal/spec/accord"
)

// FuzzLoad feeds arbitrary bytes through the YAML reader and the accord
// loader, and writes back whatever was read: neither may panic, and what
// read without errors must read back from Write to the same catalog.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	examples, _ := filepath.Glob("../../../examples/*.yaml")
	journeys, _ := filepath.Glob("../testdata/journeys/*.yaml")
	for _, path := range append(append(files, examples...), journeys...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, diags := load("fuzz.yaml", data)
		out, err := accord.Write(cat)
		if err != nil || diags.HasErrors() {
			return
		}
		back, backDiags := load("written.yaml", out)
		if backDiags.HasErrors() {
			t.Fatalf("reading back:\n%s\nfrom:\n%s", lines(backDiags), out)
		}
		if got, want := canonical(t, back), canonical(t, cat); got != want {
			t.Fatalf("read back:\n%s\nwant:\n%s", got, want)
		}
	})
}
