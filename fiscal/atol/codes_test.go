package atol

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
)

func TestCodesHaveTexts(t *testing.T) {
	require.NoError(t, i18n.Check())
	cs := Codes()
	require.Len(t, cs, 147)
	for _, c := range cs {
		m := Msg(c)
		for _, lang := range []string{i18n.RU, i18n.EN} {
			assert.True(t, i18n.Has(m.Key), "%s missing", m.Key)
			assert.NotEqual(t, m.Key, m.In(lang), "%s has no %s text", m.Key, lang)
		}
	}
	assert.Equal(t, "fiscal.atol.code.unknown", Msg(0x01).Key)
	assert.False(t, Known(0x01))
}

func TestDeviceError(t *testing.T) {
	tests := []struct {
		code        fiscal.Code
		kind        fiscal.Kind
		en          string
		unsupported bool
	}{
		{CodeNoPaper, fiscal.KindOperator, "no paper", false},
		{CodeReceiptOpen, fiscal.KindOperator, "receipt is open", false},
		{CodeShiftOver24h, fiscal.KindZReport, "24 hours", false},
		{0x01, fiscal.KindOther, "unknown", false},
		{CodeNotSupported, KindOf(CodeNotSupported), "cannot execute", true},
		{CodeNoCommand, KindOf(CodeNoCommand), "wrong command", true},
	}
	for _, tt := range tests {
		e := DeviceError("fiscalize", 0x4A, tt.code)
		assert.Equal(t, tt.kind, e.Kind, "code %02X", byte(tt.code))
		assert.Contains(t, e.Error(), "command 4Ah")
		assert.Contains(t, e.Error(), tt.en)
		assert.Contains(t, e.Msg().In(i18n.RU), "код ККТ")
		assert.NotContains(t, e.Msg().In(i18n.RU), "fiscal.atol")
		assert.Equal(t, tt.unsupported, fiscal.Unsupported(e), "code %02X", byte(tt.code))
	}
}
