package rules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/testenv"
)

// mustCatalog loads specs and fails on any error in them.
func mustCatalog(tb testing.TB, paths ...string) *slo.Catalog {
	tb.Helper()
	res, err := spec.Load(paths...)
	if err != nil {
		tb.Fatal(err)
	}
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		tb.Fatalf("spec errors:\n%s", strings.Join(lines, "\n"))
	}
	return &res.Catalog
}

// mustGenerate generates the rules of a catalog.
func mustGenerate(tb testing.TB, cat *slo.Catalog) *rules.Result {
	tb.Helper()
	res, err := rules.Generate(cat, rules.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// mustWriteRules writes one rule file per service into dir and returns
// their paths.
func mustWriteRules(tb testing.TB, dir string, res *rules.Result) []string {
	tb.Helper()
	var paths []string
	for _, f := range res.Files {
		out, err := rules.EncodeFile(f, rules.FormatRules)
		if err != nil {
			tb.Fatal(err)
		}
		p := filepath.Join(dir, rules.FileName(f.Service))
		if err := os.WriteFile(p, out, 0o644); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// mustCopy copies the file src into dir.
func mustCopy(tb testing.TB, src, dir string) string {
	tb.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// promtool runs Debian's promtool (package prometheus) with args in dir
// and returns its output; the test fails when it fails.
func promtool(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(testenv.Binary(tb, "promtool", "prometheus"), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
