package web

import (
	"testing"
	"time"
)

// TestStoryStepsNewestFirstWithDays checks that the overview lists the
// story's steps newest first, so the newest stay in view, and says the day
// wherever it changes: a week apart, two Monday steps no longer read as
// "Mon 14:24" before "Mon 13:34".
func TestStoryStepsNewestFirstWithDays(t *testing.T) {
	mon := time.Date(2026, 11, 2, 12, 5, 0, 0, time.UTC)
	v := StoryView{Milestones: []Milestone{
		{At: mon, Text: "deploy"},
		{At: mon.Add(2*time.Hour + 19*time.Minute), Text: "fix"},
		{At: mon.Add(7*24*time.Hour + 89*time.Minute), Text: "recovered"},
	}}
	got := v.Steps()
	want := []Step{
		{At: v.Milestones[2].At, When: "Mon Nov 9 13:34", Text: "recovered"},
		{At: v.Milestones[1].At, When: "14:24", Text: "fix"},
		{At: v.Milestones[0].At, When: "Mon Nov 2 12:05", Text: "deploy"},
	}
	if len(got) != len(want) {
		t.Fatalf("steps %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
