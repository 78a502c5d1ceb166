package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/engine"
)

// statusSpec has three services of four SLOs; checkout's and loyalty's
// owned by pos-platform, stock's by stores.
const statusSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: %s}
spec:
  owners: {team: %s}
  slos:
    - {name: a, objective: 99, window: 7d, indicator: {ratio: {stream: %[1]s-a}}}
    - {name: b, objective: 99, window: 7d, indicator: {ratio: {stream: %[1]s-b}}}
    - {name: c, objective: 99, window: 7d, indicator: {ratio: {stream: %[1]s-c}}, groupBy: [store]}
    - {name: d, objective: 99, window: 7d, indicator: {ratio: {stream: %[1]s-d}}}
`

// startStatusServer serves the three services in-process, each SLO with
// its own share of bad events (d has none: no data), evaluated.
func startStatusServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var spec []string
	for _, s := range [][2]string{{"checkout", "pos-platform"}, {"loyalty", "pos-platform"}, {"stock", "stores"}} {
		spec = append(spec, fmt.Sprintf(statusSpec, s[0], s[1]))
	}
	path := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(spec, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startInProcess(t, path, filepath.Join(dir, "data"))
	var events []engine.Event
	for i, svc := range []string{"checkout", "loyalty", "stock"} {
		for j, name := range []string{"a", "b", "c"} {
			good, total := float64(1000-(i*3+j)), 1000.0
			ev := engine.Event{Stream: svc + "-" + name, Good: &good, Total: &total}
			if name == "c" {
				ev.Labels = map[string]string{"store": "berlin-042"}
			}
			events = append(events, ev)
		}
	}
	if err := a.Engine.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a.URL()
}

func TestStatusOutputJSONYAMLAndFilters(t *testing.T) {
	url := startStatusServer(t)
	out, _, err := run(t, "status", "-o", "json", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		SLOs []engine.SLOView `json:"slos"`
	}
	if err := json.Unmarshal([]byte(out), &body); err != nil {
		t.Fatalf("status -o json is not JSON: %v\n%s", err, out)
	}
	var ids []string
	for _, v := range body.SLOs {
		ids = append(ids, v.ID)
	}
	// Least budget left first (stock/c has 8 bad events of 1000), those
	// without data last.
	if len(ids) != 12 || ids[0] != "stock/c" || ids[8] != "checkout/a" || !strings.HasSuffix(ids[11], "/d") {
		t.Errorf("status -o json lists %v, want 12 SLOs from stock/c down to checkout/a, then those without data", ids)
	}
	if got := body.SLOs[0].WorstGroup["store"]; got != "berlin-042" || body.SLOs[0].Status.Counts.Total != 1000 {
		t.Errorf("stock/c in JSON: worst group %q, %v events", got, body.SLOs[0].Status.Counts.Total)
	}

	out, _, err = run(t, "status", "-o", "yaml", "--team", "pos-platform", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	var y struct {
		SLOs []struct {
			ID     string `yaml:"id"`
			Owners struct {
				Team string `yaml:"team"`
			} `yaml:"owners"`
		} `yaml:"slos"`
	}
	if err := yaml.Unmarshal([]byte(out), &y); err != nil || len(y.SLOs) != 8 {
		t.Fatalf("status -o yaml --team pos-platform: %v, %d SLOs, want 8\n%s", err, len(y.SLOs), out)
	}
	for _, s := range y.SLOs {
		if s.Owners.Team != "pos-platform" {
			t.Errorf("--team pos-platform lists %s of %s", s.ID, s.Owners.Team)
		}
	}
	if !strings.Contains(out, "- id: loyalty/c\n") {
		t.Errorf("YAML is not in block style with the API's field names:\n%.400s", out)
	}

	out, _, err = run(t, "status", "--service", "loyalty", "--limit", "2", "--server", url)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[1], "loyalty/c {store=berlin-042}") || !strings.HasPrefix(lines[2], "loyalty/b") {
		t.Errorf("status --service loyalty --limit 2: %v\n%s", err, out)
	}
	if _, _, err := run(t, "status", "-o", "xml", "--server", url); err == nil || !strings.Contains(err.Error(), "table, json or yaml") {
		t.Errorf("-o xml: %v", err)
	}
}

func TestStatusDescribesOneSLO(t *testing.T) {
	url := startStatusServer(t)
	out, _, err := run(t, "status", "stock/c", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SLO:          stock/c", "Team:         stores", "Objective:    99% over 7d (occurrences)",
		"SLI:          99.200% (992 good of 1000)", "20%: error budget left (2 of 10 bad events); 20m", "Burn rates:   5m 0.8×", "Groups (1, least budget left first):", "store=berlin-042"} {
		if !strings.Contains(out, want) {
			t.Errorf("status stock/c lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "status", "stock/c", "-o", "json", "--server", url)
	var v engine.SLOView
	if err != nil || json.Unmarshal([]byte(out), &v) != nil || v.ID != "stock/c" || len(v.Groups) != 1 {
		t.Errorf("status stock/c -o json: %v\n%s", err, out)
	}
	if _, _, err := run(t, "status", "stock/zzz", "--server", url); err == nil || !strings.Contains(err.Error(), "no SLO stock/zzz") {
		t.Errorf("an unknown SLO: %v", err)
	}
	if _, _, err := run(t, "status", "stock", "--server", url); err == nil || !strings.Contains(err.Error(), "SERVICE/NAME") {
		t.Errorf("an SLO without its service: %v", err)
	}
}

// TestStatusSaysWhenNoSLOMatches checks that a filter no SLO matches
// says so, and that JSON lists no SLOs as [] rather than null.
func TestStatusSaysWhenNoSLOMatches(t *testing.T) {
	url := startStatusServer(t)
	out, errOut, err := run(t, "status", "--team", "nosuch", "--server", url)
	if err != nil || out != "" || !strings.Contains(errOut, "no SLO matched --team nosuch") {
		t.Errorf("status --team nosuch: %v, stdout %q, stderr %q", err, out, errOut)
	}
	out, _, err = run(t, "status", "--team", "nosuch", "-o", "json", "--server", url)
	if err != nil || !strings.Contains(out, `"slos": []`) {
		t.Errorf("status --team nosuch -o json: %v\n%s", err, out)
	}
}

// TestStatusClipsStaleReasonsOnlyInALongTable checks that the reason a
// source fails is given whole for one SLO, and clipped among several.
func TestStatusClipsStaleReasonsOnlyInALongTable(t *testing.T) {
	reason := `Get "http://prometheus.test/api/v1/query?query=sum+by+%28store%29+%28increase%28pos_payment_attempts_total%5B1m%5D%29%29": dial tcp: connection refused`
	v := engine.SLOView{ID: "checkout/payments", Objective: 99.9}
	v.Source.Stale, v.Source.Error = true, reason
	var one, two strings.Builder
	if err := writeStatus(&one, []engine.SLOView{v}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := writeStatus(&two, []engine.SLOView{v, v}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(one.String(), reason) {
		t.Errorf("one SLO: the reason is cut:\n%s", one.String())
	}
	if strings.Contains(two.String(), reason) || !strings.Contains(two.String(), "…") {
		t.Errorf("two SLOs: the reason is not clipped:\n%s", two.String())
	}
}
