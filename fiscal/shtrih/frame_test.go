package shtrih_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

func TestFrame(t *testing.T) {
	tests := []struct {
		name    string
		frame   []byte
		payload []byte
		err     error
	}{
		{"status", []byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0B}, []byte{0x10, 0x1E, 0, 0, 0}, nil},
		{"bad lrc", []byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0C}, nil, shtrih.ErrBadLRC},
		{"short", []byte{0x02, 0x05, 0x10, 0x1E}, nil, shtrih.ErrShortFrame},
		{"empty", nil, nil, shtrih.ErrShortFrame},
		{"no stx", []byte{0x03, 0x01, 0x10, 0x11}, nil, shtrih.ErrNoSTX},
		{"zero length", []byte{0x02, 0x00, 0x00}, nil, shtrih.ErrBadLength},
		{"trailing", []byte{0x02, 0x01, 0x10, 0x11, 0x00}, nil, shtrih.ErrTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := shtrih.Decode(tt.frame)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.payload, p)
			f, err := shtrih.Encode(p)
			require.NoError(t, err)
			assert.Equal(t, tt.frame, f)
		})
	}
	_, err := shtrih.Encode(make([]byte, 256))
	assert.ErrorIs(t, err, shtrih.ErrBadLength)
}

func TestEncodings(t *testing.T) {
	assert.Equal(t, []byte{0x50, 0xC3, 0, 0, 0}, shtrih.PutMoney(nil, 50000))
	assert.Equal(t, int64(50000), shtrih.Money([]byte{0x50, 0xC3, 0, 0, 0}))
	assert.Equal(t, []byte{0x40, 0x42, 0x0F, 0, 0, 0}, shtrih.PutUint(nil, 1_000_000, 6))
	dt := time.Date(2021, 7, 29, 11, 29, 0, 0, time.UTC)
	assert.Equal(t, []byte{0x15, 0x07, 0x1D, 0x0B, 0x1D}, shtrih.PutDateTime(nil, dt))
	assert.Equal(t, dt, shtrih.DateTime([]byte{0x15, 0x07, 0x1D, 0x0B, 0x1D}, time.UTC))
	assert.Equal(t, byte(0x08), shtrih.TaxBits(fiscal.NoVAT))
	assert.Equal(t, byte(0x04), shtrih.TaxBits(fiscal.VAT0))
	assert.Equal(t, []byte{0xCF, 0xF0, 0xE8, 0, 0}, shtrih.PutText(nil, "При", 5))
	assert.Equal(t, "При", shtrih.Text([]byte{0xCF, 0xF0, 0xE8, 0, 0}))
	code, data, err := shtrih.ParseAnswer(shtrih.CmdCloseReceipt, []byte{0xFF, 0x45})
	require.NoError(t, err)
	assert.Equal(t, fiscal.Code(0x45), code, "short FF form")
	assert.Nil(t, data)
	_, _, err = shtrih.ParseAnswer(shtrih.CmdCancel, []byte{0x10, 0x00})
	assert.ErrorIs(t, err, fiscal.ErrBadAnswer)
}

