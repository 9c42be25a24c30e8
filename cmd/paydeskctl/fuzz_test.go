package main

import (
	"fmt"
	"strings"
	"testing"

	"paydesk/money"
)

// FuzzParseSum reads the sum of `paydeskctl kkm cash-in/cash-out` as typed
// on the command line. A sum that reads is within the register's range,
// reads back the same from its canonical text, and is what the till reads
// from the same text (money.Parse).
func FuzzParseSum(f *testing.F) {
	for _, s := range []string{"100", "100.5", "100,50", "0.01", "0", "5497558138.87", "1.234", "-1", " 1", "1e3", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseSum(s)
		if err != nil {
			return
		}
		if v <= 0 || v >= 1<<39 {
			t.Fatalf("%q read as %d", s, v)
		}
		again, err := parseSum(fmt.Sprintf("%d.%02d", v/100, v%100))
		if err != nil || again != v {
			t.Fatalf("%q read as %d, which reads back as %d (%v)", s, v, again, err)
		}
		// The till reads the same, except that it refuses more than 16
		// digits before the point even when they are leading zeros.
		m, err := money.Parse(s)
		whole, _, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
		if err != nil && len(whole) > 16 {
			return
		}
		if err != nil || int64(m) != v {
			t.Fatalf("%q: paydeskctl reads %d, the till %d (%v)", s, v, m, err)
		}
	})
}

// TestParseSumCases names the inputs FuzzParseSum's corpus keeps.
func TestParseSumCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64 // 0: refused
	}{
		{"roubles", "100", 100_00},
		{"comma", "100,5", 100_50},
		{"largest", "5497558138.87", 1<<39 - 1},
		{"too large", "5497558138.88", 0},
		{"zero", "0.00", 0},
		{"three decimals", "1.234", 0},
		{"space", " 1", 0},
		// Found by FuzzParseSum (237c2fd2b9a58135): 17 digits with leading
		// zeros. paydeskctl reads them; money.Parse refuses more than 16
		// digits before the point, so the property allows that difference.
		{"leading zeros beyond 16 digits", "00000000440000000", 440000000_00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parseSum(tt.in)
			if tt.want == 0 {
				if err == nil {
					t.Fatalf("%q read as %d", tt.in, v)
				}
				return
			}
			if err != nil || v != tt.want {
				t.Fatalf("%q read as %d (%v), want %d", tt.in, v, err, tt.want)
			}
		})
	}
}
