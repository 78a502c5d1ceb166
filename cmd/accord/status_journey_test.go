package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
)

// journeySpec is the checkout journey of the acceptance bar: scan and
// pay, weights 1 and 1.
const journeySpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos}
  slos:
    - {name: scan, objective: 99, window: 7d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 7d, indicator: {ratio: {stream: pay}}}
    - name: customer-checks-out
      objective: 99
      window: 7d
      composite:
        components:
          - {slo: scan, weight: 1}
          - {slo: pay, weight: 1}
`

// TestStatusShowsJourneys serves scan (100 good of 100) and pay (90 of
// 100): the journey reads 95% in the table, with no source of its own to
// wait for, and its detail names pay as the cause of all it spent.
func TestStatusShowsJourneys(t *testing.T) {
	url := startJourneyServer(t)
	out, _, err := run(t, "status", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	row := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "checkout/customer-checks-out") {
			row = line
		}
	}
	if !strings.Contains(row, "95.000%") || strings.Contains(row, "loading history") {
		t.Errorf("journey row = %q, want SLI 95.000%% and nothing to load\n%s", row, out)
	}
	out, _, err = run(t, "status", "checkout/customer-checks-out", "--server", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Journey:      over scan + pay\n",
		"SLI:          95.000% (190 good of 200)\n",
		"Components (share of the journey's spent budget):\n",
		"  checkout/scan  1       100.000%  100/100     0%\n",
		"  checkout/pay   1       90.000%   90/100      100%\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status checkout/customer-checks-out lacks %q:\n%s", want, out)
		}
	}
}

// TestStatusListsJourneysFirst lists the journey above pay, which has less
// budget left, as the overview does; the other SLOs stay worst first.
func TestStatusListsJourneysFirst(t *testing.T) {
	out, _, err := run(t, "status", "--server", startJourneyServer(t))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			order = append(order, f[0])
		}
	}
	if want := []string{"checkout/customer-checks-out", "checkout/pay", "checkout/scan"}; !slices.Equal(order, want) {
		t.Errorf("status lists %q, want %q\n%s", order, want, out)
	}
}

// startJourneyServer serves journeySpec with scan 100 good of 100 and pay
// 90 of 100, evaluated, and returns its URL.
func startJourneyServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(path, []byte(journeySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startInProcess(t, path, filepath.Join(dir, "data"))
	hundred, ninety := 100.0, 90.0
	if err := a.Engine.Ingest(context.Background(), []engine.Event{
		{Stream: "scan", Good: &hundred, Total: &hundred},
		{Stream: "pay", Good: &ninety, Total: &hundred},
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a.URL()
}
