package shtrih_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

func tapeText(h *harness) string { return strings.Join(h.emu.Tape(), "\n") }

// TestCommands runs every Register method against the emulator over a real
// pty and over TCP.
func TestCommands(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			h := newHarness(t, tr)
			c := ctx(t)
			st, err := h.dev.Status(c)
			require.NoError(t, err)
			assert.Equal(t, fiscal.ModeShiftClosed, st.Mode)
			assert.False(t, st.ShiftOpen)
			assert.True(t, st.Paper)
			assert.Equal(t, 48, st.LineWidth)
			assert.Equal(t, emulator.ModelName, st.Model)

			require.NoError(t, h.dev.OpenShift(c, cashier))
			st, err = h.dev.Status(c)
			require.NoError(t, err)
			assert.Equal(t, fiscal.ModeShiftOpen, st.Mode)
			assert.True(t, st.ShiftOpen)
			assert.Equal(t, 1, st.ShiftNumber)
			assert.True(t, st.Ready())
			assert.Equal(t, h.clock.Now(), st.ShiftOpened)

			require.NoError(t, h.dev.XReport(c))
			doc, err := h.dev.CashIn(c, fiscal.Cashier{}, 100000)
			require.NoError(t, err)
			assert.Positive(t, doc)
			doc2, err := h.dev.CashOut(c, fiscal.Cashier{}, 30000)
			require.NoError(t, err)
			assert.Equal(t, doc+1, doc2)
			_, err = h.dev.CashOut(c, fiscal.Cashier{}, 1_000_000)
			require.Error(t, err)
			assert.Equal(t, fiscal.CodeNoCash, fiscal.CodeOf(err))
			assert.Equal(t, fiscal.KindOperator, fiscal.KindOf(err))
			assert.Contains(t, err.Error(), "shtrih: cash out: ")
			assert.Contains(t, err.Error(), "46h")

			res, err := h.dev.Fiscalize(c, agentReceipt())
			require.NoError(t, err)
			assert.Equal(t, 1, res.ReceiptNumber)
			assert.Equal(t, 1, res.Shift)
			assert.False(t, res.Recovered)
			last, err := h.dev.LastDocument(c)
			require.NoError(t, err)
			assert.Equal(t, fiscal.Document{FD: res.FD, FP: res.FP, Type: fiscal.DocReceipt, Time: res.Time, Kind: fiscal.Sale, Sum: 51000}, last)
			st, err = h.dev.Status(c)
			require.NoError(t, err)
			assert.Equal(t, h.clock.Now(), st.ShiftOpened, "found behind the receipt")
			assert.Equal(t, 1, st.ReceiptNumber)

			require.NoError(t, h.dev.PrintText(c, []string{"ОПЛАТА УСЛУГ СВЯЗИ: МТС", "Номер транзакции: 1000010856877", strings.Repeat("x", 50)}))
			require.NoError(t, h.dev.Cut(c, false))
			require.NoError(t, h.dev.Continue(c))

			// A receipt opened by someone else and left open is cancelled.
			h.emu.Exec(append([]byte{0x8D, 1, 0, 0, 0}, 0))
			require.Equal(t, 8, int(h.emu.State().Receipt.Type)+8)
			require.NoError(t, h.dev.CancelReceipt(c))
			assert.Nil(t, h.emu.State().Receipt)
			err = h.dev.CancelReceipt(c)
			assert.Equal(t, fiscal.CodeReceiptClosed, fiscal.CodeOf(err))

			require.NoError(t, h.dev.ZReport(c, fiscal.Cashier{}))
			st, err = h.dev.Status(c)
			require.NoError(t, err)
			assert.False(t, st.ShiftOpen)
			assert.Equal(t, fiscal.ModeShiftClosed, st.Mode)

			tape := tapeText(h)
			for _, want := range []string{"ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ", "ОТЧЕТ БЕЗ ГАШЕНИЯ", "ВНЕСЕНИЕ", "ВЫПЛАТА",
				"КАССОВЫЙ ЧЕК", "ПЛ. СУБАГЕНТ", "ИНН ПОСТАВЩИКА                        7740000076",
				"ОПЛАТА УСЛУГ СВЯЗИ: МТС", "ЧЕК АННУЛИРОВАН", "ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ", "✂"} {
				assert.Contains(t, tape, want)
			}
			for _, cmd := range []shtrih.Cmd{shtrih.CmdOpenShift, shtrih.CmdXReport, shtrih.CmdZReport, shtrih.CmdCloseReceipt} {
				assert.Equal(t, 1, h.emu.Executed(cmd), "%s executed", cmd)
			}
			assert.Equal(t, 2, h.emu.Executed(shtrih.CmdOperation))
		})
	}
}

