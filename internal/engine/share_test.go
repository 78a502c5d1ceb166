package engine

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// TestWholeCountsCompareAsRationalsDo checks the 128-bit comparison of
// whole counts against big.Rat's on ties, near-ties and the largest
// counts, for the limits rules use.
func TestWholeCountsCompareAsRationalsDo(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var limits []*big.Rat
	for _, objective := range []float64{99.9, 99.95, 99, 95.5, 99.999, 50, 99.99999} {
		share := slo.SLO{Objective: objective}.BudgetShare()
		for _, factor := range []float64{14.4, 6, 3, 1, 0.5, 2.25} {
			limits = append(limits, new(big.Rat).Mul(slo.Decimal(factor), share))
			for _, frac := range [][2]int64{{1, 30}, {3, 30}, {6, 720}} {
				l := new(big.Rat).Mul(slo.Decimal(factor), share)
				limits = append(limits, l.Mul(l, big.NewRat(frac[0], frac[1])))
			}
		}
	}
	whole := 0
	check := func(x, y float64, l *big.Rat) {
		t.Helper()
		if got, want := compareExact(x, y, newExactLimit(l)), compareRat(x, y, l); got != want {
			t.Fatalf("compareExact(%v, %v, %v) = %d, want %d", x, y, l, got, want)
		}
		if _, ok := compareWhole(x, y, newExactLimit(l)); ok {
			whole++
		}
	}
	for _, l := range limits {
		for range 300 {
			y := float64(rnd.Int64N(1 << 53))
			if rnd.IntN(2) == 0 {
				y = float64(rnd.Int64N(100_000))
			}
			// x at the tie (when it is whole), and either side of it.
			tie, _ := new(big.Rat).Mul(new(big.Rat).SetFloat64(y), l).Float64()
			for _, x := range []float64{tie, tie - 1, tie + 1, float64(int64(tie)), float64(rnd.Int64N(1 << 53))} {
				if x >= 0 && x <= 1<<53 {
					check(x, y, l)
				}
			}
		}
		check(0, 0, l)
		check(1<<53, 1<<53, l)
		check(0.5, 10, l) // not whole: rationals decide
		check(-1, 10, l)
	}
	if whole == 0 {
		t.Fatal("no comparison took the 128-bit way")
	}
}

// TestRuleLimitsAreWorkedOutOnce checks a share holds the exact limit of
// each of its SLO's rules, equal to the one worked out afresh.
func TestRuleLimitsAreWorkedOutOnce(t *testing.T) {
	def := slo.SLO{Objective: 99.9, Window: slo.Window{Rolling: 30 * 24 * time.Hour}}
	s := newBudgetShare(&def)
	rules := Rules(&def)
	if len(s.limits) != 2*len(rules) {
		t.Fatalf("%d limits for %d rules", len(s.limits), len(rules))
	}
	other := def
	other.Name = "another"
	if reflect.ValueOf(newBudgetShare(&other).limits).Pointer() != reflect.ValueOf(s.limits).Pointer() {
		t.Fatal("two SLOs of the same objective and rules keep a map of limits each")
	}
	stricter := def
	stricter.Objective = 99.99
	if reflect.ValueOf(newBudgetShare(&stricter).limits).Pointer() == reflect.ValueOf(s.limits).Pointer() {
		t.Fatal("SLOs of different objectives share their limits")
	}
	for _, r := range rules {
		fresh := budgetShare{exact: s.exact}
		for _, k := range []limitKey{{factor: r.Factor}, {r.Factor, r.LongWindow, def.Window.Nominal()}} {
			l, ok := s.limits[k]
			if !ok || !l.small || l.r.Cmp(fresh.limit(k).r) != 0 {
				t.Fatalf("rule %s: limit %+v, worked out afresh %v", r.Name, l, fresh.limit(k).r)
			}
		}
	}
}

// TestRuleLimitsStayBounded checks the process-wide maps of limits stay
// bounded however many objectives reloads bring, and that a share made
// past the bound still holds its limits.
func TestRuleLimitsStayBounded(t *testing.T) {
	var last budgetShare
	for i := range maxRuleLimits + 10 {
		def := slo.SLO{Objective: 90 + float64(i)/1000, Window: slo.Window{Rolling: 30 * 24 * time.Hour}}
		last = newBudgetShare(&def)
	}
	ruleLimits.Lock()
	n := len(ruleLimits.byRules)
	ruleLimits.Unlock()
	if n > maxRuleLimits {
		t.Fatalf("%d maps of limits kept, more than %d", n, maxRuleLimits)
	}
	if len(last.limits) == 0 {
		t.Fatal("a share made past the bound holds no limits")
	}
}

// TestRulesReadTheWindowsTheStatusRead checks that an evaluation, which
// decides each rule from the window counts its status was computed from,
// decides as reading every window afresh does, on burns either side of
// and equal to the rules' factors.
func TestRulesReadTheWindowsTheStatusRead(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, window := range []slo.Window{{Rolling: 30 * 24 * time.Hour}, {Rolling: 7 * 24 * time.Hour}, {Calendar: slo.CalendarMonth}} {
		def := slo.SLO{Objective: 99.9, Window: window}
		share := newBudgetShare(&def)
		rules := Rules(&def)
		windows := reportedWindows(rules, slo.Policy{})
		fired := 0
		for trial := range 40 {
			sr := NewSeries(span(window))
			end := UnixMinute(start) + int64(4*24*60)
			for m := UnixMinute(start); m <= end; m++ {
				total := float64(1000)
				bad := float64(rnd.IntN(2)) // about a burn of 0.5
				if m > end-int64(trial*30) {
					bad = float64(trial % 20) // a burn of 0 to 19 at the end, 1, 3, 6 among them
				}
				sr.Add(m, Counts{Good: total - bad, Total: total})
			}
			now := time.Unix(end*60+17, 0).UTC()
			st := &sloState{def: def, rules: rules, share: share, windows: windows}
			g := &group{events: sr}
			counts := make([]Counts, len(windows))
			st.advance(g, now, counts)
			for _, r := range rules {
				gl, gs, gon := st.burning(g, r, now, counts)
				wl, ws, won := burning(r, sr, share, window, now)
				if gl != wl || gs != ws || gon != won {
					t.Fatalf("%v trial %d rule %s: from the status' counts %v %v %v, afresh %v %v %v", window, trial, r.Name, gl, gs, gon, wl, ws, won)
				}
				if won {
					fired++
				}
			}
		}
		if fired == 0 {
			t.Fatalf("%v: no rule fired in any trial", window)
		}
	}
}
