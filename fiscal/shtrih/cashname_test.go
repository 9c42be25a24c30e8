package shtrih_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

// The tape of a cash document names the person who made it, not the
// register's operator of the password (СИСТЕМНЫЙ АДМИНИСТРАТОР): the name
// is written into table 2 first, since 50h and 51h take no 1021 tag.
func TestCashDocumentsNameTheCashier(t *testing.T) {
	tests := map[string]struct {
		who  fiscal.Cashier
		want string
	}{
		"named":                 {cashier, "Иванова А.А."},
		"another":               {fiscal.Cashier{Name: "Кассир Петров П.П."}, "Кассир Петров П.П."},
		"unnamed keeps the own": {fiscal.Cashier{}, "СИСТЕМНЫЙ АДМИНИСТРАТОР"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, "tcp")
			c := ctx(t)
			require.NoError(t, h.dev.OpenShift(c, cashier))
			_, err := h.dev.CashIn(c, tt.who, 500_00)
			require.NoError(t, err)
			_, err = h.dev.CashOut(c, tt.who, 100_00)
			require.NoError(t, err)
			tape := strings.Join(h.emu.Tape(), "\n")
			in, out := strings.Index(tape, "ВНЕСЕНИЕ"), strings.Index(tape, "ВЫПЛАТА")
			require.Positive(t, in)
			require.Greater(t, out, in)
			for _, doc := range []string{tape[in:out], tape[out:]} {
				line := doc[strings.Index(doc, "КАССИР"):]
				line = line[:strings.IndexByte(line+"\n", '\n')]
				assert.True(t, strings.HasSuffix(line, tt.want), "%q", line)
			}
		})
	}
}
