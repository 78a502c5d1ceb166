package openslo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// FuzzLoad feeds arbitrary bytes through the OpenSLO loader: whatever the
// input, it must report problems, not panic.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var diags diag.List
		l := NewLoader()
		for _, d := range decode.ReadBytes("fuzz.yaml", data, &diags) {
			l.Add(decode.NewDoc(d, "openslo/v1", &diags))
		}
		cat := l.Finish(&diags)
		for _, s := range cat.SLOs {
			if s.Budgeting.Method == "" {
				t.Errorf("SLO %q has no budgeting method", s.Name)
			}
		}
	})
}
