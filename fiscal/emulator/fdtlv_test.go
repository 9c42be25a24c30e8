package emulator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// mode is the register's mode (low nibble) from 10h.
func mode(t *testing.T, e *emulator.Emulator) int {
	t.Helper()
	_, data := exec(t, e, shtrih.CmdShortStatus, pw(30))
	s, err := shtrih.ParseShortStatus(data)
	require.NoError(t, err)
	return s.Mode
}

func requestDoc(t *testing.T, e *emulator.Emulator, fd uint32) (fiscal.Code, shtrih.DocumentHeader) {
	t.Helper()
	code, data := exec(t, e, shtrih.CmdFNDocTLV, pw(30), shtrih.PutUint(nil, uint64(fd), 4))
	if code != 0 {
		return code, shtrih.DocumentHeader{}
	}
	h, err := shtrih.ParseDocumentHeader(data)
	require.NoError(t, err)
	return code, h
}

// readDoc reads blocks with FF3B until the emulator answers an error; it
// returns the bytes, the blocks and the closing code.
func readDoc(t *testing.T, e *emulator.Emulator) ([]byte, int, fiscal.Code) {
	t.Helper()
	var b []byte
	for n := 0; n < 1000; n++ {
		code, data := exec(t, e, shtrih.CmdFNReadTLV, pw(30))
		if code != 0 {
			return b, n, code
		}
		require.NotEmpty(t, data)
		require.LessOrEqual(t, len(data), shtrih.MaxPayload-3)
		b = append(b, data...)
	}
	t.Fatal("FF3B does not end")
	return nil, 0, 0
}