// TestAgentLineBytes checks FF46/FF4D/FF0C of receipt-54fz.md §8 byte for byte.
func TestAgentLineBytes(t *testing.T) {
	r := agentReceipt()
	frame := func(c shtrih.Cmd, args []byte) string {
		f, err := shtrih.Encode(shtrih.Payload(c, args))
		require.NoError(t, err)
		return hexs(f)
	}
	assert.Equal(t, "02 3D FF 46 01 00 00 00 01 40 42 0F 00 00 00 50 C3 00 00 00 FF FF FF FF FF FF FF FF FF FF "+
		"08 01 04 0A CE EF EB E0 F2 E0 20 F1 E2 FF E7 E8 20 CC D2 D1 20 2B 37 39 31 36 31 32 33 34 35 36 37 3B",
		frame(shtrih.CmdOperation, shtrih.OperationArgs(1, fiscal.Sale, r.Lines[0])))
	tags := shtrih.LineTags(fiscal.FFD105, r, r.Lines[0])
	require.Len(t, tags, 3)
	tagFrame := func(c shtrih.Cmd, tag fiscal.Tag) string { return frame(c, tag.Append(shtrih.Password(30))) }
	assert.Equal(t, "02 0B FF 4D 1E 00 00 00 C6 04 01 00 08 6C", tagFrame(shtrih.CmdOperationTag, tags[0]))
	assert.Equal(t, "02 16 FF 4D 1E 00 00 00 CA 04 0C 00 37 37 34 30 30 30 30 30 37 36 20 20 7D", tagFrame(shtrih.CmdOperationTag, tags[2]))
	rt := shtrih.ReceiptTags(fiscal.FFD105, r)
	assert.Equal(t, "02 0B FF 0C 1E 00 00 00 21 04 01 00 08 CA", tagFrame(shtrih.CmdDocTag, rt[0]))
	assert.Equal(t, "02 16 FF 0C 1E 00 00 00 31 04 0C 00 2B 37 34 39 35 30 30 30 30 30 30 31 D7", tagFrame(shtrih.CmdDocTag, rt[1]))
	assert.Equal(t, "02 16 FF 0C 1E 00 00 00 FD 03 0C 00 88 A2 A0 AD AE A2 A0 20 80 2E 80 2E A2", tagFrame(shtrih.CmdDocTag, rt[4]))
	fee := frame(shtrih.CmdOperation, shtrih.OperationArgs(1, fiscal.Sale, r.Lines[1]))
	assert.Equal(t, "02 40 FF 46", fee[:11])
	assert.Equal(t, "E0 E3 E5 ED F2 E0 29", fee[len(fee)-20:])
	cl := frame(shtrih.CmdCloseReceipt, shtrih.CloseArgs(1, r))
	assert.Equal(t, "02 76 FF 45 01 00 00 00 38 C7 00 00 00", cl[:38])
	assert.Equal(t, "02 30", cl[len(cl)-5:])
}

// TestFFD12Tags: under FFD 1.2 the agent's data are on the agent line (1222,
// 1223 with the phones, 1224, 1226) with 2108 on every line, and the
// receipt carries no receipt-level agent tags; the cashier and the
// receipt's own tags stay.
func TestFFD12Tags(t *testing.T) {
	r := agentReceipt()
	nums := func(tags []fiscal.Tag) (out []uint16) {
		for _, t := range tags {
			out = append(out, t.Num)
		}
		return out
	}
	pay := shtrih.LineTags(fiscal.FFD12, r, r.Lines[0])
	assert.Equal(t, []uint16{1222, 1223, 1224, 1226, 2108}, nums(pay))
	agent, _ := fiscal.Find(pay, 1223)
	sub, err := agent.Children()
	require.NoError(t, err)
	assert.Equal(t, []uint16{1073, 1074}, nums(sub))
	two, _ := fiscal.Find(pay, 2108)
	assert.Equal(t, []byte{0}, two.Value, "pieces")
	assert.Equal(t, []uint16{2108}, nums(shtrih.LineTags(fiscal.FFD12, r, r.Lines[1])), "the fee line: no agent data")
	rt := nums(shtrih.ReceiptTags(fiscal.FFD12, r))
	for _, n := range []uint16{1057, 1073, 1074, 1171} {
		assert.NotContains(t, rt, n)
	}
	assert.Contains(t, rt, uint16(1021))
	assert.Equal(t, []uint16{1222, 1224, 1226}, nums(shtrih.LineTags(fiscal.FFD105, r, r.Lines[0])), "1.05 as before")
	assert.Contains(t, nums(shtrih.ReceiptTags(fiscal.FFD105, r)), uint16(1057))
}

func hexs(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, len(b)*3)
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
