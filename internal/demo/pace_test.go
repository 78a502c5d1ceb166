package demo

import (
	"testing"
	"time"
)

func TestPlayedSlowsForTheIncidentAndFastForwardsTheWeek(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d := &Demo{opts: Options{Start: start, Speed: DefaultSpeed}}
	// From: where the story stood when it started playing (Run starts
	// at the story's start; the later ones check the arithmetic).
	for _, tc := range []struct {
		from    time.Time
		elapsed time.Duration
		want    time.Time
	}{
		{start, 0, start},
		{start, 10 * time.Second, start.Add(time.Hour)},
		// The bad deploy at 11:55 comes about half a minute in.
		{start, 29*time.Second + 500*time.Millisecond, start.Add(2*time.Hour + 57*time.Minute)},
		{start, 60 * time.Second, start.Add(fastForwardAt)},
		// After the incident, ten seconds are a day.
		{start, 70 * time.Second, start.Add(fastForwardAt + 24*time.Hour)},
		{start.Add(3 * time.Hour), 30 * time.Second, start.Add(fastForwardAt)},
		{start.Add(3 * time.Hour), 40 * time.Second, start.Add(fastForwardAt + 24*time.Hour)},
		{start.Add(2 * 24 * time.Hour), 5 * time.Second, start.Add(2*24*time.Hour + 12*time.Hour)},
	} {
		if got := d.played(tc.from, tc.elapsed); !got.Equal(tc.want) {
			t.Errorf("%s after playing from start+%s: at start+%s, want start+%s", tc.elapsed, tc.from.Sub(start), got.Sub(start), tc.want.Sub(start))
		}
	}
	if got := d.paceText(start); got != "an hour of FreshMart every 10s until the incident is over, then a day every 10s" {
		t.Errorf("pace at the start reads %q", got)
	}
	if got := d.paceText(start.Add(fastForwardAt)); got != "fast-forward, a day every 10s until the budget recovers" {
		t.Errorf("pace after the incident reads %q", got)
	}
}
