package engine

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// budgetShare is an SLO's error budget share, 1 − objective, kept as the
// exact fraction num/den of the objective written in decimal (1/1000 for
// 99.9) so that burn rates and budgets of whole counts come out as people
// work them out by hand, and a burn equal to a rule's factor is a tie.
type budgetShare struct {
	f float64 // the float nearest the share
	// objective is the float nearest 1 − share: 0.999, not 99.9/100.
	objective float64
	num, den  float64 // the share in lowest terms
	exact     *big.Rat
	// limits are the exact limits of the SLO's rules, worked out once:
	// a near-tie is decided against one at every evaluation. Read only.
	limits map[limitKey]exactLimit
}

// exactLimit is a limit as a rational and, when they fit, its numerator
// and denominator as integers, for compareWhole.
type exactLimit struct {
	r        *big.Rat
	num, den uint64
	small    bool
}

func newExactLimit(r *big.Rat) exactLimit {
	l := exactLimit{r: r}
	if r.Num().IsUint64() && r.Denom().IsUint64() {
		l.num, l.den, l.small = r.Num().Uint64(), r.Denom().Uint64(), true
	}
	return l
}

// limitKey names the exact limit of a rule's condition: factor × share
// for its burn rate (long and window zero), times long/window for the
// budget it must have spent.
type limitKey struct {
	factor       float64
	long, window time.Duration
}

func newBudgetShare(def *slo.SLO) budgetShare {
	r := def.BudgetShare()
	s := budgetShare{exact: r}
	s.f, _ = r.Float64()
	s.objective, _ = new(big.Rat).Sub(big.NewRat(1, 1), r).Float64()
	s.num, _ = new(big.Rat).SetInt(r.Num()).Float64()
	s.den, _ = new(big.Rat).SetInt(r.Denom()).Float64()
	var keys []limitKey
	for _, rule := range Rules(def) {
		keys = append(keys, limitKey{factor: rule.Factor}, limitKey{rule.Factor, rule.LongWindow, def.Window.Nominal()})
	}
	s.limits = sharedLimits(s, keys)
	return s
}

// ruleLimits holds one map of limits for each share and set of rules,
// which most SLOs have in common: 10,000 SLOs keep a handful of maps, not
// 10,000 (a kilobyte and more each). It lives as long as the process, over
// every reload, so it holds at most maxRuleLimits maps: past that it starts
// afresh (the maps already handed out are read only and stay valid).
var ruleLimits struct {
	sync.Mutex
	byRules map[string]map[limitKey]exactLimit
}

// sharedLimits returns the limits of keys for share s, the same map for
// every SLO that asks for the same ones.
func sharedLimits(s budgetShare, keys []limitKey) map[limitKey]exactLimit {
	id := fmt.Sprint(s.exact.RatString(), keys)
	ruleLimits.Lock()
	defer ruleLimits.Unlock()
	if m, ok := ruleLimits.byRules[id]; ok {
		return m
	}
	m := make(map[limitKey]exactLimit, len(keys))
	for _, k := range keys {
		m[k] = s.limit(k)
	}
	if ruleLimits.byRules == nil || len(ruleLimits.byRules) >= maxRuleLimits {
		ruleLimits.byRules = map[string]map[limitKey]exactLimit{}
	}
	ruleLimits.byRules[id] = m
	return m
}

// maxRuleLimits bounds ruleLimits: far more distinct shares and rule sets
// than a catalog has, and still a few megabytes at most.
const maxRuleLimits = 1024

// limit returns the exact limit k names, from limits when it is there.
func (s budgetShare) limit(k limitKey) exactLimit {
	if l, ok := s.limits[k]; ok {
		return l
	}
	l := new(big.Rat).Mul(slo.Decimal(k.factor), s.exact)
	if k.window > 0 {
		l.Mul(l, big.NewRat(int64(k.long/time.Second), int64(k.window/time.Second)))
	}
	return newExactLimit(l)
}

// rate is the burn rate of c, bad/total over the share, rounded once:
// (bad × den) / (total × num) is exact up to the division while the
// products stay below 2^53, so a burn of 100 reads 100.
func (s budgetShare) rate(c Counts) float64 {
	return (c.Bad() * s.den) / (c.Total * s.num)
}

// allowed is the budget c's events allow: total × share, rounded once.
func (s budgetShare) allowed(c Counts) float64 {
	return c.Total * s.num / s.den
}

// burnAbove reports whether c burns faster than factor: bad/total >
// factor × share, decided exactly, so that a burn equal to a factor
// written in decimal (1, 6, 14.4) never fires whatever the objective.
func (s budgetShare) burnAbove(c Counts, factor float64) bool {
	if c.Total <= 0 {
		return false
	}
	rate := s.rate(c)
	// Rounding keeps order, so rates that differ as floats differ the
	// same way exactly, unless huge counts rounded the products.
	if math.Abs(rate-factor) > 1e-12*math.Abs(factor) {
		return rate > factor
	}
	return compareExact(c.Bad(), c.Total, s.limit(limitKey{factor: factor})) > 0
}

// spentAtLeast reports whether bad events reach factor × long/window of
// the budget total × share, exactly: the budget condition of a rule.
func (s budgetShare) spentAtLeast(bad, total, factor float64, long, window time.Duration) bool {
	spent := factor * float64(long) / float64(window) * total * s.f
	if math.Abs(bad-spent) > 1e-12*math.Abs(spent) {
		return bad > spent
	}
	return compareExact(bad, total, s.limit(limitKey{factor, long, window})) >= 0
}

// compareExact returns the sign of x − limit × y, with x and y taken as
// the exact values of their floats.
func compareExact(x, y float64, limit exactLimit) int {
	if c, ok := compareWhole(x, y, limit); ok {
		return c
	}
	return compareRat(x, y, limit.r)
}

// compareRat is compareExact in rational arithmetic.
func compareRat(x, y float64, limit *big.Rat) int {
	rx := new(big.Rat).SetFloat64(x)
	ry := new(big.Rat).SetFloat64(y)
	if rx == nil || ry == nil { // not finite
		return 0
	}
	return rx.Cmp(ry.Mul(ry, limit))
}

// compareWhole is compareExact for whole, non-negative counts and a limit
// of 64-bit numerator and denominator, the usual case: the sign of
// x × den − num × y, each product exact in 128 bits. ok is false
// otherwise.
func compareWhole(x, y float64, limit exactLimit) (c int, ok bool) {
	xi, okX := whole(x)
	yi, okY := whole(y)
	if !limit.small || !okX || !okY || xi < 0 || yi < 0 {
		return 0, false
	}
	ah, al := bits.Mul64(uint64(xi), limit.den)
	bh, bl := bits.Mul64(limit.num, uint64(yi))
	switch {
	case ah != bh:
		return cmp3(ah, bh), true
	case al != bl:
		return cmp3(al, bl), true
	}
	return 0, true
}

func cmp3(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}
