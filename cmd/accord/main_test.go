package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// run executes the accord command line in-process and returns what it
// wrote and whether it failed.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

// golden compares got with the golden file at path, rewriting it with
// -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/accord -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < len("accord x") || out[:7] != "accord " {
		t.Errorf("version output = %q", out)
	}
}

func TestUnknownOutputFormat(t *testing.T) {
	_, _, err := run(t, "validate", "-o", "yaml", "../../examples")
	if err == nil || err.Error() != `--output "yaml": must be text or json` {
		t.Errorf("err = %v", err)
	}
}

func TestMissingPath(t *testing.T) {
	_, _, err := run(t, "validate", "does-not-exist")
	if err == nil {
		t.Fatal("validate of a missing path succeeded")
	}
}

func TestValidateExamples(t *testing.T) {
	out, errOut, err := run(t, "validate", "../../examples")
	if err != nil {
		t.Fatalf("validate examples: %v\n%s", err, errOut)
	}
	for _, name := range []string{"payment-success", "checkout-latency", "receipt-printing", "sync-freshness"} {
		if !strings.Contains(out, name) {
			t.Errorf("SLO table lacks %s:\n%s", name, out)
		}
	}
	if !strings.HasSuffix(errOut, ": 0 errors, 0 warnings\n") {
		t.Errorf("examples should validate clean, stderr:\n%s", errOut)
	}
}

// TestValidateBroken checks that one run lists every problem of the broken
// spec, each at file:line:col with its field.
func TestValidateBroken(t *testing.T) {
	out, errOut, err := run(t, "validate", "../../testdata/broken")
	if err == nil {
		t.Fatal("validate of a broken spec succeeded")
	}
	if out != "" {
		t.Errorf("a spec with errors should list no SLOs, got:\n%s", out)
	}
	golden(t, "testdata/validate-broken.golden", errOut)
}

func TestValidateJSON(t *testing.T) {
	out, _, err := run(t, "validate", "-o", "json", "../../testdata/broken")
	if err == nil {
		t.Fatal("validate -o json of a broken spec succeeded")
	}
	var report validationReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if report.Valid || report.Errors != 17 || report.Warnings != 2 || len(report.Diagnostics) != 19 {
		t.Errorf("report: valid=%v errors=%d warnings=%d diagnostics=%d", report.Valid, report.Errors, report.Warnings, len(report.Diagnostics))
	}
	first := report.Diagnostics[0]
	if first.File != "../../testdata/broken/checkout.yaml" || first.Line != 9 || first.Column != 5 || first.Path != "spec.owners" {
		t.Errorf("first diagnostic = %+v", first)
	}
}

func TestConvertGolden(t *testing.T) {
	tests := []struct{ in, to, golden string }{
		{"../../examples", "openslo", "examples.openslo.yaml"},
		{"../../examples", "accord", "examples.accord.yaml"},
		{"../../internal/spec/sloth/testdata/good/payments.yaml", "accord", "sloth.accord.yaml"},
		{"../../internal/spec/pyrra/testdata/good/checkout.yaml", "accord", "pyrra.accord.yaml"},
		{"../../internal/spec/openslo/testdata/good/payments.yaml", "accord", "openslo.accord.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errOut, err := run(t, "convert", "--to", tt.to, tt.in)
			if err != nil {
				t.Fatalf("convert: %v\n%s", err, errOut)
			}
			golden(t, filepath.Join("testdata", "convert", tt.golden), out)
			// What convert writes must read back without errors.
			if _, errOut, err := run(t, "validate", filepath.Join("testdata", "convert", tt.golden)); err != nil {
				t.Errorf("converted spec does not validate: %v\n%s", err, errOut)
			}
		})
	}
}

func TestConvertRefusesSpecsWithErrors(t *testing.T) {
	out, errOut, err := run(t, "convert", "--to", "openslo", "../../testdata/broken")
	if err == nil || out != "" {
		t.Fatalf("convert of a broken spec: err=%v, wrote %d bytes", err, len(out))
	}
	if !strings.Contains(errOut, `unknown field "objetive"`) {
		t.Errorf("errors not reported:\n%s", errOut)
	}
	if _, _, err := run(t, "convert", "--to", "yaml", "../../examples"); err == nil || !strings.Contains(err.Error(), "must be accord or openslo") {
		t.Errorf("unknown target format: err=%v", err)
	}
}

func TestServeExplainsMissingSpecs(t *testing.T) {
	t.Chdir(t.TempDir())
	_, _, err := run(t, "serve", "--data-dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("serve without specs: %v, want a hint at --config", err)
	}
}

func TestServeReadsFlagsFromTheEnvironment(t *testing.T) {
	t.Setenv("ACCORD_CONFIG", filepath.Join(t.TempDir(), "missing.yaml"))
	t.Setenv("ACCORD_LOG_LEVEL", "loud")
	_, _, err := run(t, "serve")
	if err == nil || !strings.Contains(err.Error(), `--log-level "loud"`) {
		t.Errorf("ACCORD_LOG_LEVEL=loud: %v, want it read as --log-level", err)
	}
	t.Setenv("ACCORD_LOG_LEVEL", "info")
	_, _, err = run(t, "serve")
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("ACCORD_CONFIG: %v, want the configured path in the error", err)
	}
}
