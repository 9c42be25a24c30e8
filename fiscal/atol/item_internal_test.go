package atol

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"paydesk/fiscal"
	"paydesk/fiscal/atol/wire"
)

// TestItemData pins EBh's layout to the one CyberPlat's TerminalClient and
// Crystals' ATOL-3 plugin send (docs/atol.md, "Verified against"): flags,
// price (7 BCD), quantity (5 BCD, thousandths), cost (7 BCD), tax type,
// tax sum (7 BCD), department (BCD), 1212, 1214 (BCD), discount sign,
// discount (7 BCD), two reserved bytes, the name.
func TestItemData(t *testing.T) {
	l := fiscal.Line{Name: "Платеж", Price: 50000, Quantity: 2_500_000, Tax: fiscal.NoVAT,
		Subject: fiscal.SubjectPayment, Department: 12}
	tax, ok := taxType(l.Tax)
	assert.True(t, ok)
	want := []byte{0x00,
		0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, // price 500.00
		0x00, 0x00, 0x00, 0x25, 0x00, // quantity 2.500
		0x00, 0x00, 0x00, 0x00, 0x12, 0x50, 0x00, // cost 1250.00
		0x06,                                     // no VAT
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // tax sum: the register's
		0x12,                                     // department 12
		0x10,                                     // 1212 = 10, BCD
		0x04,                                     // 1214 = 4 (full payment, the default)
		0x00,                                     // discount sign
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // discount
		0x00, 0x00, // reserved
	}
	want = append(want, wire.Text("Платеж")...)
	assert.Equal(t, want, itemData(l, tax))
	assert.Len(t, itemData(fiscal.Line{Name: string(make([]rune, 200)), Quantity: 1_000_000}, 1), 41+maxItemName,
		"a long name is cut to 128 bytes")
}

// TestTaxType: EBh numbers taxes as ATOL does (1 VAT 20 %, 2 10 %, 3 20/120,
// 4 10/110, 5 0 %, 6 none), not as Shtrih; a rate with no known ATOL
// number is refused.
func TestTaxType(t *testing.T) {
	tests := []struct {
		tax  fiscal.Tax
		want byte
		ok   bool
	}{
		{0, 0, true},
		{fiscal.VAT20, 1, true},
		{fiscal.VAT10, 2, true},
		{fiscal.VAT120, 3, true},
		{fiscal.VAT110, 4, true},
		{fiscal.VAT0, 5, true},
		{fiscal.NoVAT, 6, true},
		{fiscal.VAT5, 0, false},
		{fiscal.VAT22, 0, false},
	}
	for _, tt := range tests {
		got, ok := taxType(tt.tax)
		assert.Equal(t, tt.ok, ok, "tax %d", tt.tax)
		assert.Equal(t, tt.want, got, "tax %d", tt.tax)
	}
}
