package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/sqlite"
)

const receiptsSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-devices}
  slos:
    - name: receipts
      objective: 99
      window: 7d
      indicator: {ratio: {stream: receipts}}
`

// TestReplayReadsPushedHistoryFromTheStore replays an SLO measured by
// pushed events from the counts serve stored: two days of 100 receipts a
// minute, with half failing for 30 minutes.
func TestReplayReadsPushedHistoryFromTheStore(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(spec, []byte(receiptsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	outage := start.Add(30 * time.Hour)
	var counts []engine.Count
	for m := 0; m < 48*60; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		good := 100.0
		if !at.Before(outage) && at.Before(outage.Add(30*time.Minute)) {
			good = 50
		}
		counts = append(counts, engine.Count{SLO: "checkout/receipts", Group: "{}", Kind: engine.KindEvents,
			Minute: engine.UnixMinute(at), Counts: engine.Counts{Good: good, Total: 100}})
	}
	if err := store.AddCounts(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	store.Close()

	out, errOut, err := run(t, "replay", spec, "--data-dir", data, "--from", "2026-11-03", "--to", "2026-11-04", "-o", "json")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, errOut)
	}
	s := decodeReplay(t, out)
	// Burning 50× a 7-day budget, the 15m/5m page fires once 15 × 14.4 / 50
	// = 4.3 minutes of the outage are measured: at its fifth minute, 30
	// seconds in.
	var page bool
	for _, a := range s.Alerts {
		if a.Severity == "page" && a.FiredAt.Equal(outage.Add(5*time.Minute+30*time.Second)) && a.ResolvedAt != nil && a.ResolvedAt.After(outage.Add(30*time.Minute)) {
			page = true
		}
	}
	if !page {
		t.Errorf("no page at %s resolved after the outage: %+v", outage.Add(5*time.Minute+30*time.Second), s.Alerts)
	}
	if len(s.Hurt) != 1 || s.Hurt[0].From.Sub(outage) > 3*time.Minute || s.Hurt[0].From.Before(outage) {
		t.Errorf("hurt %+v, want one period starting with the outage at %s", s.Hurt, outage)
	}

	// Had the outage been maintenance excluded from the budget, nothing
	// would have fired and nobody would count as hurt.
	store, err = sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.AddAnnotation(context.Background(), slo.Annotation{Kind: slo.AnnotationMaintenance, Service: "checkout",
		Start: outage, End: outage.Add(30 * time.Minute), ExcludeFromBudget: true})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err = run(t, "replay", spec, "--data-dir", data, "--from", "2026-11-03", "--to", "2026-11-04", "-o", "json")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, errOut)
	}
	if s := decodeReplay(t, out); len(s.Alerts) != 0 || len(s.Hurt) != 0 {
		t.Errorf("with the outage excluded: alerts %+v, hurt %+v; want none", s.Alerts, s.Hurt)
	}
}

// replayedSLO is what the tests read of one SLO in replay's JSON.
type replayedSLO struct {
	SLO    string `json:"slo"`
	Alerts []struct {
		Severity   string     `json:"severity"`
		FiredAt    time.Time  `json:"firedAt"`
		ResolvedAt *time.Time `json:"resolvedAt"`
	} `json:"alerts"`
	Hurt []struct{ From, To time.Time } `json:"hurt"`
}

// decodeReplay reads the JSON of a replay of checkout/receipts alone.
func decodeReplay(t *testing.T, out string) replayedSLO {
	t.Helper()
	var res struct {
		SLOs []replayedSLO `json:"slos"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.SLOs) != 1 || res.SLOs[0].SLO != "checkout/receipts" {
		t.Fatalf("SLOs %+v", res.SLOs)
	}
	return res.SLOs[0]
}

func TestReplayRefusesBadInput(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "slos.yaml")
	if err := os.WriteFile(spec, []byte(receiptsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "yaml"}, `--output "yaml": want table, json, html`},
		{[]string{"--from", "last tuesday"}, `--from: time "last tuesday"`},
		{[]string{"--from", "2026-11-03", "--to", "2026-11-02"}, "the end must be after the start"},
		{[]string{"--from", "2020-01-01", "--to", "2026-01-01"}, "at most 400 days"},
		{[]string{"--to", "2099-01-01"}, "in the future"},
		{[]string{"--alerts", `{severity="page"}`}, "give --prometheus-url"},
		{[]string{"--alerts", `{severity=}`, "--prometheus-url", "http://127.0.0.1:1"}, `alert selector "{severity=}"`},
		{[]string{"--suggest", "--objectives", "99,100"}, "objective 100"},
		{[]string{"--objectives", "90,91,92,93,94,95,96,97,98,99,99.9"}, "at most 10"},
		{[]string{"--data-dir", t.TempDir()}, "no Accord database in"},
	} {
		_, _, err := run(t, append([]string{"replay", spec}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replay %v: error %v, want %q", c.args, err, c.want)
		}
	}
}
