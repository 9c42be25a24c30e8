package atol_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/atol"
	"paydesk/fiscal/atol/emulator"
)

// rig is a driver connected to an emulator over a real pty or TCP.
type rig struct {
	emu *emulator.Emulator
	reg fiscal.Register
}

func newRig(t testing.TB, transport string) *rig {
	t.Helper()
	emu := emulator.New(emulator.Config{})
	t.Cleanup(func() { emu.Close() })
	var port string
	switch transport {
	case "tcp":
		addr, err := emu.ListenTCP("127.0.0.1:0")
		require.NoError(t, err)
		port = "tcp://" + addr.(*net.TCPAddr).String()
	case "pty":
		p, err := emu.ListenPTY(filepath.Join(t.TempDir(), "ttyATOL"))
		require.NoError(t, err)
		port = p.Link
	}
	reg, err := fiscal.Open(atol.DriverName, fiscal.Config{Port: port, ByteTimeout: 100 * time.Millisecond, MaxAnswerTimeout: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { reg.Close() })
	return &rig{emu: emu, reg: reg}
}

func sale() fiscal.Receipt {
	return fiscal.Receipt{
		Lines:     []fiscal.Line{{Name: "Оплата услуг связи", Price: 10000, Quantity: 1_000_000, Tax: fiscal.NoVAT, Subject: fiscal.SubjectService}},
		Payments:  fiscal.Payments{Cash: 15000},
		TaxSystem: fiscal.OSN,
	}
}

func kindOf(err error) fiscal.Kind {
	var fe *fiscal.Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return -1
}

func TestShiftAndReceipt(t *testing.T) {
	for _, tr := range []string{"tcp", "pty"} {
		t.Run(tr, func(t *testing.T) {
			r := newRig(t, tr)
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{Name: "Кассир Иванова"}))
			st, err := r.reg.Status(ctx)
			require.NoError(t, err)
			assert.True(t, st.ShiftOpen)
			assert.Equal(t, 1, st.ShiftNumber)
			assert.Equal(t, uint32(1), st.LastFD)
			assert.True(t, st.Paper)

			_, err = r.reg.CashIn(ctx, fiscal.Cashier{}, 5000)
			require.NoError(t, err)
			res, err := r.reg.Fiscalize(ctx, sale())
			require.NoError(t, err)
			assert.Equal(t, uint32(2), res.FD)
			assert.Equal(t, int64(5000), res.Change)
			assert.Equal(t, 1, res.Shift)
			assert.False(t, res.Recovered)

			doc, err := r.reg.LastDocument(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint32(2), doc.FD)
			assert.Equal(t, fiscal.DocReceipt, doc.Type)
			assert.Equal(t, fiscal.Sale, doc.Kind)
			assert.Equal(t, int64(10000), doc.Sum)
			assert.Equal(t, res.FP, doc.FP)
			assert.Equal(t, emulator.FP(2), doc.FP, "1077's last four bytes, most significant first")
			assert.WithinDuration(t, time.Now(), doc.Time, 2*time.Minute)

			require.NoError(t, r.reg.PrintText(ctx, []string{"Спасибо!"}))
			require.NoError(t, r.reg.Cut(ctx, true))
			require.NoError(t, r.reg.XReport(ctx))
			require.NoError(t, r.reg.ZReport(ctx, fiscal.Cashier{}))
			doc, err = r.reg.LastDocument(ctx)
			require.NoError(t, err)
			assert.Equal(t, fiscal.Document{FD: 3, Type: fiscal.DocShiftClose, Time: doc.Time, FP: emulator.FP(3), Shift: 1}, doc)

			es := r.emu.State()
			assert.False(t, es.ShiftOpen)
			assert.Equal(t, int64(15000), es.Cash)
			require.Len(t, es.Docs, 3)
			assert.Equal(t, emulator.DocShiftClose, es.Docs[2].Type)
			assert.Contains(t, r.emu.Tape(), "Оплата услуг связи 1.000 x 100.00 = 100.00")
			assert.Contains(t, r.emu.Tape(), "Спасибо!")
			assert.Equal(t, 1, r.emu.Executed(emulator.CmdClose))
		})
	}
}

