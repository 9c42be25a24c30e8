package emulator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// memEmu is an emulator in memory at a fixed clock, with state st.
func memEmu(t *testing.T, st emulator.State, now time.Time) *emulator.Emulator {
	t.Helper()
	e, err := emulator.New(emulator.Config{Initial: &st, Now: func() time.Time { return now }})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func ctl(t *testing.T, e *emulator.Emulator, line string) {
	t.Helper()
	require.Contains(t, e.Control(line), "ok", line)
}

func TestFNReadings(t *testing.T) {
	e := memEmu(t, emulator.NewState(t0), t0)
	code, data := exec(t, e, shtrih.CmdFNExpiry, pw(30))
	require.Zero(t, code)
	assert.Equal(t, []byte{28, 2, 26, 11, 1}, data, "YYMMDD, left, done")

	code, data = exec(t, e, shtrih.CmdFNRegistration, pw(30))
	require.Zero(t, code)
	reg, err := shtrih.ParseRegistration(data, time.UTC)
	require.NoError(t, err)
	assert.Equal(t, "7700000000", reg.INN)
	assert.Equal(t, "0000000001009224", reg.RNM)
	assert.Equal(t, fiscal.OSN|fiscal.USNIncome, reg.TaxSystems)
	assert.False(t, reg.Auto)
	assert.Len(t, data, 47)
	assert.Equal(t, uint32(1), uint32(shtrih.Uint(data[39:43])), "FD of the report")

	tests := []struct {
		name string
		spec string
		tag  uint16
		want []byte // value; nil: 08h
	}{
		{"INN", "", 1018, []byte("7700000000  ")},
		{"FFD", "", 1209, []byte{4}},
		{"agent", "", 1057, []byte{0x0C}},
		{"tax systems", "tax=usn", 1062, []byte{0x02}},
		{"auto", "auto=true", 1001, []byte{1}},
		{"not an agent", "agent=none", 1057, nil},
		{"unknown tag", "", 1008, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := emulator.NewState(t0)
			require.NoError(t, emulator.ApplyRegistration(&st, tt.spec))
			e := memEmu(t, st, t0)
			code, data := exec(t, e, shtrih.CmdFNRegTag, pw(30), []byte{1}, shtrih.PutUint(nil, uint64(tt.tag), 2))
			if tt.want == nil {
				assert.Equal(t, fiscal.Code(0x08), code)
				return
			}
			require.Zero(t, code)
			assert.Equal(t, fiscal.Tag{Num: tt.tag, Value: tt.want}.Encode(), data)
		})
	}
	code, _ = exec(t, e, shtrih.CmdFNRegTag, pw(30), []byte{2}, shtrih.PutUint(nil, 1018, 2))
	assert.Equal(t, fiscal.Code(0x08), code, "no second registration")
}

