package receipts

import (
	"strings"
	"testing"

	"paydesk/fiscal"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCopy(t *testing.T) {
	tags := []fiscal.Tag{
		fiscal.String(1048, `ООО "Ромашка"`),
		fiscal.Byte(1054, byte(fiscal.Sale)),
		fiscal.Struct(1059, fiscal.String(1030, "Оплата связи МТС +79161234567"), fiscal.VLN(1079, 500_00), fiscal.VLN(1043, 500_00)),
		fiscal.VLN(1020, 500_00), fiscal.VLN(1031, 500_00), fiscal.VLN(1081, 0),
		fiscal.Byte(1055, byte(fiscal.USNIncome)),
		fiscal.String(1021, "Кассир Орлова О.О."), fiscal.String(1008, "+79161234567"),
		fiscal.VLN(1040, 42),
	}
	tests := []struct {
		name string
		typ  fiscal.DocType
		want []string
	}{
		{"receipt", fiscal.DocReceipt, []string{"КАССОВЫЙ ЧЕК", "ПРИХОД", "ИТОГ:", "=500.00", "НАЛИЧНЫМИ:", "СНО:", "УСН доход", "ПОКУПАТЕЛЬ:", "+79161234567", "ФД:", "42"}},
		{"unknown type", fiscal.DocType(99), []string{"ДОКУМЕНТ (ТИП 99)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := Copy(tt.typ, tags, 32)
			require.GreaterOrEqual(t, len(lines), 3)
			assert.Equal(t, CopyMark, strings.TrimSpace(lines[0]))
			assert.Equal(t, CopyMark, strings.TrimSpace(lines[len(lines)-1]))
			text := strings.Join(lines, "\n")
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			assert.NotContains(t, text, "БЕЗНАЛИЧНЫМИ", "a zero card payment is not printed")
			assert.NotContains(t, text, "usn")
			for _, l := range lines {
				assert.LessOrEqual(t, len([]rune(l)), 32, l)
			}
		})
	}
}
