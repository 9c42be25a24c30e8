// Package money holds amounts as int64 kopecks and commission rates as
// basis points, and converts them to and from the "1234.56" text the
// payment network and the cashier use. There is no float anywhere.
package money

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Amount is a sum of money in kopecks.
type Amount int64

// Max is the largest amount accepted from text: 10¹⁵ roubles (the test
// network reports dealer balances of 14 digits).
const Max Amount = 100_000_000_000_000_000

// ErrSyntax is returned for text that is not an amount.
var ErrSyntax = errors.New("not an amount")

// Parse reads "100", "100.5" or "100.50" (a comma is taken for the point, as
// Russian cashiers type it). More than two decimals, signs, spaces inside or
// letters are refused: the network takes exactly two decimals.
func Parse(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	t = strings.Replace(t, ",", ".", 1)
	whole, frac, hasPoint := strings.Cut(t, ".")
	if whole == "" || len(whole) > 16 || !digits(whole) || (hasPoint && (len(frac) == 0 || len(frac) > 2 || !digits(frac))) {
		return 0, fmt.Errorf("money: %q: %w (use roubles with at most two decimals, like 100.00)", s, ErrSyntax)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	var k int64
	if hasPoint {
		k, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			k *= 10
		}
	}
	a := Amount(w*100 + k)
	if a > Max {
		return 0, fmt.Errorf("money: %q: %w (too large)", s, ErrSyntax)
	}
	return a, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the amount as the network wants it: "1234.56", "-0.50".
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Rate is a percentage in basis points: 300 is 3%.
type Rate int64

// DefaultCommission is the partner's default commission rate, 3%.
const DefaultCommission Rate = 300

// ParseRate reads "3%", "2.5%" or "3" (percent, at most two decimals).
func ParseRate(s string) (Rate, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "%")
	a, err := Parse(t)
	if err != nil || a > 100_00 {
		return 0, fmt.Errorf("money: rate %q: %w (use a percentage like 3%% or 2.5%%)", s, ErrSyntax)
	}
	return Rate(a), nil
}

// String writes the rate as "3%" or "2.5%".
func (r Rate) String() string {
	s := Amount(r).String()
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// Of returns the rate's share of a, rounded half up to the kopeck. The
// product is taken exactly: a·r overflows int64 for amounts Parse accepts
// (above 9·10¹⁴ kopecks at 100%).
func (r Rate) Of(a Amount) Amount {
	p := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(r)))
	return Amount(p.Add(p, big.NewInt(5000)).Quo(p, big.NewInt(10000)).Int64())
}
