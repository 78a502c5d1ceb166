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
// as every other command does: in the reader's zone, "Mon Jan 2 15:04 MST".
func TestTablesWriteTimesOneWay(t *testing.T) {
	at := time.Date(2026, 11, 25, 14, 31, 7, 0, time.UTC)
	cmd := &cobra.Command{}
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := writeAuditTable(cmd, []auth.Entry{{ID: 1, At: at, Who: "maria", Role: "admin", Route: "POST /api/v1/exceptions", Status: 201, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	local := at.Local()
	want := local.Format("Mon Jan 2 ") // then the year, after 2026
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), local.Format("15:04 MST")) || strings.Contains(out.String(), "2026-11-25") {
		t.Errorf("audit table:\n%s\nwant the time as %q", out.String(), when(at))
	}
	if got := when(at); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, local.Format("15:04 MST")) {
		t.Errorf("when(%v) = %q", at, got)
	}
}
