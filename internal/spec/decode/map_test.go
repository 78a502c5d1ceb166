package decode

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/spec/diag"
)

func readOne(t *testing.T, src string) (*Doc, *diag.List) {
	t.Helper()
	var diags diag.List
	docs := slices.Collect(ReadBytes("t.yaml", []byte(src), &diags))
	if len(docs) != 1 {
		t.Fatalf("documents = %d, want 1 (diags %v)", len(docs), diags.Items())
	}
	return NewDoc(docs[0], "accord/v1", &diags), &diags
}

func lines(diags *diag.List) string {
	var out []string
	for _, d := range diags.Items() {
		out = append(out, d.String())
	}
	return strings.Join(out, "\n")
}

func TestMapReportsEveryProblem(t *testing.T) {
	doc, diags := readOne(t, `name: checkout
objetive: 99.9
window: 30 days
labels: [a, b]
enabled: yes please
name: again
spec:
  nested: {x: 1}
`)
	m := doc.Top()
	if got := m.RequiredString("name"); got != "checkout" {
		t.Errorf("name = %q", got)
	}
	m.Float("objective")
	m.Duration("window")
	m.StringMap("labels")
	m.Bool("enabled")
	spec := m.Map("spec")
	spec.String("other")
	spec.Close()
	m.Close()
	want := `t.yaml:2:1: objetive: unknown field "objetive" (did you mean "objective"?)
t.yaml:3:9: window: must be a duration such as 30d, 6h or 5m, not "30 days"
t.yaml:4:9: labels: must be a mapping, not a list
t.yaml:5:10: enabled: must be true or false, not "yes please"
t.yaml:6:1: name: duplicate field (first given at line 1)
t.yaml:8:3: spec.nested: unknown field "nested"; known fields: other`
	if got := lines(diags); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
}

func TestMapValues(t *testing.T) {
	doc, diags := readOne(t, `objective: 99.95
window: 4w
slice: 1h30m
flag: false
labels: {team: pos, tier: "1"}
groupBy: [store, region]
one: store
items:
  - {a: 1}
  - {a: 2}
`)
	m := doc.Top()
	if f, ok := m.Float("objective"); !ok || f != 99.95 {
		t.Errorf("objective = %v %v", f, ok)
	}
	if d, _ := m.Duration("window"); d != 28*24*time.Hour {
		t.Errorf("window = %v", d)
	}
	if d, _ := m.Duration("slice"); d != 90*time.Minute {
		t.Errorf("slice = %v", d)
	}
	if b, ok := m.Bool("flag"); !ok || b {
		t.Errorf("flag = %v %v", b, ok)
	}
	if l := m.StringMap("labels"); l["team"] != "pos" || l["tier"] != "1" || len(l) != 2 {
		t.Errorf("labels = %v", l)
	}
	if g := m.StringList("groupBy"); strings.Join(g, ",") != "store,region" {
		t.Errorf("groupBy = %v", g)
	}
	if g := m.StringList("one"); len(g) != 1 || g[0] != "store" {
		t.Errorf("one = %v", g)
	}
	items := m.Maps("items")
	if len(items) != 2 || items[1].Path != "items[1]" {
		t.Fatalf("items = %v", items)
	}
	if f, _ := items[1].Float("a"); f != 2 {
		t.Errorf("items[1].a = %v", f)
	}
	if absent := m.Map("absent"); absent.Present() || absent.String("x") != "" {
		t.Error("absent map should read as empty")
	}
	m.Close()
	if diags.Count(diag.Error) != 0 {
		t.Errorf("unexpected diagnostics:\n%s", lines(diags))
	}
}

func TestReadBytesSyntaxError(t *testing.T) {
	var diags diag.List
	docs := slices.Collect(ReadBytes("t.yaml", []byte("a: 1\n---\nb: [1, 2\n"), &diags))
	if len(docs) != 1 {
		t.Errorf("documents before the error = %d, want 1", len(docs))
	}
	got := lines(&diags)
	if !strings.HasPrefix(got, "t.yaml:") || !strings.Contains(got, "invalid YAML") {
		t.Errorf("diagnostic = %q", got)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"objective", "window", "indicator", "budgetingMethod"}
	for word, want := range map[string]string{
		"objetive": "objective", "Window": "window", "indicater": "indicator",
		"budgetMethod": "budgetingMethod", "zzz": "",
	} {
		if got := Suggest(word, known); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}
