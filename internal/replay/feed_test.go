package replay

import (
	"testing"

	"github.com/accord-slo/accord/internal/engine"
)

func TestSortByMinuteKeepsEachMinutesOrder(t *testing.T) {
	c := func(slo string, m int64) engine.Count { return engine.Count{SLO: slo, Minute: m} }
	for _, tt := range []struct {
		name string
		in   []engine.Count
	}{
		{"runs per SLO", []engine.Count{c("a", 5), c("a", 6), c("a", 8), c("b", 3), c("b", 6), c("c", 6), c("c", 7)}},
		{"sparse", []engine.Count{c("a", 9_000_000), c("b", 1), c("a", 1), c("b", 9_000_000)}},
	} {
		in := append([]engine.Count(nil), tt.in...)
		for i := range in {
			in[i].Group = string(rune('a' + i)) // input order
		}
		got := sortByMinute(in)
		if len(got) != len(tt.in) {
			t.Fatalf("%s: %d counts, want %d", tt.name, len(got), len(tt.in))
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if a.Minute > b.Minute || a.Minute == b.Minute && a.Group > b.Group {
				t.Errorf("%s: %v before %v in %v", tt.name, a, b, got)
			}
		}
	}
}
