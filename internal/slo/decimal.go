package slo

import (
	"math/big"
	"strconv"
)

// Decimal returns f as the decimal people wrote it as, exactly: 99.9 is
// 999/10, not the binary fraction nearest to it, so 1 − 99.9/100 is
// 1/1000 and a burn of exactly 1 is not read as 1.0000000000001. f is
// taken as the shortest decimal that reads back as f.
func Decimal(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	if !ok { // ±Inf or NaN: no decimal; the nearest exact value will do
		return new(big.Rat)
	}
	return r
}

// BudgetShare is BudgetFraction exactly: 1 − objective/100 with the
// objective as written in decimal, 1/1000 for 99.9.
func (s SLO) BudgetShare() *big.Rat {
	r := new(big.Rat).Quo(Decimal(s.Objective), big.NewRat(100, 1))
	return r.Sub(big.NewRat(1, 1), r)
}