// TestAgentReceiptTags checks the tags of receipt-54fz.md reach the fiscal
// drive in the form of the register's FFD version: under 1.05 the agent's
// data at receipt level, under 1.2 on the agent line with 2108.
func TestAgentReceiptTags(t *testing.T) {
	h := newHarness(t, "tcp")
	require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
	in, err := h.dev.Info(ctx(t))
	require.NoError(t, err)
	res, err := h.dev.Fiscalize(ctx(t), agentReceipt())
	require.NoError(t, err)
	st := h.emu.State()
	doc := st.Docs[len(st.Docs)-1]
	require.Equal(t, res.FD, doc.FD)
	want := map[uint16]string{1021: "Иванова А.А.", 1203: "500100732259"}
	if in.FFD < fiscal.FFD12 {
		want[1057], want[1073], want[1074], want[1171] = "\x08", "+74950000001", "+74950000002", "+78000000003"
	}
	for num, v := range want {
		tag, ok := fiscal.Find(doc.Tags, num)
		require.True(t, ok, "tag %d", num)
		assert.Equal(t, v, tag.Text(), "tag %d", num)
	}
	require.Len(t, doc.Lines, 2)
	pay := doc.Lines[0]
	assert.Equal(t, byte(0x08), pay.TaxBits)
	assert.Equal(t, 10, pay.Subject)
	assert.Equal(t, 4, pay.Method)
	tag, ok := fiscal.Find(pay.Tags, 1222)
	require.True(t, ok)
	assert.Equal(t, []byte{0x08}, tag.Value)
	tag, ok = fiscal.Find(pay.Tags, 1226)
	require.True(t, ok)
	assert.Equal(t, "7740000076  ", tag.Text())
	tag, ok = fiscal.Find(pay.Tags, 1224)
	require.True(t, ok)
	sub, err := tag.Children()
	require.NoError(t, err)
	name, _ := fiscal.Find(sub, 1225)
	assert.Equal(t, `ПАО "МТС"`, name.Text())
	fee := doc.Lines[1]
	assert.Equal(t, 11, fee.Subject)
	if in.FFD < fiscal.FFD12 {
		assert.Empty(t, fee.Tags)
		return
	}
	_, ok = fiscal.Find(pay.Tags, 1223)
	assert.True(t, ok, "agent data on the line")
	assert.Equal(t, []fiscal.Tag{fiscal.Byte(2108, 0)}, fee.Tags)
}

func TestValidation(t *testing.T) {
	h := newHarness(t, "tcp")
	require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
	bad := []func(r *fiscal.Receipt){
		func(r *fiscal.Receipt) { r.Lines = nil },
		func(r *fiscal.Receipt) { r.Payments.Cash = 100 },
		func(r *fiscal.Receipt) { r.Lines[0].Quantity = 0 },
		func(r *fiscal.Receipt) { r.Lines[0].Tax = 13 },
		func(r *fiscal.Receipt) { r.TaxSystem = 0 },
		func(r *fiscal.Receipt) { r.TaxSystem = fiscal.OSN | fiscal.USNIncome },
		func(r *fiscal.Receipt) { r.Lines[0].Name = strings.Repeat("я", 129) },
		func(r *fiscal.Receipt) { r.Tags = []fiscal.Tag{fiscal.String(1192, strings.Repeat("x", 300))} },
	}
	for i, f := range bad {
		r := agentReceipt()
		f(&r)
		_, err := h.dev.Fiscalize(ctx(t), r)
		require.Error(t, err, "case %d", i)
		assert.Equal(t, fiscal.KindProgram, fiscal.KindOf(err), "case %d", i)
	}
	assert.Zero(t, h.emu.Executed(shtrih.CmdOperation))
	// The device refuses an agent line without the supplier INN (A4h) and the
	// driver cancels the receipt.
	r := agentReceipt()
	r.Lines[0].Supplier.INN = ""
	_, err := h.dev.Fiscalize(ctx(t), r)
	assert.Equal(t, fiscal.CodeTagsMissing, fiscal.CodeOf(err))
	assert.Nil(t, h.emu.State().Receipt)
}