func TestFNAgeing(t *testing.T) {
	tests := []struct {
		name     string
		controls []string
		warn     byte
		refuse   fiscal.Code
		unsent   int
		left     int // documents FF63 says the archive still holds
	}{
		{"fresh", nil, 0, 0, 0, -1},
		{"30 days left", []string{"fn-expire 30"}, 0x02, 0, 0, -1},
		{"3 days left", []string{"fn-expire 3"}, 0x03, 0, 0, -1},
		{"expired", []string{"fn-expire -1"}, 0x03, 0x12, 0, -1},
		{"memory 90 %", []string{"fn-memory 90"}, 0x04, 0, 0, 25_000},
		{"memory full", []string{"fn-memory full"}, 0x04, 0x12, 0, 0},
		{"memory freed", []string{"fn-memory full", "fn-memory ok"}, 0, 0, 0, 250_000 - 1},
		{"critical", []string{"fn-critical on"}, 0x80, 0x03, 0, -1},
		{"OFD 1 day", []string{"ofd-backlog 1 1d"}, 0, 0, 1, -1},
		{"OFD 6 days", []string{"ofd-backlog 1 144h"}, 0x08, 0, 1, -1},
		{"OFD 31 days", []string{"ofd-backlog 1 31d"}, 0x08, 0x14, 1, -1},
		{"OFD sent", []string{"ofd-backlog 1 31d", "ofd-send"}, 0, 0, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := memEmu(t, emulator.NewState(t0), t0)
			for _, c := range tt.controls {
				ctl(t, e, c)
			}
			code, data := exec(t, e, shtrih.CmdFNStatus, pw(30))
			require.Zero(t, code)
			assert.Equal(t, tt.warn, data[4], "warnings")
			_, data = exec(t, e, shtrih.CmdOFDUnsent, pw(30))
			assert.Equal(t, tt.unsent, int(shtrih.Uint(data)))
			_, data = exec(t, e, shtrih.CmdOFDStatus, pw(30))
			var d fiscal.Drive
			require.NoError(t, shtrih.ParseOFDStatus(data, &d, time.UTC))
			assert.Equal(t, tt.unsent, d.Unsent)
			code, data = exec(t, e, shtrih.CmdFNResource, pw(30))
			require.Zero(t, code)
			require.NoError(t, shtrih.ParseResource(data, &d))
			assert.True(t, d.DocsKnown)
			if tt.left >= 0 {
				assert.Equal(t, tt.left, d.DocsLeft)
			}
			assert.Equal(t, tt.left == 0, d.Blocked(t0) == fiscal.DriveFull)
			for _, c := range []shtrih.Cmd{shtrih.CmdOpenShift, shtrih.CmdFNOpenShift} {
				code, _ = exec(t, e, c, pw(30))
				assert.Equal(t, tt.refuse, code, "%s", c)
				if code == 0 {
					break // the shift is open
				}
			}
		})
	}
}

func TestOFDQueue(t *testing.T) {
	e := memEmu(t, emulator.NewState(t0), t0)
	ctl(t, e, "ofd-backlog 0 0s")
	code, data := exec(t, e, shtrih.CmdFNOpenShift, pw(30))
	require.Zero(t, code)
	fd := uint32(shtrih.Uint(data[2:6]))
	_, data = exec(t, e, shtrih.CmdOFDStatus, pw(30))
	var d fiscal.Drive
	require.NoError(t, shtrih.ParseOFDStatus(data, &d, time.UTC))
	assert.Equal(t, fiscal.Drive{Unsent: 1, FirstUnsent: fd, OldestUnsent: t0}, d)
	assert.Equal(t, byte(0x02), data[0], "a message to send, no connection")
	assert.Contains(t, e.Control("status"), "ofd_unsent=1")
	assert.Contains(t, e.Control("ofd-backlog 5 1d"), "error", "more than were made")
	assert.Contains(t, e.Control("fn-memory half"), "error")
	assert.Contains(t, e.Control("ffd 1.1"), "error")
}

// receiptSteps is a receipt of one line: FF46, then the line's tags (FF4D)
// and the receipt's (FF0C), then FF45 with taxSystem.
func receiptCode(t *testing.T, e *emulator.Emulator, lineTags, receiptTags []fiscal.Tag, taxSystem fiscal.TaxSystem) fiscal.Code {
	t.Helper()
	line := fiscal.Line{Name: "Платёж", Price: 10000, Quantity: 1_000_000, Tax: fiscal.NoVAT, Method: 4, Subject: 1}
	code, _ := exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line))
	require.Zero(t, code)
	for _, tg := range lineTags {
		code, _ = exec(t, e, shtrih.CmdOperationTag, pw(30), tg.Encode())
		require.Zero(t, code)
	}
	for _, tg := range receiptTags {
		code, _ = exec(t, e, shtrih.CmdDocTag, pw(30), tg.Encode())
		require.Zero(t, code)
	}
	code, _ = exec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 10000}, TaxSystem: taxSystem}))
	return code
}

