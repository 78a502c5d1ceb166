package main

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// when writes a time for a table or message in the reader's time zone,
// the same way in every command (-o json and yaml carry RFC 3339); now,
// which a command reads once as it starts, says whether the year is
// needed.
func when(t, now time.Time) string { return slo.FormatTime(t.Local(), now) }
