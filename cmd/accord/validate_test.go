package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// TestValidateJourneys accepts a spec with journeys and lists each with
// the components it is measured by, and converts it back to accord/v1
// with the journeys kept.
func TestValidateJourneys(t *testing.T) {
	const file = "../../internal/spec/testdata/journeys/good.yaml"
	out, errOut, err := run(t, "validate", file)
	if err != nil {
		t.Fatalf("validate: %v\n%s", err, errOut)
	}
	rows := map[string]string{
		"customer-checks-out": "composite  journey: scan + pay ",
		"visit":               "composite  journey: customer-checks-out + 2.5×payments/card ",
		"scan":                "ratio      events: scan ",
	}
	for name, want := range rows {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[1] == name {
				found = true
				if !strings.Contains(line, want) {
					t.Errorf("%s row = %q, want it to hold %q", name, line, want)
				}
			}
		}
		if !found {
			t.Errorf("no row for %s:\n%s", name, out)
		}
	}
	if !strings.Contains(errOut, "8 SLOs (3 journeys) in 2 services from 1 file: 0 errors, 0 warnings") {
		t.Errorf("summary:\n%s", errOut)
	}
	converted, errOut, err := run(t, "convert", "--to", "accord", file)
	if err != nil {
		t.Fatalf("convert: %v\n%s", err, errOut)
	}
	if want := "      composite:\n        components:\n          - {slo: scan, weight: 1}\n          - {slo: pay, weight: 1}\n"; !strings.Contains(converted, want) {
		t.Errorf("converted spec lacks\n%s\n--- converted\n%s", want, converted)
	}
}

// TestValidateJSONShowsAJourneysComposite prints a journey with its
// components and no empty indicator, and a measured SLO with its indicator.
func TestValidateJSONShowsAJourneysComposite(t *testing.T) {
	out, errOut, err := run(t, "validate", "-o", "json", "../../internal/spec/testdata/journeys/good.yaml")
	if err != nil {
		t.Fatalf("validate: %v\n%s", err, errOut)
	}
	var report struct {
		Catalog struct {
			SLOs []map[string]json.RawMessage `json:"slos"`
		} `json:"catalog"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	slos := map[string]map[string]json.RawMessage{}
	for _, s := range report.Catalog.SLOs {
		var name string
		_ = json.Unmarshal(s["name"], &name)
		slos[name] = s
	}
	journey, scan := slos["customer-checks-out"], slos["scan"]
	if journey == nil || scan == nil {
		t.Fatalf("SLOs printed: %v", slices.Sorted(maps.Keys(slos)))
	}
	if ind, ok := journey["indicator"]; ok {
		t.Errorf("journey has indicator %s", ind)
	}
	var comp struct {
		Components []struct {
			SLO    string  `json:"slo"`
			Weight float64 `json:"weight"`
		} `json:"components"`
	}
	if err := json.Unmarshal(journey["composite"], &comp); err != nil || len(comp.Components) != 2 ||
		comp.Components[0].SLO != "checkout/scan" || comp.Components[1].SLO != "checkout/pay" || comp.Components[1].Weight != 1 {
		t.Errorf("journey's composite = %s (%v)", journey["composite"], err)
	}
	if !strings.Contains(string(scan["indicator"]), `"kind": "ratio"`) || scan["composite"] != nil {
		t.Errorf("scan: indicator %s, composite %s", scan["indicator"], scan["composite"])
	}
}