func TestReceiptRefusals(t *testing.T) {
	unit := fiscal.Byte(2108, 0)
	agentLine := []fiscal.Tag{unit, fiscal.Byte(1222, byte(fiscal.PaymentSubagent)), fiscal.FixedString(1226, "7701234567", 12)}
	tests := []struct {
		name    string
		ffd     string
		spec    string
		line    []fiscal.Tag
		receipt []fiscal.Tag
		tax     fiscal.TaxSystem
		want    fiscal.Code
	}{
		{"1.2 with 2108", "1.2", "", []fiscal.Tag{unit}, nil, fiscal.OSN, 0},
		{"1.2 without 2108", "1.2", "", nil, nil, fiscal.OSN, 0xA4},
		{"1.05 without 2108", "1.05", "", nil, nil, fiscal.OSN, 0},
		{"1.05 ignores 2108", "1.05", "", []fiscal.Tag{unit}, nil, fiscal.OSN, 0},
		{"agent line", "1.2", "", agentLine, nil, fiscal.USNIncome, 0},
		{"agent line without 1226", "1.2", "", agentLine[:2], nil, fiscal.USNIncome, 0xA4},
		{"agent line, not registered", "1.2", "agent=none", agentLine, nil, fiscal.USNIncome, 0x09},
		{"subagent line, agent only", "1.05", "agent=agent", agentLine, nil, fiscal.USNIncome, 0x09},
		{"1057, not registered", "1.05", "agent=none", nil, []fiscal.Tag{fiscal.Byte(1057, 0x04)}, fiscal.OSN, 0x09},
		{"tax system not registered", "1.2", "tax=usn", []fiscal.Tag{unit}, nil, fiscal.OSN, 0x09},
		{"tax system registered", "1.2", "tax=usn", []fiscal.Tag{unit}, nil, fiscal.USNIncome, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := emulator.NewState(t0)
			st.ShiftOpen, st.ShiftNumber, st.ShiftOpened = true, 1, t0
			require.NoError(t, emulator.ApplyRegistration(&st, tt.spec))
			e := memEmu(t, st, t0)
			ctl(t, e, "ffd "+tt.ffd)
			assert.Equal(t, tt.want, receiptCode(t, e, tt.line, tt.receipt, tt.tax))
		})
	}
}

func TestFiscalDocumentsRefusedWhenExpired(t *testing.T) {
	st := emulator.NewState(t0)
	st.ShiftOpen, st.ShiftNumber, st.ShiftOpened = true, 1, t0
	e := memEmu(t, st, t0)
	ctl(t, e, "fn-expire -1")
	line := fiscal.Line{Name: "x", Price: 100, Quantity: 1_000_000, Tax: fiscal.NoVAT}
	for _, c := range []struct {
		cmd  shtrih.Cmd
		args []byte
	}{
		{shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line)},
		{shtrih.CmdOpenReceipt, append(pw(30), 0)},
		{shtrih.CmdZReport, pw(30)},
		{shtrih.CmdFNCloseShift, pw(30)},
	} {
		code, _ := exec(t, e, c.cmd, c.args)
		assert.Equal(t, fiscal.Code(0x12), code, "%s", c.cmd)
	}
}

func TestApplyRegistration(t *testing.T) {
	tests := []struct {
		spec string
		err  string
		want emulator.Registration
	}{
		{spec: "agent=subagent,tax=usn+osn,auto=true", want: emulator.Registration{TaxSystems: 3, Agent: 8, Auto: true}},
		{spec: "agent=none,tax=psn", want: emulator.Registration{TaxSystems: fiscal.PSN}},
		{spec: "inn=12", err: `"12"`},
		{spec: "tax=usn6", err: `"usn6"`},
		{spec: "agent=bank", err: `"bank"`},
		{spec: "auto=maybe", err: `"maybe"`},
		{spec: "colour=red", err: `"colour"`},
		{spec: "inn", err: `"inn"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			st := emulator.NewState(t0)
			err := emulator.ApplyRegistration(&st, tt.spec)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.Equal(t, emulator.NewState(t0).Reg, st.Reg, "unchanged")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, emulator.Registration{TaxSystems: st.Reg.TaxSystems, Agent: st.Reg.Agent, Auto: st.Reg.Auto})
		})
	}
}
