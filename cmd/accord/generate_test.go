package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/rules"
)

// examplesWarnings are what generating from the examples says on stderr.
const examplesWarnings = `warning: checkout/customer-checks-out: its component checkout/receipt-printing is measured from pushed events (stream "receipt-printing"), so Prometheus has nothing to record; left out
warning: checkout/receipt-printing: measured from pushed events (stream "receipt-printing"), so Prometheus has nothing to record; left out
warning: store-sync/sync-freshness: the calendar month (Europe/Berlin) window is measured as a rolling 30d in Prometheus rules
`

func TestGenerateGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"examples.rules.yaml", []string{"generate", "prometheus", "../../examples"}},
		{"examples.prometheusrule.yaml", []string{"generate", "prometheus", "--format", "prometheusrule", "../../examples"}},
		{"examples.grafana.json", []string{"generate", "grafana", "../../examples"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errOut, err := run(t, tt.args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(tt.args, " "), err, errOut)
			}
			if errOut != examplesWarnings {
				t.Errorf("stderr:\n%s\nwant:\n%s", errOut, examplesWarnings)
			}
			golden(t, filepath.Join("testdata", "generate", tt.golden), out)
		})
	}
}

func TestGenerateWritesOneFilePerService(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rules")
	out, errOut, err := run(t, "generate", "prometheus", "-o", dir, "../../examples")
	if err != nil {
		t.Fatalf("generate -o: %v\n%s", err, errOut)
	}
	if out != "" {
		t.Errorf("with -o nothing goes to stdout, got %d bytes", len(out))
	}
	all, _, _ := run(t, "generate", "prometheus", "../../examples")
	var joined []string
	for _, svc := range []string{"checkout", "store-sync"} {
		path := filepath.Join(dir, rules.FileName(svc))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(errOut, "wrote "+path) {
			t.Errorf("stderr does not list %s:\n%s", path, errOut)
		}
		body := strings.TrimPrefix(string(data), all[:strings.Index(all, "  - name:")])
		joined = append(joined, body)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in %s, want one per service", len(entries), dir)
	}
	if want := all[strings.Index(all, "  - name:"):]; strings.Join(joined, "") != want {
		t.Error("the files per service do not add up to the output on stdout")
	}

	if _, errOut, err := run(t, "generate", "grafana", "-o", dir, "../../examples"); err != nil || !strings.Contains(errOut, rules.DashboardFileName) {
		t.Errorf("generate grafana -o: %v\n%s", err, errOut)
	}
}

func TestGenerateRefusesSpecsWithErrors(t *testing.T) {
	for _, target := range []string{"prometheus", "grafana"} {
		out, errOut, err := run(t, "generate", target, "../../testdata/broken")
		if err == nil || out != "" {
			t.Errorf("generate %s of a broken spec: err=%v, wrote %d bytes", target, err, len(out))
		}
		if !strings.Contains(errOut, `unknown field "objetive"`) {
			t.Errorf("generate %s: errors not reported:\n%s", target, errOut)
		}
	}
	if _, _, err := run(t, "generate", "prometheus", "--format", "jsonnet", "../../examples"); err == nil || !strings.Contains(err.Error(), "must be rules or prometheusrule") {
		t.Errorf("unknown format: err=%v", err)
	}
}

func TestGenerateExcludes(t *testing.T) {
	for _, target := range []string{"prometheus", "grafana"} {
		out, errOut, err := run(t, "generate", target, "--exclude", "store-sync.yaml", "../../examples")
		if err != nil {
			t.Fatalf("generate %s --exclude: %v\n%s", target, err, errOut)
		}
		if strings.Contains(out, "store-sync") || !strings.Contains(out, "checkout") {
			t.Errorf("generate %s --exclude store-sync.yaml: store-sync still there, or checkout missing", target)
		}
	}
}
