package accord_test

import (
	"testing"

	"github.com/accord-slo/accord/internal/spec/accord"
)

func TestPolicyMinEventsReadsWritesAndRejectsNonsense(t *testing.T) {
	doc := func(n string) []byte {
		return []byte("apiVersion: accord/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  minEvents: " + n + "\n  states: [{name: healthy}]\n")
	}
	cat, diags := load("p.yaml", doc("500"))
	if got := lines(diags); got != "" || len(cat.Policies) != 1 || cat.Policies[0].MinEvents != 500 {
		t.Fatalf("minEvents: 500 read as %+v (%s)", cat.Policies, got)
	}
	out, err := accord.Write(cat)
	if err != nil {
		t.Fatal(err)
	}
	back, diags := load("written.yaml", out)
	if got := lines(diags); got != "" || back.Policies[0].MinEvents != 500 {
		t.Errorf("written and read back: %+v (%s) from\n%s", back.Policies, got, out)
	}
	for n, want := range map[string]string{
		"0":   "p.yaml:5:14: spec.minEvents: must be a whole number of events of at least 1 (1 judges the budget on any data), not 0",
		"2.5": "p.yaml:5:14: spec.minEvents: must be a whole number of events of at least 1 (1 judges the budget on any data), not 2.5",
	} {
		if _, diags := load("p.yaml", doc(n)); lines(diags) != want {
			t.Errorf("minEvents: %s: %q, want %q", n, lines(diags), want)
		}
	}
}
