package money

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

// FuzzParse reads an amount as a cashier types it or the network writes it.
// An amount that reads is between zero and Max and reads back the same from
// its own text; one that does not is ErrSyntax.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"100", "100.5", "100,50", " 0.01 ", "1000000000000000", "1.234", "-5", "1e3", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("%q: error %v is not ErrSyntax", s, err)
			}
			return
		}
		if a < 0 || a > Max {
			t.Fatalf("%q read as %d", s, a)
		}
		again, err := Parse(a.String())
		if err != nil || again != a {
			t.Fatalf("%q read as %v, which reads back as %v (%v)", s, a, again, err)
		}
	})
}

// FuzzParseRate reads a commission rate and an amount, as a quote does with
// what the cashier types. A rate that reads is between 0 and 100% and reads
// back the same from its own text, and its share of any amount that reads
// is the exact product rounded half up: never negative, never more than the
// amount.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"3%", "2.5%", "3", "0%", "100%", "100.01%", " 1,5 % ", "%"} {
		f.Add(s, "100.00")
	}
	f.Add("1.5%", "0.01")
	f.Fuzz(func(t *testing.T, s string, amount string) {
		r, err := ParseRate(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("%q: error %v is not ErrSyntax", s, err)
			}
			return
		}
		if r < 0 || r > 100_00 {
			t.Fatalf("%q read as %d", s, r)
		}
		if !strings.HasSuffix(r.String(), "%") {
			t.Fatalf("%q written as %q", s, r.String())
		}
		again, err := ParseRate(r.String())
		if err != nil || again != r {
			t.Fatalf("%q read as %v, which reads back as %v (%v)", s, r, again, err)
		}
		a, err := Parse(amount)
		if err != nil {
			return
		}
		want := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(r)))
		want.Add(want, big.NewInt(5000)).Quo(want, big.NewInt(10000))
		got := r.Of(a)
		if got < 0 || got > a || want.Cmp(big.NewInt(int64(got))) != 0 {
			t.Fatalf("%v of %v is %v, want %v", r, a, got, want)
		}
	})
}

// TestRateOfLargeAmounts: shares of amounts up to Max, which Parse accepts.
// Before Of took the product exactly, a·r wrapped around int64 (the first
// three cases, and FuzzParseRate's corpus entry 2c95f1b59ba608c0) and the
// quote for a large typed amount came out wrong or negative.
func TestRateOfLargeAmounts(t *testing.T) {
	tests := []struct {
		name string
		rate Rate
		a    Amount
		want Amount
	}{
		{"99.99% of Max", 99_99, Max, 99_990_000_000_000_000},
		{"100% of Max", 100_00, Max, Max},
		{"3% of Max", 300, Max, 3_000_000_000_000_000},
		{"1.5% of 14-digit balance", 150, 99_999_999_999_999_99, 150_000_000_000_000},
		{"0.01% of 1 kopeck rounds down", 1, 1, 0},
		{"50% of 1 kopeck rounds half up", 50_00, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rate.Of(tt.a); got != tt.want {
				t.Fatalf("%v of %v = %v, want %v", tt.rate, tt.a, got, tt.want)
			}
		})
	}
}
