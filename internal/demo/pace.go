package demo

import (
	"fmt"
	"time"
)

// The story's pace: the day of the incident at the demo's speed, so the
// deploy, the page, the freeze and the fix can be followed in the UI; then
// the week until the budget recovers fastForward times faster.
const (
	// fastForwardAt is when, from the story's start, the incident is over:
	// the pages have resolved after the fix and the incident is recorded.
	fastForwardAt = 6 * time.Hour
	// fastForward turns an hour of the incident day into a day.
	fastForward = 24
	// storyRefresh is how often, in seconds, the overview reloads while the
	// story plays.
	storyRefresh = 5
)

// played is the simulated time reached when real time elapsed has passed
// since the story played from simulated time from.
func (d *Demo) played(from time.Time, elapsed time.Duration) time.Time {
	ff := d.opts.Start.Add(fastForwardAt)
	speed := d.opts.Speed
	if from.Before(ff) {
		slow := time.Duration(float64(elapsed) * speed)
		if from.Add(slow).Before(ff) {
			return from.Add(slow)
		}
		elapsed -= time.Duration(float64(ff.Sub(from)) / speed)
		from = ff
	}
	return from.Add(time.Duration(float64(elapsed) * speed * fastForward))
}

// paceText says how fast the story plays at simulated time t.
func (d *Demo) paceText(t time.Time) string {
	hour := time.Duration(float64(time.Hour) / d.opts.Speed).Round(time.Millisecond)
	if t.Before(d.opts.Start.Add(fastForwardAt)) {
		return fmt.Sprintf("an hour of FreshMart every %s until the incident is over, then a day every %s", hour, hour)
	}
	return fmt.Sprintf("fast-forward, a day every %s until the budget recovers", hour)
}
