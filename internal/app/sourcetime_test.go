package app

import (
	"testing"
	"time"
)

// TestSourcesAreAskedAtTheLagAfterEveryMinute checks when serve asks
// Prometheus for the minute that ended: 30 seconds after it ends
// (--source-lag), whatever the second the server started in, so its
// counts arrive within the documented 30 s, not up to 90 s late.
func TestSourcesAreAskedAtTheLagAfterEveryMinute(t *testing.T) {
	base := time.Date(2026, 11, 30, 12, 4, 0, 0, time.UTC)
	for _, tc := range []struct {
		now, lag time.Duration
		want     time.Duration
	}{
		{0, 30 * time.Second, 30 * time.Second},
		{10 * time.Second, 30 * time.Second, 30 * time.Second},
		{29*time.Second + 999*time.Millisecond, 30 * time.Second, 30 * time.Second},
		{30 * time.Second, 30 * time.Second, 90 * time.Second},
		{59 * time.Second, 30 * time.Second, 90 * time.Second},
		{50 * time.Second, 5 * time.Second, 65 * time.Second},
		{10 * time.Second, 75 * time.Second, 15 * time.Second}, // a lag over a minute keeps its phase
	} {
		if got := nextMinuteAt(base.Add(tc.now), tc.lag); !got.Equal(base.Add(tc.want)) {
			t.Errorf("at +%v with a lag of %v: next query at +%v, want +%v", tc.now, tc.lag, got.Sub(base), tc.want)
		}
	}
}
