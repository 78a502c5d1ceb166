package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateSummary checks the summary line counts in words, singular
// and plural, and tells skipped files apart from read ones.
func TestValidateSummary(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"checkout.yaml": "apiVersion: accord/v1\nkind: Service\nmetadata: {name: checkout}\nspec: {owners: pos}\n---\n" +
			"apiVersion: accord/v1\nkind: Service\nmetadata: {name: checkout}\nspec: {owners: pos}\n",
		"deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: accord}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, err := run(t, "validate", dir)
	if err == nil {
		t.Fatal("a service defined twice should fail")
	}
	for _, want := range []string{
		"checkout.yaml:8:18: metadata.name: service \"checkout\" is defined twice (first at " + filepath.Join(dir, "checkout.yaml") + ":3:18)",
		"deploy.yaml:1:1: note: skipped: no SLO spec in this file (apps/v1 Deployment)",
		"0 SLOs in 1 service from 1 file (1 file skipped): 1 error, 0 warnings\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	out, _, _ := run(t, "validate", "-o", "json", dir)
	var report validationReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Skipped) != 1 || filepath.Base(report.Skipped[0]) != "deploy.yaml" || report.Errors != 1 || report.Valid {
		t.Errorf("report = %+v", report)
	}
}

// TestValidateShowsWhatIsNotMeasured lists an SLO whose source Accord
// cannot query as not measured.
func TestValidateShowsWhatIsNotMeasured(t *testing.T) {
	out, errOut, err := run(t, "validate", "../../internal/spec/openslo/testdata/good/shapes.yaml")
	if err != nil {
		t.Fatalf("validate: %v\n%s", err, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "basket-latency") && !strings.Contains(line, "not measured: source kind Datadog") {
			t.Errorf("basket-latency row = %q", line)
		}
	}
}
