package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAuditThroughTheCLI records a few writes and reads them back with
// accord audit's filters, pages and formats.
func TestAuditThroughTheCLI(t *testing.T) {
	url := startAccord(t)
	approver := createToken(t, url, "head-of-it", "operator")
	createToken(t, url, "ci", "ingest")
	if _, _, err := run(t, "exception", "grant", "--service", "checkout", "--until", "1h", "--reason", "fix", "--server", url, "--token", approver); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "token", "revoke", "ci", "--server", url, "--token", "tok"); err != nil {
		t.Fatal(err)
	}
	audit := func(args ...string) (string, string) {
		t.Helper()
		out, errOut, err := run(t, append([]string{"audit", "--server", url, "--token", "tok"}, args...)...)
		if err != nil {
			t.Fatalf("audit %v: %v", args, err)
		}
		return out, errOut
	}

	out, _ := audit()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "DELETE /api/v1/tokens/{name}") ||
		!strings.Contains(lines[2], "head-of-it") || !strings.Contains(lines[2], "granted exception 1") {
		t.Errorf("audit:\n%s\nwant a header and 4 entries, newest (the revocation) first", out)
	}
	if out, _ := audit("--action", "exceptions"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "POST /api/v1/exceptions") {
		t.Errorf("audit --action exceptions:\n%s\nwant the one grant", out)
	}
	if out, _ := audit("--actor", "head-of-it"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "granted exception 1") {
		t.Errorf("audit --actor head-of-it:\n%s\nwant the one grant", out)
	}
	if out, _ := audit("--since", "2026-11-03T00:00:00Z"); !strings.Contains(out, "no audit entries match") {
		t.Errorf("audit --since a later day:\n%s\nwant none", out)
	}
	if out, _ := audit("--since", "2026-11-02T11:00:00Z"); strings.Count(out, "\n") != 5 {
		t.Errorf("audit --since an hour before:\n%s\nwant all 4", out)
	}

	// Pages: one entry and the way to the next; --all reads them all.
	out, errOut := audit("--limit", "1", "-o", "json")
	var page auditPage
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Entries) != 1 || page.Next == "" {
		t.Fatalf("audit --limit 1 -o json: %s (%v); want one entry and next", out, err)
	}
	if want := fmt.Sprintf("--before %d", page.Entries[0].ID); !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want the way to the next page (%s)", errOut, want)
	}
	out, _ = audit("--limit", "1", "--all", "-o", "json")
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Entries) != 4 || page.Entries[0].ID <= page.Entries[3].ID {
		t.Errorf("audit --limit 1 --all: %s (%v); want all 4 entries, newest first", out, err)
	}
	if _, _, err := run(t, "audit", "-o", "yaml", "--server", url, "--token", "tok"); err == nil || !strings.Contains(err.Error(), "table or json") {
		t.Errorf("audit -o yaml: %v, want refused", err)
	}
	if _, _, err := run(t, "audit", "--server", url, "--token", approver); err != nil {
		t.Errorf("an operator reading the trail: %v", err)
	}
}

func TestSinceTime(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for raw, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.AddDate(0, 0, -7),
		"90m":                  now.Add(-90 * time.Minute),
		"2026-11-01T00:00:00Z": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := sinceTime(raw, now); err != nil || !got.Equal(want) {
			t.Errorf("--since %s: %v %v, want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"yesterday", "-1h", "0", "3x"} {
		if _, err := sinceTime(raw, now); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("--since %s: %v, want refused", raw, err)
		}
	}
}
