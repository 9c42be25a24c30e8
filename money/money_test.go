package money

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		ok   bool
	}{
		{"100", 10000, true},
		{"100.00", 10000, true},
		{"100.5", 10050, true},
		{"0.01", 1, true},
		{"1234,56", 123456, true},
		{" 15000.00 ", 1500000, true},
		{"100.123", 0, false},
		{"100.", 0, false},
		{".50", 0, false},
		{"-5.00", 0, false},
		{"+5", 0, false},
		{"1e3", 0, false},
		{"1 000", 0, false},
		{"", 0, false},
		{"abc", 0, false},
		{"99999308910842.25", 9999930891084225, true},
		{"99999999999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !tt.ok {
				assert.ErrorIs(t, err, ErrSyntax)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestString(t *testing.T) {
	assert.Equal(t, "1234.56", Amount(123456).String())
	assert.Equal(t, "0.05", Amount(5).String())
	assert.Equal(t, "-0.50", Amount(-50).String())
	assert.Equal(t, "0.00", Amount(0).String())
}

func TestRate(t *testing.T) {
	r, err := ParseRate("3%")
	require.NoError(t, err)
	assert.Equal(t, DefaultCommission, r)
	assert.Equal(t, "3%", r.String())
	r, err = ParseRate("2.5%")
	require.NoError(t, err)
	assert.Equal(t, Rate(250), r)
	assert.Equal(t, "2.5%", r.String())
	_, err = ParseRate("150%")
	assert.Error(t, err)
	_, err = ParseRate("three")
	assert.Error(t, err)

	tests := []struct {
		rate Rate
		a    Amount
		want Amount
	}{
		{300, 10000, 300}, // 3% of 100.00 = 3.00
		{300, 1717, 52},   // 51.51 kopecks rounds to 52
		{300, 1650, 50},   // 49.5 rounds half up to 50
		{250, 33333, 833}, // 833.325
		{0, 10000, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.rate.Of(tt.a), "%v of %v", tt.rate, tt.a)
	}
}
