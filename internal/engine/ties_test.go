package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// TestABurnEqualToItsFactorDoesNotFire runs SLOs of objectives written in
// decimal over 30, 28 and 7 days at a steady burn exactly equal to one
// rule's factor, and a hair above it: at the tie that rule stays quiet
// (the comparison is strict) while the rules of lower factors fire; a
// hair above, it fires. Burn rates of whole counts read as written: 1,
// not 1.0000000000001.
func TestABurnEqualToItsFactorDoesNotFire(t *testing.T) {
	objectives := []float64{90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999}
	windows := []int{30, 28, 7} // days
	type run struct {
		id      string
		def     slo.SLO
		rule    slo.BurnRateAlert
		above   bool
		perMin  engine.Counts
		factors []float64 // of every rule, by name
	}
	var spec strings.Builder
	spec.WriteString("apiVersion: accord/v1\nkind: Service\nmetadata: {name: ties}\nspec:\n  owners: {team: t}\n  slos:\n")
	var runs []run
	for _, o := range objectives {
		for _, d := range windows {
			def := slo.SLO{Objective: o, Window: slo.Window{Rolling: time.Duration(d) * 24 * time.Hour}}
			for _, r := range engine.Rules(&def) {
				// A minute's bad share is exactly factor × (1 − objective).
				limit := new(big.Rat).Mul(slo.Decimal(r.Factor), def.BudgetShare())
				if limit.Cmp(big.NewRat(1, 2)) > 0 {
					continue // 14.4 × 10% is more than every event failing
				}
				bad, _ := new(big.Rat).SetInt(limit.Num()).Float64()
				total, _ := new(big.Rat).SetInt(limit.Denom()).Float64()
				for total < 1000 {
					bad, total = bad*10, total*10
				}
				for _, above := range []bool{false, true} {
					name := fmt.Sprintf("o%g-w%dd-%s-%t", o, d, r.Name, above)
					name = strings.ReplaceAll(name, ".", "_")
					c := engine.Counts{Good: total - bad, Total: total}
					if above { // one bad event more in a million
						c = engine.Counts{Good: (total - bad) * 1000, Total: total * 1000}
						c.Good--
					}
					fmt.Fprintf(&spec, "    - {name: %s, objective: %g, window: %dd, indicator: {ratio: {stream: %s}}}\n", name, o, d, name)
					runs = append(runs, run{id: "ties/" + name, def: def, rule: r, above: above, perMin: c})
				}
			}
		}
	}
	// Six hours of data: every short window full, every long window
	// holding the same steady burn.
	end := time.Date(2026, 11, 30, 12, 0, 59, 0, time.UTC)
	clock := engine.NewManualClock(end)
	e, store := mustEngine(t, mustCatalog(t, spec.String()), t.TempDir(), clock)
	defer store.Close()
	var counts []engine.Count
	endMin := engine.UnixMinute(end)
	for _, r := range runs {
		for m := endMin - 6*60; m <= endMin; m++ {
			counts = append(counts, engine.Count{SLO: r.id, Group: "{}", Kind: engine.KindEvents, Minute: m, Counts: r.perMin})
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		v, ok := e.SLO(r.id)
		if !ok {
			t.Fatalf("%s: not in the engine", r.id)
		}
		var firing, want []string
		for _, a := range v.Alerts {
			if a.State == engine.AlertFiring {
				firing = append(firing, a.Rule)
			}
		}
		for _, rule := range engine.Rules(&r.def) {
			if rule.Factor < r.rule.Factor || rule.Factor == r.rule.Factor && r.above {
				want = append(want, rule.Name)
			}
		}
		slices.Sort(firing)
		slices.Sort(want)
		if !slices.Equal(firing, want) {
			t.Errorf("%s: burning at %s's factor %g (above: %t): firing %v, want %v", r.id, r.rule.Name, r.rule.Factor, r.above, firing, want)
		}
		if r.above {
			continue
		}
		for _, b := range v.Status.BurnRates {
			if b.HasData && b.Rate != r.rule.Factor {
				t.Errorf("%s: burn rate over %s reads %v, want exactly %g", r.id, time.Duration(b.Window), b.Rate, r.rule.Factor)
			}
		}
	}
}

// TestABurnOfAHundredReadsAHundred checks the JSON a status is served
// as: 100 bad events in 1,000 against a 99.9% objective burn at 100, not
// 99.99999999999991, and the budget of a million events is 1,000.
func TestABurnOfAHundredReadsAHundred(t *testing.T) {
	cat := mustCatalog(t, "apiVersion: accord/v1\nkind: Service\nmetadata: {name: s}\nspec:\n  owners: {team: t}\n  slos:\n    - {name: hundred, objective: 99.9, window: 30d, indicator: {ratio: {stream: h}}}\n")
	end := time.Date(2026, 11, 30, 12, 0, 59, 0, time.UTC)
	e, store := mustEngine(t, cat, t.TempDir(), engine.NewManualClock(end))
	defer store.Close()
	m := engine.UnixMinute(end)
	counts := []engine.Count{
		{SLO: "s/hundred", Group: "{}", Kind: engine.KindEvents, Minute: m - 120, Counts: engine.Counts{Good: 999_000, Total: 999_000}},
		{SLO: "s/hundred", Group: "{}", Kind: engine.KindEvents, Minute: m, Counts: engine.Counts{Good: 900, Total: 1000}},
	}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("s/hundred")
	out, err := json.Marshal(v.Status)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"window":"5m","rate":100,"hasData":true}`, `"total":1000,"consumed":100,"remaining":900,"remainingFraction":0.9`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("status JSON lacks %s:\n%s", want, out)
		}
	}
}

// TestASpentBudgetReadsItsFractionExactly checks that the remaining
// fraction of a budget overspent by whole counts reads as worked out by
// hand: 2 bad of 10 at 99% allow 0.1 and leave −19 budgets, not −18.999….
func TestASpentBudgetReadsItsFractionExactly(t *testing.T) {
	cat := mustCatalog(t, "apiVersion: accord/v1\nkind: Service\nmetadata: {name: s}\nspec:\n  owners: {team: t}\n  slos:\n    - {name: spent, objective: 99, window: 7d, indicator: {ratio: {stream: h}}}\n")
	end := time.Date(2026, 11, 30, 12, 0, 59, 0, time.UTC)
	e, store := mustEngine(t, cat, t.TempDir(), engine.NewManualClock(end))
	defer store.Close()
	counts := []engine.Count{{SLO: "s/spent", Group: "{}", Kind: engine.KindEvents, Minute: engine.UnixMinute(end), Counts: engine.Counts{Good: 8, Total: 10}}}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("s/spent")
	out, err := json.Marshal(v.Status.Budget)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"remainingFraction":-19,`; !strings.Contains(string(out), want) {
		t.Errorf("budget JSON lacks %s:\n%s", want, out)
	}
}