type faultCase struct {
	name  string
	setup func(h *harness)
	// check runs after the first Fiscalize; it returns whether a receipt was made.
	check func(t *testing.T, h *harness, res fiscal.Result, err error) bool
	opts  func(*emulator.Config, *shtrih.Options)
}

func okReceipt(t *testing.T, _ *harness, res fiscal.Result, err error) bool {
	require.NoError(t, err)
	assert.NotZero(t, res.FD)
	return true
}

func arm(f emulator.Fault, cmd shtrih.Cmd) func(h *harness) {
	return func(h *harness) { h.emu.Arm(f, cmd) }
}

var faultCases = []faultCase{
	{name: "nak command", setup: arm(emulator.FaultNAK, shtrih.CmdCloseReceipt), check: okReceipt},
	{name: "nak status", setup: arm(emulator.FaultNAK, shtrih.CmdShortStatus), check: okReceipt},
	{name: "garbled answer", setup: arm(emulator.FaultGarble, shtrih.CmdCloseReceipt), check: okReceipt},
	{name: "garbled line answer", setup: arm(emulator.FaultGarble, shtrih.CmdOperation), check: okReceipt},
	{name: "lost ack", setup: arm(emulator.FaultLoseACK, shtrih.CmdCloseReceipt), check: okReceipt},
	{name: "lost ack on tag", setup: arm(emulator.FaultLoseACK, shtrih.CmdOperationTag), check: okReceipt},
	{name: "slow answer", setup: arm(emulator.FaultSlow, shtrih.CmdCloseReceipt), check: okReceipt},
	{name: "power loss after close", setup: arm(emulator.FaultPowerLoss, shtrih.CmdCloseReceipt),
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			require.NoError(t, err)
			assert.True(t, res.Recovered)
			assert.NotZero(t, res.FP)
			return true
		}},
	{name: "power loss before close", setup: arm(emulator.FaultPowerLossBefore, shtrih.CmdCloseReceipt), check: okReceipt},
	{name: "power loss after line", setup: arm(emulator.FaultPowerLoss, shtrih.CmdOperation),
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			require.Error(t, err)
			assert.Equal(t, fiscal.KindLink, fiscal.KindOf(err))
			return false
		}},
	{name: "paper out in receipt", setup: arm(emulator.FaultPaperOutInReceipt, 0),
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			require.NoError(t, err)
			assert.True(t, res.PrintPending)
			assert.NotZero(t, res.FD)
			st, err := h.dev.Status(ctx(t))
			require.NoError(t, err)
			assert.Equal(t, fiscal.SubmodePaperOutPrint, st.Submode)
			h.emu.SetPaper(true)
			require.NoError(t, h.dev.Continue(ctx(t)))
			tape := tapeText(h)
			assert.Contains(t, tape, "ДОКУМЕНТ НЕДЕЙСТВИТЕЛЕН")
			assert.Contains(t, tape, "ПРОДОЛЖЕНИЕ ПЕЧАТИ")
			assert.Equal(t, 2, strings.Count(tape, "КАССОВЫЙ ЧЕК"), "receipt printed again after B0h")
			assert.Equal(t, 1, strings.Count(tape, "[QR t="), "the interrupted copy has no QR code")
			return true
		}},
	{name: "paper reloaded before the driver polls", setup: func(h *harness) {
		h.emu.Arm(emulator.FaultPaperOutInReceipt, 0)
	}, check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
		require.NoError(t, err)
		h.emu.SetPaper(true)
		// The next operation's readiness poll sends B0h by itself.
		require.NoError(t, h.dev.XReport(ctx(t)))
		assert.Equal(t, 1, h.emu.Executed(shtrih.CmdContinue))
		return true
	}},
	{name: "fn does not answer", setup: arm(emulator.FaultFNNoAnswer, shtrih.CmdCloseReceipt),
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			assert.Equal(t, fiscal.CodeFNNoAnswer, fiscal.CodeOf(err))
			assert.Equal(t, fiscal.KindAdmin, fiscal.KindOf(err))
			return false
		}},
	{name: "paper out", setup: func(h *harness) { h.emu.SetPaper(false) },
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			assert.Equal(t, fiscal.CodeNoPaper, fiscal.CodeOf(err))
			assert.Equal(t, fiscal.KindOperator, fiscal.KindOf(err))
			assert.Zero(t, h.emu.Executed(shtrih.CmdOperation))
			h.emu.SetPaper(true)
			return false
		}},
	{name: "cover open", setup: func(h *harness) { h.emu.SetCover(true) },
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			assert.ErrorIs(t, err, shtrih.ErrCoverOpen)
			assert.Equal(t, fiscal.KindOperator, fiscal.KindOf(err))
			h.emu.SetCover(false)
			return false
		}},
	{name: "device busy printing", setup: func(h *harness) { h.emu.Busy(time.Hour) },
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			assert.Equal(t, fiscal.CodeBusyPrinting, fiscal.CodeOf(err))
			h.emu.Busy(0)
			return false
		},
		opts: func(_ *emulator.Config, o *shtrih.Options) { o.ReadyTimeout = 100 * time.Millisecond }},
	{name: "device busy for a while", setup: func(h *harness) { h.emu.Busy(150 * time.Millisecond) },
		check: okReceipt,
		opts: func(_ *emulator.Config, o *shtrih.Options) {
			o.PollInterval = time.Millisecond
		}},
	{name: "shift over 24 hours", setup: func(h *harness) { h.clock.Add(25 * time.Hour) },
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			assert.Equal(t, fiscal.CodeShiftOver24h, fiscal.CodeOf(err))
			assert.Equal(t, fiscal.KindZReport, fiscal.KindOf(err))
			require.NoError(t, h.dev.ZReport(ctx(t), cashier))
			require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
			return false
		}},
	{name: "shift over 24 hours, auto shift", setup: func(h *harness) { h.clock.Add(25 * time.Hour) },
		check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
			require.NoError(t, err)
			assert.Equal(t, 2, res.Shift)
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdZReport))
			return true
		},
		opts: func(_ *emulator.Config, o *shtrih.Options) { o.AutoShift = true }},
	{name: "receipt left open", setup: func(h *harness) {
		r := agentReceipt()
		h.emu.Exec(append([]byte{0xFF, 0x46}, shtrih.OperationArgs(30, fiscal.Sale, r.Lines[1])...))
	}, check: func(t *testing.T, h *harness, res fiscal.Result, err error) bool {
		require.NoError(t, err)
		assert.Equal(t, 1, h.emu.Executed(shtrih.CmdCancel))
		assert.Equal(t, int64(51000), h.emu.State().Docs[len(h.emu.State().Docs)-1].Sum)
		return true
	}},
}

