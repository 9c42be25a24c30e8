package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

func adjustArgs(sum int64, text string) []byte {
	return cat(shtrih.PutMoney(pw(30), sum), []byte{0, 0, 0, 0}, shtrih.PutText(nil, text, 0))
}

func TestDiscounts(t *testing.T) {
	type step struct {
		cmd  shtrih.Cmd
		sum  int64
		code fiscal.Code
	}
	tests := []struct {
		name  string
		steps []step
		total int64 // after the steps; the receipt of two lines, 100.00 and 50.00
	}{
		{"discount", []step{{0x86, 15_00, 0}}, 135_00},
		{"markup", []step{{0x87, 3_00, 0}}, 153_00},
		{"discount cancelled", []step{{0x86, 15_00, 0}, {0x8A, 15_00, 0}}, 150_00},
		{"cancel beyond", []step{{0x86, 1_00, 0}, {0x8A, 2_00, 0x8D}}, 149_00},
		{"markup cancel beyond", []step{{0x8B, 1_00, 0x8C}}, 150_00},
		{"discount beyond the total", []step{{0x86, 151_00, 0x5F}}, 150_00},
		{"zero", []step{{0x86, 0, 0x33}}, 150_00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := emulator.NewState(t0)
			st.ShiftOpen, st.ShiftNumber, st.ShiftOpened = true, 1, t0
			e := memEmu(t, st, t0)
			code, _ := exec(t, e, 0x86, adjustArgs(1_00, ""))
			require.Equal(t, fiscal.CodeReceiptClosed, code, "no receipt")
			for _, price := range []int64{100_00, 50_00} {
				l := fiscal.Line{Name: "x", Price: price, Quantity: 1_000_000, Tax: fiscal.NoVAT, Method: 4, Subject: 1}
				code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, l))
				require.Zero(t, code)
				code, _ = exec(t, e, shtrih.CmdOperationTag, pw(30), unitTag)
				require.Zero(t, code)
			}
			for _, s := range tt.steps {
				code, data := exec(t, e, s.cmd, adjustArgs(s.sum, "ПО КАРТЕ"))
				require.Equal(t, s.code, code, "%s", s.cmd)
				if code == 0 {
					assert.Equal(t, []byte{30}, data)
				}
			}
			_, data := exec(t, e, shtrih.CmdSubtotal, pw(30))
			assert.Equal(t, tt.total, shtrih.Money(data[1:]))
			code, _ = exec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 200_00}, TaxSystem: fiscal.OSN}))
			require.Zero(t, code)
			d := e.State().Docs[len(e.State().Docs)-1]
			assert.Equal(t, tt.total, d.Sum)
			assert.Equal(t, tt.total, d.Lines[0].Sum+d.Lines[1].Sum, "the lines add up to the total")
		})
	}
}

func TestBarcodes(t *testing.T) {
	tests := []struct {
		name string
		cmd  shtrih.Cmd
		args []byte
		code fiscal.Code
		hri  string
	}{
		{"EAN-13", 0xC2, shtrih.PutUint(nil, 460123456789, 5), 0, "4601234567893"},
		{"EAN-13 leading zero", 0xC2, shtrih.PutUint(nil, 12345678901, 5), 0, "0123456789012"},
		{"EAN-13 too big", 0xC2, shtrih.PutUint(nil, 1_000_000_000_000, 5), 0x33, ""},
		{"printer EAN-13", 0xCB, cat([]byte{50, 2, 2, 0, 2}, []byte("460123456789")), 0, "4601234567893"},
		{"printer CODE128", 0xCB, cat([]byte{50, 2, 2, 0, 8}, []byte("PAYDESK-1")), 0, "PAYDESK-1"},
		{"printer type 9", 0xCB, cat([]byte{50, 2, 2, 0, 9}, []byte("1")), 0x33, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := memEmu(t, emulator.NewState(t0), t0)
			code, data := exec(t, e, tt.cmd, pw(1), tt.args)
			require.Equal(t, tt.code, code)
			if code != 0 {
				return
			}
			assert.Equal(t, []byte{1}, data)
			tape := e.Tape()
			assert.Equal(t, tt.hri, strings.TrimSpace(tape[len(tape)-1]))
		})
	}
	e := memEmu(t, emulator.NewState(t0), t0)
	e.SetPaper(false)
	code, _ := exec(t, e, 0xC2, pw(1), shtrih.PutUint(nil, 1, 5))
	assert.Equal(t, fiscal.CodeNoPaper, code)
}

func TestXReportSeniorCashier(t *testing.T) {
	tests := []struct {
		noSenior bool
		op       uint32
		code     fiscal.Code
		bit33    bool
	}{
		{false, 28, 0, true}, {false, 27, 0x4F, true}, {true, 28, 0x4F, false}, {true, 29, 0, false}, {true, 30, 0, false},
	}
	for _, tt := range tests {
		st := emulator.NewState(t0)
		e, err := emulator.New(emulator.Config{Initial: &st, Now: func() time.Time { return t0 }, NoSeniorCashierReports: tt.noSenior})
		require.NoError(t, err)
		code, _ := exec(t, e, shtrih.CmdXReport, pw(tt.op))
		assert.Equal(t, tt.code, code, "operator %d, no senior %t", tt.op, tt.noSenior)
		_, data := exec(t, e, shtrih.CmdModelParams, []byte{1})
		require.Len(t, data, 33)
		assert.Equal(t, tt.bit33, shtrih.Uint(data[:8])&(1<<33) != 0)
		e.Close()
	}
}

func TestShortTexts(t *testing.T) {
	st := emulator.NewState(t0)
	st.ShiftOpen, st.ShiftNumber, st.ShiftOpened = true, 1, t0
	e := memEmu(t, st, t0)
	for _, c := range []shtrih.Cmd{shtrih.CmdPrintLine, shtrih.CmdPrintBold} {
		code, _ := exec(t, e, c, pw(1), []byte{2}, shtrih.PutText(nil, "КОРОТКО", 0))
		require.Zero(t, code)
	}
	code, _ := exec(t, e, shtrih.CmdPrintFont, pw(1), []byte{2, 1}, shtrih.PutText(nil, "ШРИФТ", 0))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdSale, pw(1), shtrih.PutUint(nil, 1000, 5), shtrih.PutMoney(nil, 5000), []byte{1, 0, 0, 0, 0}, shtrih.PutText(nil, "Чай", 0))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdCloseLegacy, pw(1), shtrih.PutMoney(nil, 5000), make([]byte, 15), []byte{0, 0, 0, 0, 0, 0})
	require.Zero(t, code, "no text at all")
	assert.Contains(t, e.Tape(), "Чай")
	assert.Contains(t, e.Tape(), "КОРОТКО")
}
