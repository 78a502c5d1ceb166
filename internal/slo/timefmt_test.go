package slo

import (
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 7, 5, 30, 0, 0, time.UTC)
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 12, 7, 5, 4, 59, 0, time.UTC), "Mon Dec 7 05:04 UTC"},
		{time.Date(2026, 12, 7, 5, 4, 0, 0, time.UTC).In(paris), "Mon Dec 7 06:04 CET"},
		{time.Date(2025, 11, 2, 23, 0, 0, 0, time.UTC), "Sun Nov 2 2025 23:00 UTC"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC).In(paris), "Fri Jan 1 2027 00:30 CET"},
		{time.Time{}, "-"},
	}
	for _, c := range cases {
		if got := FormatTime(c.t, now); got != c.want {
			t.Errorf("FormatTime(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}