// TestFaults fiscalizes a receipt under every fault the emulator can inject,
// over a pty and over TCP: no fiscal command runs twice and no receipt stays open.
func TestFaults(t *testing.T) {
	for _, tr := range transports {
		for _, fc := range faultCases {
			t.Run(tr+"/"+fc.name, func(t *testing.T) {
				var mods []func(*emulator.Config, *shtrih.Options)
				if fc.opts != nil {
					mods = append(mods, fc.opts)
				}
				h := newHarness(t, tr, mods...)
				require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
				fdBefore := h.emu.State().LastFD
				fc.setup(h)
				res, err := h.dev.Fiscalize(ctx(t), agentReceipt())
				made := fc.check(t, h, res, err)
				receipts := 0
				if made {
					receipts = 1
				} else {
					res, err = h.dev.Fiscalize(ctx(t), agentReceipt())
					require.NoError(t, err, "a receipt after the fault")
					receipts = 1
				}
				st := h.emu.State()
				assert.Nil(t, st.Receipt, "no receipt left open")
				assert.Equal(t, res.FD, st.LastFD)
				n := 0
				for _, d := range st.Docs {
					if d.FD > fdBefore && d.Type == fiscal.DocReceipt {
						n++
					}
				}
				assert.Equal(t, receipts, n, "receipts in the fiscal drive")
				assert.Equal(t, 1+countRefused(fc.name), h.emu.Executed(shtrih.CmdCloseReceipt), "FF45 executed once (plus refusals)")
			})
		}
	}
}

// countRefused is the number of FF45 executions that the device refused
// (nothing registered) in a case.
func countRefused(name string) int {
	if name == "fn does not answer" {
		return 1
	}
	return 0
}

