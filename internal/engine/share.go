package engine

import (
	"math"
	"math/big"
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
}

func newBudgetShare(def *slo.SLO) budgetShare {
	r := def.BudgetShare()
	s := budgetShare{exact: r}
	s.f, _ = r.Float64()
	s.objective, _ = new(big.Rat).Sub(big.NewRat(1, 1), r).Float64()
	s.num, _ = new(big.Rat).SetInt(r.Num()).Float64()
	s.den, _ = new(big.Rat).SetInt(r.Denom()).Float64()
	return s
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
	limit := new(big.Rat).Mul(slo.Decimal(factor), s.exact)
	return compareExact(c.Bad(), c.Total, limit) > 0
}

// spentAtLeast reports whether bad events reach factor × long/window of
// the budget total × share, exactly: the budget condition of a rule.
func (s budgetShare) spentAtLeast(bad, total, factor float64, long, window time.Duration) bool {
	spent := factor * float64(long) / float64(window) * total * s.f
	if math.Abs(bad-spent) > 1e-12*math.Abs(spent) {
		return bad > spent
	}
	limit := new(big.Rat).Mul(slo.Decimal(factor), s.exact)
	limit.Mul(limit, big.NewRat(int64(long/time.Second), int64(window/time.Second)))
	return compareExact(bad, total, limit) >= 0
}

// compareExact returns the sign of x − limit × y, with x and y taken as
// the exact values of their floats.
func compareExact(x, y float64, limit *big.Rat) int {
	rx := new(big.Rat).SetFloat64(x)
	ry := new(big.Rat).SetFloat64(y)
	if rx == nil || ry == nil { // not finite
		return 0
	}
	return rx.Cmp(ry.Mul(ry, limit))
}