// tagWrites is the E8h commands receipt r takes under FFD 1.2: one a tag
// (none of its tags is longer than a block).
func tagWrites(r fiscal.Receipt) int {
	n := len(atol.ReceiptTags(fiscal.FFD12, r))
	for _, l := range r.Lines {
		n += len(atol.LineTags(fiscal.FFD12, r, l))
	}
	return n
}

// TestFaults checks that no fault makes the driver send the close twice
// and that each ends as the register's journal says.
func TestFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     emulator.Fault
		cmd       byte
		wantErr   error
		kind      fiscal.Kind
		recovered bool
		docs      int // documents after the shift-open report
		closes    int // closes the register ran
	}{
		{"lost answer", emulator.FaultLoseAnswer, emulator.CmdClose, nil, 0, false, 1, 1},
		{"garbled answer", emulator.FaultGarble, emulator.CmdClose, nil, 0, false, 1, 1},
		{"lost ACK", emulator.FaultLoseAck, 0, nil, 0, false, 1, 1},
		{"power cut after close", emulator.FaultPowerLossAfter, emulator.CmdClose, nil, 0, true, 1, 1},
		{"power cut before close", emulator.FaultPowerLossBefore, emulator.CmdClose, fiscal.ErrNoLink, fiscal.KindLink, false, 0, 0},
		{"paper out in receipt", emulator.FaultPaperOutInReceipt, 0, nil, fiscal.KindOperator, false, 0, 1},
		{"lost answer to a tag", emulator.FaultLoseAnswer, emulator.CmdWriteTag, nil, 0, false, 1, 1},
		{"garbled answer to a tag", emulator.FaultGarble, emulator.CmdWriteTag, nil, 0, false, 1, 1},
		{"power cut after a tag", emulator.FaultPowerLossAfter, emulator.CmdWriteTag, fiscal.ErrOutcomeUnknown, fiscal.KindLink, false, 0, 0},
		{"power cut before a tag", emulator.FaultPowerLossBefore, emulator.CmdWriteTag, fiscal.ErrOutcomeUnknown, fiscal.KindLink, false, 0, 0},
	}
	for _, tr := range []string{"tcp", "pty"} {
		for _, tt := range tests {
			t.Run(tr+"/"+tt.name, func(t *testing.T) {
				r := newRig(t, tr)
				ctx := context.Background()
				require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
				r.emu.Arm(tt.fault, tt.cmd)
				// The agent's receipt: a tag written twice would be refused
				// (E7h), so every tag of it went out once.
				res, err := r.reg.Fiscalize(ctx, agentSale())
				es := r.emu.State()
				assert.Len(t, es.Docs, 1+tt.docs)
				assert.Equal(t, tt.closes, r.emu.Executed(emulator.CmdClose), "closes run")
				assert.LessOrEqual(t, r.emu.Executed(emulator.CmdWriteTag), tagWrites(agentSale()), "each E8h once: one a tag")
				if tt.kind != 0 || tt.wantErr != nil {
					require.Error(t, err)
					assert.Equal(t, tt.kind, kindOf(err), "%v", err)
					if tt.wantErr != nil {
						assert.ErrorIs(t, err, tt.wantErr)
					}
					// The receipt is left open; cancelling it frees the register.
					require.NotNil(t, es.Receipt)
					r.emu.SetPaper(true)
					require.NoError(t, r.reg.Continue(ctx))
					require.NoError(t, r.reg.CancelReceipt(ctx))
					assert.Nil(t, r.emu.State().Receipt)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tagWrites(agentSale()), r.emu.Executed(emulator.CmdWriteTag))
				assert.Equal(t, tt.recovered, res.Recovered)
				assert.Equal(t, uint32(2), res.FD)
				assert.Nil(t, es.Receipt)
				// The link is usable afterwards.
				_, err = r.reg.Status(ctx)
				require.NoError(t, err)
			})
		}
	}
}