// TestDocumentTLV covers the emulator's FF3A/FF3B: the document STLV of each
// kind of document, the reading cursor, the data dump mode and the errors a
// fiscal drive gives.
func TestDocumentTLV(t *testing.T) {
	now := t0
	e := newEmu(t, t.TempDir(), &now)
	defer e.Close()
	code, _ := exec(t, e, shtrih.CmdDocTag, pw(30), fiscal.String(1021, "Иванова А.А.").Encode())
	assert.Equal(t, fiscal.CodeFNState, code, "no document open")
	code, _ = exec(t, e, shtrih.CmdBeginOpen, pw(30))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdDocTag, pw(30), fiscal.String(1021, "Иванова А.А.").Encode())
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdOpenShift, pw(30))
	require.Zero(t, code)
	line := fiscal.Line{Name: "Товар", Price: 12345, Quantity: 2_500_000, Tax: fiscal.VAT20, Method: 4, Subject: 1}
	code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdOperationTag, pw(30), unitTag) // FFD 1.2: the measure of quantity
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdDocTag, pw(30), fiscal.Struct(1084, fiscal.String(1085, "Транзакция"), fiscal.String(1086, "SESSION-9")).Encode())
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 40000}, TaxSystem: fiscal.OSN}))
	require.Zero(t, code)
	st := e.State()
	receipt := st.Docs[len(st.Docs)-1]
	require.Equal(t, fiscal.DocReceipt, receipt.Type)

	tests := []struct {
		name string
		fd   uint32
		typ  fiscal.DocType
		want map[uint16]any // tag: string (text), uint64 (number) or []byte
	}{
		{name: "registration", fd: 1, typ: fiscal.DocRegistration,
			want: map[uint16]any{1040: uint64(1), 1041: st.FN, 1009: st.Address, 1187: st.Place}},
		{name: "shift open", fd: 2, typ: fiscal.DocShiftOpen,
			want: map[uint16]any{1040: uint64(2), 1038: uint64(1), 1021: "Иванова А.А."}},
		{name: "receipt", fd: receipt.FD, typ: fiscal.DocReceipt,
			want: map[uint16]any{1040: uint64(receipt.FD), 1054: uint64(1), 1020: uint64(30863), 1031: uint64(30863),
				1081: uint64(0), 1055: uint64(fiscal.OSN), 1042: uint64(1),
				1077: append([]byte{0, 0}, byte(receipt.FP>>24), byte(receipt.FP>>16), byte(receipt.FP>>8), byte(receipt.FP))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h := requestDoc(t, e, tt.fd)
			require.Zero(t, code)
			assert.Equal(t, uint16(tt.typ), h.Type)
			assert.Equal(t, 1, mode(t, e), "data dump while the document is read")
			b, n, end := readDoc(t, e)
			assert.Equal(t, fiscal.Code(0x08), end)
			assert.Equal(t, (h.Length+shtrih.MaxPayload-4)/(shtrih.MaxPayload-3), n)
			require.Len(t, b, h.Length)
			assert.NotEqual(t, 1, mode(t, e), "the read has ended")
			tags, err := fiscal.DecodeTags(b)
			require.NoError(t, err)
			for num, v := range tt.want {
				tag, ok := fiscal.Find(tags, num)
				require.True(t, ok, "tag %d", num)
				switch v := v.(type) {
				case string:
					assert.Equal(t, v, tag.Text(), "tag %d", num)
				case uint64:
					got, _ := tag.Uint()
					assert.Equal(t, v, got, "tag %d", num)
				case []byte:
					assert.Equal(t, v, tag.Value, "tag %d", num)
				}
			}
			if tt.typ == fiscal.DocReceipt {
				add, ok := fiscal.Find(tags, 1084)
				require.True(t, ok)
				sub, err := add.Children()
				require.NoError(t, err)
				v, _ := fiscal.Find(sub, 1086)
				assert.Equal(t, "SESSION-9", v.Text())
				l, ok := fiscal.Find(tags, 1059)
				require.True(t, ok)
				sub, err = l.Children()
				require.NoError(t, err)
				q, _ := fiscal.Find(sub, 1023)
				assert.Equal(t, []byte{1, 25}, q.Value, "2.5 as FVLN")
				r, _ := fiscal.Find(sub, 1199)
				assert.Equal(t, []byte{1}, r.Value, "НДС 20%")
			}
		})
	}

	cursor := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"FF3B without FF3A", func(t *testing.T) {
			code, _ := exec(t, e, shtrih.CmdFNReadTLV, pw(30))
			assert.Equal(t, fiscal.Code(0x08), code)
		}},
		{"unknown document", func(t *testing.T) {
			code, _ := requestDoc(t, e, receipt.FD+1)
			assert.Equal(t, fiscal.Code(0x08), code)
			assert.NotEqual(t, 1, mode(t, e))
		}},
		{"FF3A without a number", func(t *testing.T) {
			code, _ := exec(t, e, shtrih.CmdFNDocTLV, pw(30), []byte{1, 0})
			assert.Equal(t, fiscal.CodeBadLength, code)
		}},
		{"FF3A again starts afresh", func(t *testing.T) {
			_, h := requestDoc(t, e, receipt.FD)
			_, _ = exec(t, e, shtrih.CmdFNReadTLV, pw(30))
			_, h2 := requestDoc(t, e, receipt.FD)
			assert.Equal(t, h, h2)
			b, _, _ := readDoc(t, e)
			assert.Len(t, b, h.Length)
		}},
		{"power cycle ends the read", func(t *testing.T) {
			_, _ = requestDoc(t, e, 2)
			require.Equal(t, 1, mode(t, e))
			e.PowerCycle()
			assert.Equal(t, 2, mode(t, e))
			code, _ := exec(t, e, shtrih.CmdFNReadTLV, pw(30))
			assert.Equal(t, fiscal.Code(0x08), code)
		}},
		{"a receipt can be made while reading", func(t *testing.T) {
			_, _ = requestDoc(t, e, 2)
			code, _ := exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line))
			require.Zero(t, code)
			code, _ = exec(t, e, shtrih.CmdOperationTag, pw(30), unitTag) // FFD 1.2: the measure of quantity
			require.Zero(t, code)
			assert.Equal(t, 8, mode(t, e))
			code, _ = exec(t, e, shtrih.CmdCancel, pw(30))
			require.Zero(t, code)
			assert.Equal(t, 1, mode(t, e))
			_, _, end := readDoc(t, e)
			assert.Equal(t, fiscal.Code(0x08), end)
			assert.Equal(t, 2, mode(t, e))
		}},
	}
	for _, tt := range cursor {
		t.Run(tt.name, tt.run)
	}
}
