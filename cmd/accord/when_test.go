package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/auth"
)

// TestTablesWriteTimesOneWay checks that a command's table writes times
// as every other command does: in the reader's zone, "Mon Jan 2 15:04 MST",
// with the year only when it is not the year the command runs in.
func TestTablesWriteTimesOneWay(t *testing.T) {
	at := time.Date(2026, 11, 25, 14, 31, 7, 0, time.UTC)
	local := at.Local()
	sameYear, nextYear := local.Add(24*time.Hour), local.AddDate(1, 0, 0)
	cmd := &cobra.Command{}
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := writeAuditTable(cmd, []auth.Entry{{ID: 1, At: at, Who: "maria", Role: "admin", Route: "POST /api/v1/exceptions", Status: 201, Count: 1}}, sameYear); err != nil {
		t.Fatal(err)
	}
	want := local.Format("Mon Jan 2 15:04 MST")
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "2026") {
		t.Errorf("audit table:\n%s\nwant the time as %q", out.String(), want)
	}
	if got := when(at, sameYear); got != want {
		t.Errorf("when(%v) in the same year = %q, want %q", at, got, want)
	}
	if got, want := when(at, nextYear), local.Format("Mon Jan 2 2006 15:04 MST"); got != want {
		t.Errorf("when(%v) a year later = %q, want %q", at, got, want)
	}
}