func TestPaperOutError(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
	r.emu.Arm(emulator.FaultPaperOutInReceipt, 0)
	_, err := r.reg.Fiscalize(ctx, sale())
	var fe *fiscal.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, atol.CodeNoPaper, fe.Code)
	assert.Equal(t, uint16(emulator.CmdClose), fe.Cmd)
	assert.Contains(t, fe.Msg().In("ru"), "Нет бумаги")
	assert.Contains(t, fe.Msg().In("en"), "no paper")
	err = r.reg.Continue(ctx)
	require.ErrorAs(t, err, &fe, "still no paper")
	assert.Equal(t, atol.CodeNoPaper, fe.Code, "45h's flag 01h, not its mode byte (1: registration), says it")
	r.emu.SetPaper(true)
	assert.NoError(t, r.reg.Continue(ctx), "45h answers 55h, the mode, the flags: a mode is no error")
}

func TestDeviceAndInputErrors(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	_, err := r.reg.CashIn(ctx, fiscal.Cashier{}, 100)
	assert.Equal(t, fiscal.KindProgram, kindOf(err), "cash in without a shift: %v", err) // 66h
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
	err = r.reg.OpenShift(ctx, fiscal.Cashier{})
	var fe *fiscal.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, fiscal.Code(0x9C), fe.Code)

	_, err = r.reg.CashOut(ctx, fiscal.Cashier{}, 100)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, atol.CodeNoCash, fe.Code)

	before := r.emu.Executed(emulator.CmdCashIn)
	_, err = r.reg.CashIn(ctx, fiscal.Cashier{}, -5)
	assert.Equal(t, fiscal.KindProgram, kindOf(err))
	bad := sale()
	bad.Payments.Cash = 100
	_, err = r.reg.Fiscalize(ctx, bad)
	assert.Equal(t, fiscal.KindProgram, kindOf(err))
	corr := sale()
	corr.Correction = &fiscal.Correction{Date: time.Now()}
	require.Equal(t, "ok", r.emu.Control("ffd 1.05"))
	_, err = r.reg.Fiscalize(ctx, corr)
	assert.True(t, fiscal.Unsupported(err), "FFD 1.05 corrections: %v", err)
	assert.Equal(t, fiscal.KindProgram, kindOf(err))
	assert.Equal(t, before, r.emu.Executed(emulator.CmdCashIn))
	assert.Equal(t, 0, r.emu.Executed(emulator.CmdOpenReceipt), "bad input sends nothing")
}

func TestNoRegister(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(3 * time.Second)
		}
	}()
	reg, err := fiscal.Open(atol.DriverName, fiscal.Config{Port: "tcp://" + ln.Addr().String(), ByteTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	defer reg.Close()
	_, err = reg.Status(context.Background())
	assert.ErrorIs(t, err, fiscal.ErrNoLink)
	assert.Equal(t, fiscal.KindLink, kindOf(err))
}

// TestCashLostAnswer: a cash in whose task the register lost with the
// power is settled from the drawer, and never sent again.
func TestCashLostAnswer(t *testing.T) {
	tests := []struct {
		name  string
		fault emulator.Fault
		cash  int64
		err   error
	}{
		{"power cut after", emulator.FaultPowerLossAfter, 5000, nil},
		{"power cut before", emulator.FaultPowerLossBefore, 0, fiscal.ErrNoLink},
		{"lost answer", emulator.FaultLoseAnswer, 5000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			r.emu.Arm(tt.fault, emulator.CmdCashIn)
			_, err := r.reg.CashIn(ctx, fiscal.Cashier{}, 5000)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				assert.Equal(t, fiscal.KindLink, kindOf(err))
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.cash, r.emu.State().Cash)
			assert.LessOrEqual(t, r.emu.Executed(emulator.CmdCashIn), 1)
		})
	}
}