// TestCashFaults covers the state resolution of cash, shift and report commands.
func TestCashFaults(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			h := newHarness(t, tr)
			c := ctx(t)
			h.emu.Arm(emulator.FaultPowerLoss, shtrih.CmdOpenShift)
			require.NoError(t, h.dev.OpenShift(c, cashier))
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdOpenShift))
			h.emu.Arm(emulator.FaultPowerLoss, shtrih.CmdCashIn)
			doc, err := h.dev.CashIn(c, fiscal.Cashier{}, 12345)
			require.NoError(t, err)
			assert.Equal(t, h.emu.State().DocNumber, doc)
			h.emu.Arm(emulator.FaultLoseACK, shtrih.CmdCashOut)
			_, err = h.dev.CashOut(c, fiscal.Cashier{}, 345)
			require.NoError(t, err)
			h.emu.Arm(emulator.FaultPowerLossBefore, shtrih.CmdCashOut)
			_, err = h.dev.CashOut(c, fiscal.Cashier{}, 1000)
			require.Error(t, err)
			assert.Equal(t, fiscal.KindLink, fiscal.KindOf(err))
			assert.Equal(t, int64(12000), h.emu.State().Cash)
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdCashIn))
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdCashOut))
			h.emu.Arm(emulator.FaultPowerLoss, shtrih.CmdZReport)
			require.NoError(t, h.dev.ZReport(c, fiscal.Cashier{}))
			assert.Equal(t, 1, h.emu.Executed(shtrih.CmdZReport))
			assert.False(t, h.emu.State().ShiftOpen)
		})
	}
}

func TestNoLink(t *testing.T) {
	h := newHarness(t, "tcp", func(_ *emulator.Config, o *shtrih.Options) { o.ENQTries = 2; o.ByteTimeout = 30 * time.Millisecond })
	h.emu.Close()
	_, err := h.dev.Status(ctx(t))
	require.Error(t, err)
	assert.Equal(t, fiscal.KindLink, fiscal.KindOf(err))
}

// TestReturnReceipt: a refund opens the receipt with 8Dh type 2 and pays by card.
func TestReturnReceipt(t *testing.T) {
	h := newHarness(t, "pty")
	require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
	r := agentReceipt()
	r.Kind = fiscal.SaleReturn
	r.Payments = fiscal.Payments{Card: 51000}
	res, err := h.dev.Fiscalize(ctx(t), r)
	require.NoError(t, err)
	doc, err := h.dev.LastDocument(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, fiscal.SaleReturn, doc.Kind)
	assert.Equal(t, res.FD, doc.FD)
	assert.Equal(t, 1, h.emu.Executed(shtrih.CmdOpenReceipt))
	st := h.emu.State()
	assert.Equal(t, int64(-51000), st.Totals.Card)
	assert.Equal(t, 1, st.Totals.Count[fiscal.SaleReturn])
	tape := tapeText(h)
	assert.Contains(t, tape, "ВОЗВРАТ ПРИХОДА")
	assert.Contains(t, tape, "БЕЗНАЛИЧНЫМИ")
	// Change is given from cash.
	r = agentReceipt()
	r.Payments = fiscal.Payments{Cash: 60000}
	res, err = h.dev.Fiscalize(ctx(t), r)
	require.NoError(t, err)
	assert.Equal(t, int64(9000), res.Change)
	assert.Equal(t, int64(51000), h.emu.State().Cash)
}

// cancelOnWrite cancels a context once a frame carrying cmd has been written.
type cancelOnWrite struct {
	shtrih.Conn
	cmd    []byte
	cancel func()
}

func (c *cancelOnWrite) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if len(b) > 4 && b[0] == shtrih.STX && string(b[2:2+len(c.cmd)]) == string(c.cmd) {
		c.cancel()
	}
	return n, err
}

// TestCancelMidReceipt: a caller that gives up in the middle of a receipt
// leaves no receipt open.
func TestCancelMidReceipt(t *testing.T) {
	h := newHarness(t, "tcp")
	require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
	addr, err := h.emu.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	raw, err := shtrih.Dial("tcp://"+addr.String(), 0, time.Second)
	require.NoError(t, err)
	c, cancel := context.WithCancel(t.Context())
	dev := shtrih.New(&cancelOnWrite{Conn: raw, cmd: []byte{0xFF, 0x46}, cancel: cancel}, shtrih.Options{Location: time.UTC})
	defer dev.Close()
	_, err = dev.Fiscalize(c, agentReceipt())
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, h.emu.State().Receipt, "the open receipt was cancelled")
	assert.Equal(t, 1, h.emu.Executed(shtrih.CmdCancel))
	assert.Zero(t, h.emu.Executed(shtrih.CmdCloseReceipt))
}
