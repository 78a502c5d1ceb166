package diag

import (
	"testing"

	"github.com/accord-slo/accord/internal/slo"
)

func TestDropRepeatsSince(t *testing.T) {
	var l List
	here := slo.Origin{File: "a.yaml", Line: 3, Column: 5, Path: "spec.objective"}
	l.Errorf(here, "required field is missing")
	since := l.Len()
	l.Errorf(here, "objective 0%% must be above 0")
	l.Warnf(here, "a warning at the same place stays")
	l.Errorf(slo.Origin{File: "a.yaml", Line: 4, Column: 5, Path: "spec.window"}, "window 0s is too short")
	l.DropRepeatsSince(since)
	var got []string
	for _, d := range l.Items() {
		got = append(got, d.String())
	}
	want := []string{
		"a.yaml:3:5: spec.objective: required field is missing",
		"a.yaml:3:5: warning: spec.objective: a warning at the same place stays",
		"a.yaml:4:5: spec.window: window 0s is too short",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %q, want %q", i, got[i], want[i])
		}
	}
}
