package ui

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app"
)

// TestSheetForExcel: the CSV Excel opens as columns in the window's
// language: a BOM, the window's titles, ';' and a decimal comma in Russian,
// ',' and a point in English, CRLF, and the total line.
func TestSheetForExcel(t *testing.T) {
	rows := []app.ReportRow{{Key: "mts", Label: "МТС", Count: 2, Amount: 1500_00, Fee: 15_00, Total: 1515_00, Commission: 45_00},
		{Key: "megafon", Label: "МегаФон; «Москва»", Count: 1, Amount: 300_50, Total: 300_50, Commission: 9_01}}
	tests := map[string]struct{ lang, want string }{
		"ru": {"ru", "\uFEFFПо операторам;Платежей;Сумма;Комиссия точки;Принято;Вознаграждение\r\n" +
			"МТС;2;1500,00;15,00;1515,00;45,00\r\n" +
			"\"МегаФон; «Москва»\";1;300,50;0,00;300,50;9,01\r\n" +
			"Итого;3;1800,50;15,00;1815,50;54,01\r\n"},
		"en": {"en", "\uFEFFBy provider,Payments,Amount,Point's fee,Taken,Commission\r\n" +
			"MTS,2,1500.00,15.00,1515.00,45.00\r\n" + // a provider of the catalogue in the window's language
			"МегаФон; «Москва»,1,300.50,0.00,300.50,9.01\r\n" +
			"Total,3,1800.50,15.00,1815.50,54.01\r\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tt.lang)
			got := string(sheet(h.u, app.ReportGroups[0], rows))
			require.True(t, strings.HasPrefix(got, "\uFEFF"))
			assert.Equal(t, tt.want, got)
		})
	}
}
