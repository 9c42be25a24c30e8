package atol_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/atol"
	"paydesk/fiscal/atol/emulator"
)

// agentSale is a payment agent's receipt as the till makes it: the payment
// with its agent and supplier data, the point's fee, the cashier, the
// buyer's contact and the SESSION.
func agentSale() fiscal.Receipt {
	return fiscal.Receipt{
		Lines: []fiscal.Line{
			{Name: "Платеж МТС", Price: 50000, Quantity: 1_000_000, Tax: fiscal.NoVAT, Subject: fiscal.SubjectPayment,
				Agent: fiscal.PaymentSubagent, Supplier: &fiscal.Supplier{Name: "ПАО МТС", INN: "7740000076", Phones: []string{"+78002500890"}}},
			{Name: "Вознаграждение", Price: 1500, Quantity: 1_000_000, Tax: fiscal.NoVAT, Subject: fiscal.SubjectAgentFee},
		},
		Payments:       fiscal.Payments{Cash: 60000},
		TaxSystem:      fiscal.USNIncome,
		Agent:          &fiscal.Agent{Sign: fiscal.PaymentSubagent, AgentPhones: []string{"+74950000001"}, OperatorPhones: []string{"+74950000002"}},
		SupplierPhones: []string{"+78002500890"},
		Cashier:        fiscal.Cashier{Name: "Кассир Иванова А.А.", INN: "500100732259"},
		Tags: []fiscal.Tag{fiscal.String(1008, "+79161234567"),
			fiscal.Struct(1084, fiscal.String(1085, "Сессия/транзакция"), fiscal.String(1086, "17031A1B2C/1234567"))},
	}
}

func emuTags(tags []emulator.Tag) []fiscal.Tag {
	out := make([]fiscal.Tag, len(tags))
	for i, t := range tags {
		out[i] = fiscal.Tag{Num: t.Num, Value: t.Value}
	}
	return out
}

func nums(tags []fiscal.Tag) []uint16 {
	out := make([]uint16, len(tags))
	for i, t := range tags {
		out[i] = t.Num
	}
	return out
}

func text(t *testing.T, tags []fiscal.Tag, num uint16) string {
	t.Helper()
	tg, ok := fiscal.Find(tags, num)
	require.True(t, ok, "tag %d in %v", num, nums(tags))
	return tg.Text()
}

// TestAgentReceiptTags: the receipt carries the agent's, supplier's,
// cashier's and buyer's tags in the form of the register's FFD version,
// as the register's journal shows and the fiscal drive reads back.
func TestAgentReceiptTags(t *testing.T) {
	tests := []struct {
		ffd       string
		transport string
		receipt   []uint16 // the receipt's own tags, in order
		payment   []uint16 // the payment line's tags
		fee       []uint16 // the fee line's tags
	}{
		{"1.05", "tcp", []uint16{1055, 1057, 1073, 1074, 1171, 1021, 1203, 1008, 1084},
			[]uint16{1212, 1214, 1222, 1224, 1226}, []uint16{1212, 1214}},
		{"1.2", "pty", []uint16{1055, 1021, 1203, 1008, 1084},
			[]uint16{1212, 1214, 1222, 1223, 1224, 1226, 2108}, []uint16{1212, 1214, 2108}},
	}
	for _, tt := range tests {
		t.Run(tt.ffd+"/"+tt.transport, func(t *testing.T) {
			r := newRig(t, tt.transport)
			ctx := context.Background()
			require.Equal(t, "ok", r.emu.Control("ffd "+tt.ffd))
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{Name: "Кассир Иванова А.А."}))
			res, err := r.reg.Fiscalize(ctx, agentSale())
			require.NoError(t, err)
			assert.Equal(t, int64(8500), res.Change)

			doc := r.emu.State().Docs[1]
			assert.Equal(t, int64(51500), doc.Sum)
			assert.Equal(t, int64(51500), doc.Cash, "paid in cash less the change")
			rt := emuTags(doc.Tags)
			assert.Equal(t, tt.receipt, nums(rt))
			require.Len(t, doc.Lines, 2)
			pay, fee := emuTags(doc.Lines[0].Tags), emuTags(doc.Lines[1].Tags)
			assert.Equal(t, tt.payment, nums(pay))
			assert.Equal(t, tt.fee, nums(fee))
			assert.Equal(t, byte(6), doc.Lines[0].Tax, "no VAT is EBh's tax type 6 (Shtrih's group 4)")

			assert.Equal(t, "Кассир Иванова А.А.", text(t, rt, 1021))
			assert.Equal(t, "500100732259", text(t, rt, 1203))
			assert.Equal(t, "+79161234567", text(t, rt, 1008))
			sign, _ := fiscal.Find(pay, 1222)
			assert.Equal(t, []byte{byte(fiscal.PaymentSubagent)}, sign.Value)
			sub, _ := fiscal.Find(pay, 1212)
			assert.Equal(t, []byte{10}, sub.Value)
			sup, _ := fiscal.Find(pay, 1224)
			kids, err := sup.Children()
			require.NoError(t, err)
			assert.Equal(t, "ПАО МТС", text(t, kids, 1225))
			assert.Equal(t, "+78002500890", text(t, kids, 1171))
			assert.Equal(t, "7740000076  ", text(t, pay, 1226))
			if tt.ffd == "1.2" {
				ad, _ := fiscal.Find(pay, 1223)
				kids, err := ad.Children()
				require.NoError(t, err)
				assert.Equal(t, "+74950000001", text(t, kids, 1073))
				assert.Equal(t, "+74950000002", text(t, kids, 1074))
			} else {
				assert.Equal(t, "+74950000001", text(t, rt, 1073))
				a, _ := fiscal.Find(rt, 1057)
				assert.Equal(t, []byte{byte(fiscal.PaymentSubagent)}, a.Value)
			}
			assert.Contains(t, r.emu.Tape(), "КАССИР Кассир Иванова А.А.")

			// The fiscal drive hands the same document back.
			back, err := r.reg.DocumentTags(ctx, res.FD)
			require.NoError(t, err)
			fd, _ := fiscal.Find(back, 1040)
			v, _ := fd.Uint()
			assert.Equal(t, uint64(res.FD), v)
			s84, _ := fiscal.Find(back, 1084)
			kids, err = s84.Children()
			require.NoError(t, err)
			assert.Equal(t, "17031A1B2C/1234567", text(t, kids, 1086))
			var lines [][]fiscal.Tag
			for _, tg := range back {
				if tg.Num == 1059 {
					k, err := tg.Children()
					require.NoError(t, err)
					lines = append(lines, k)
				}
			}
			require.Len(t, lines, 2)
			assert.Equal(t, "Платеж МТС", text(t, lines[0], 1030))
			assert.Subset(t, nums(lines[0]), tt.payment)
			sum, _ := fiscal.Find(back, 1020)
			v, _ = sum.Uint()
			assert.Equal(t, uint64(51500), v)

			// A return carries the same tags, and is read back as one.
			ret := agentSale()
			ret.Kind = fiscal.SaleReturn
			ret.Payments.Cash = 51500
			res, err = r.reg.Fiscalize(ctx, ret)
			require.NoError(t, err)
			last, err := r.reg.LastDocument(ctx)
			require.NoError(t, err)
			assert.Equal(t, fiscal.SaleReturn, last.Kind)
			assert.Equal(t, res.FD, last.FD)
			assert.Equal(t, tt.payment, nums(emuTags(r.emu.State().Docs[2].Lines[0].Tags)))
		})
	}
}

// TestTaxWithoutATOLNumber: a rate the sources give no EBh number for is
// refused before anything fiscal is sent.
func TestTaxWithoutATOLNumber(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
	rc := sale()
	rc.Lines[0].Tax = fiscal.VAT5
	_, err := r.reg.Fiscalize(ctx, rc)
	require.ErrorIs(t, err, fiscal.ErrNotSupported)
	assert.Zero(t, r.emu.Executed(emulator.CmdOpenReceipt))
	assert.Nil(t, r.emu.State().Receipt)
}

// TestLongTagInBlocks: a tag longer than one E8h block goes in blocks and
// arrives whole.
func TestLongTagInBlocks(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
	rc := sale()
	long := strings.Repeat("Я", 300)
	rc.Tags = []fiscal.Tag{fiscal.Struct(1084, fiscal.String(1085, "Сессия/транзакция"), fiscal.String(1086, long))}
	before := r.emu.Executed(emulator.CmdWriteTag)
	_, err := r.reg.Fiscalize(ctx, rc)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, r.emu.Executed(emulator.CmdWriteTag)-before, 3, "item tags, then the long tag in two blocks at least")
	got, ok := fiscal.Find(emuTags(r.emu.State().Docs[1].Tags), 1084)
	require.True(t, ok)
	kids, err := got.Children()
	require.NoError(t, err)
	assert.Equal(t, long, text(t, kids, 1086))
}

// TestCashierOnCashAndShift: shift reports and cash operations name the
// cashier given.
func TestCashierOnCashAndShift(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	c := fiscal.Cashier{Name: "Старший кассир Петров П.П.", INN: "500100732259"}
	require.NoError(t, r.reg.OpenShift(ctx, c))
	_, err := r.reg.CashIn(ctx, c, 10000)
	require.NoError(t, err)
	_, err = r.reg.CashOut(ctx, fiscal.Cashier{Name: "Кассир Сидорова"}, 4000)
	require.NoError(t, err)
	_, err = r.reg.CashIn(ctx, fiscal.Cashier{}, 100)
	require.NoError(t, err)
	require.NoError(t, r.reg.ZReport(ctx, c))

	st := r.emu.State()
	require.Len(t, st.CashOps, 3)
	tests := []struct {
		name string
		tags []emulator.Tag
		want string // 1021, "" for none
		inn  bool
	}{
		{"shift open", st.Docs[0].Tags, c.Name, true},
		{"cash in", st.CashOps[0].Tags, c.Name, true},
		{"cash out", st.CashOps[1].Tags, "Кассир Сидорова", false},
		{"cash in without a name", st.CashOps[2].Tags, "", false},
		{"Z report", st.Docs[1].Tags, c.Name, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tags := emuTags(tt.tags)
			if tt.want == "" {
				assert.Empty(t, tags)
				return
			}
			assert.Equal(t, tt.want, text(t, tags, 1021))
			_, hasINN := fiscal.Find(tags, 1203)
			assert.Equal(t, tt.inn, hasINN)
		})
	}
	assert.Contains(t, r.emu.Tape(), "КАССИР Кассир Сидорова")
	assert.True(t, st.CashOps[1].In == false && st.CashOps[1].Sum == 4000)
}

// TestInfo: the registration and the drive's health as the register says
// them, set through the emulator's control interface.
func TestInfo(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		controls []string
		check    func(t *testing.T, in fiscal.Info)
		blocked  fiscal.Problem
		warns    []fiscal.Problem
	}{
		{"new register", nil, func(t *testing.T, in fiscal.Info) {
			assert.Equal(t, fiscal.FFD12, in.FFD)
			assert.True(t, in.Registration.Known)
			assert.Equal(t, emulator.DefaultINN, in.Registration.INN)
			assert.Equal(t, emulator.DefaultRNM, in.Registration.RNM)
			assert.Equal(t, fiscal.PaymentAgent|fiscal.PaymentSubagent, in.Registration.Agent)
			assert.Equal(t, fiscal.OSN|fiscal.USNIncome, in.Registration.TaxSystems)
			assert.False(t, in.Registration.Auto)
			assert.Equal(t, 11, in.Registration.Left)
			assert.Greater(t, in.Drive.DaysLeft(now), 300)
			assert.Zero(t, in.Drive.Unsent)
			assert.False(t, in.Drive.DocsKnown)
		}, "", nil},
		{"FFD 1.05, another registration", []string{"ffd 1.05", "registration inn=7701234567,rnm=12345,agent=subagent,tax=usn+psn,auto=true"},
			func(t *testing.T, in fiscal.Info) {
				assert.Equal(t, fiscal.FFD105, in.FFD)
				assert.Zero(t, in.Registration.FFD, "1209 itself is not read: the FFD is register 36h's")
				assert.Equal(t, "7701234567", in.Registration.INN)
				assert.Equal(t, "12345", in.Registration.RNM)
				assert.Equal(t, fiscal.PaymentSubagent, in.Registration.Agent)
				assert.Equal(t, fiscal.USNIncome|fiscal.PSN, in.Registration.TaxSystems)
				assert.True(t, in.Registration.Auto)
			}, "", nil},
		{"not an agent", []string{"registration agent=none"}, func(t *testing.T, in fiscal.Info) {
			assert.Zero(t, in.Registration.Agent)
		}, "", nil},
		{"3 days left", []string{"fn-expire 3"}, func(t *testing.T, in fiscal.Info) {
			assert.Equal(t, 3, in.Drive.DaysLeft(now))
			assert.NotZero(t, in.Drive.Warnings&fiscal.WarnReplaceUrgent)
		}, "", []fiscal.Problem{fiscal.DriveUrgent}},
		{"expired", []string{"fn-expire -1"}, func(t *testing.T, in fiscal.Info) {}, fiscal.DriveExpired, []fiscal.Problem{fiscal.DriveUrgent}},
		{"OFD backlog", []string{"ofd-backlog 2 31d"}, func(t *testing.T, in fiscal.Info) {
			assert.Equal(t, 2, in.Drive.Unsent)
			assert.Equal(t, uint32(1), in.Drive.FirstUnsent)
		}, fiscal.DriveOFDFull, []fiscal.Problem{fiscal.DriveOFDLate}},
		{"OFD a day late", []string{"ofd-backlog 5 2d"}, func(t *testing.T, in fiscal.Info) {
			assert.Equal(t, 2, in.Drive.Unsent, "the journal holds two documents")
		}, "", []fiscal.Problem{fiscal.DriveOFDLate}},
		{"memory and critical", []string{"fn-memory 90", "fn-critical on"}, func(t *testing.T, in fiscal.Info) {
			assert.Equal(t, fiscal.WarnMemory|fiscal.WarnCritical, in.Drive.Warnings)
		}, fiscal.DriveCritical, []fiscal.Problem{fiscal.DriveMemory}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			_, err := r.reg.Fiscalize(ctx, sale())
			require.NoError(t, err)
			for _, c := range tt.controls {
				require.Equal(t, "ok", r.emu.Control(c), c)
			}
			e9, r91 := r.emu.Executed(emulator.CmdReadTag), r.emu.Executed(emulator.CmdRegister)
			in, err := r.reg.Info(ctx)
			require.NoError(t, err)
			tt.check(t, in)
			assert.Equal(t, 1, r.emu.Executed(emulator.CmdReadTag)-e9, "1057 with E9h")
			assert.Equal(t, 1, r.emu.Executed(emulator.CmdRegister)-r91, "the FFD from register 36h")
			assert.Equal(t, tt.blocked, in.Drive.Blocked(now))
			assert.Equal(t, tt.warns, in.Drive.Warns(now))
			st, err := r.reg.Status(ctx)
			require.NoError(t, err)
			assert.True(t, st.FNFiscal())
			assert.Equal(t, uint32(2), st.LastFD)
			assert.Equal(t, in.Drive.Warnings, st.FNWarnings)
		})
	}
}

// TestDriveRefuses: an expired drive or one blocked by the OFD makes no
// fiscal document, and the driver says so in the register's words.
func TestDriveRefuses(t *testing.T) {
	for _, c := range []string{"fn-expire -1", "ofd-backlog 1 31d"} {
		t.Run(c, func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			require.Equal(t, "ok", r.emu.Control(c))
			_, err := r.reg.Fiscalize(ctx, sale())
			require.Error(t, err)
			assert.Equal(t, fiscal.KindAdmin, kindOf(err), "%v", err)
			assert.Len(t, r.emu.State().Docs, 1)
		})
	}
}

// TestDocumentTagsMissing: a document the drive does not hold is the
// drive's DAh, not a link fault.
func TestDocumentTagsMissing(t *testing.T) {
	r := newRig(t, "tcp")
	_, err := r.reg.DocumentTags(context.Background(), 99)
	assert.Equal(t, atol.CodeFNNoData, fiscal.CodeOf(err))
	doc, err := r.reg.LastDocument(context.Background())
	require.NoError(t, err)
	assert.Zero(t, doc.FD, "a new drive has no document")
}

// TestCorrection: under FFD 1.2 a correction receipt is a receipt of the
// correction's type with its lines and their tags and 1173/1174; its lost
// close is resolved from the drive as a receipt's is.
func TestCorrection(t *testing.T) {
	for _, fault := range []emulator.Fault{0, emulator.FaultPowerLossAfter} {
		t.Run(map[emulator.Fault]string{0: "answered", emulator.FaultPowerLossAfter: "power cut after close"}[fault], func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			rc := agentSale()
			day := time.Date(2026, 11, 20, 15, 30, 0, 0, time.Local)
			rc.Correction = &fiscal.Correction{Date: day}
			if fault != 0 {
				r.emu.Arm(fault, emulator.CmdClose)
			}
			res, err := r.reg.Fiscalize(ctx, rc)
			require.NoError(t, err)
			assert.Equal(t, fault != 0, res.Recovered)
			doc := r.emu.State().Docs[1]
			assert.Equal(t, emulator.DocCorrection, doc.Type)
			assert.Equal(t, byte(7), doc.Kind, "a sale's correction")
			assert.Equal(t, int64(60000-8500), doc.Sum)
			tags := emuTags(doc.Tags)
			c, ok := fiscal.Find(tags, 1173)
			require.True(t, ok)
			assert.Equal(t, []byte{0}, c.Value, "on the user's own")
			basis, ok := fiscal.Find(tags, 1174)
			require.True(t, ok)
			kids, err := basis.Children()
			require.NoError(t, err)
			d, ok := fiscal.Find(kids, 1178)
			require.True(t, ok)
			v, _ := d.Uint()
			assert.Equal(t, uint64(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Unix()), v)
			assert.Equal(t, []uint16{1212, 1214, 1222, 1223, 1224, 1226, 2108}, nums(emuTags(doc.Lines[0].Tags)))

			last, err := r.reg.LastDocument(ctx)
			require.NoError(t, err)
			assert.Equal(t, fiscal.DocCorrection, last.Type)
			assert.Equal(t, fiscal.Sale, last.Kind)
			back, err := r.reg.DocumentTags(ctx, last.FD)
			require.NoError(t, err)
			_, ok = fiscal.Find(back, 1173)
			assert.True(t, ok)
			assert.Equal(t, 1, r.emu.Executed(emulator.CmdClose))
		})
	}
}

// TestOlderFirmware: a firmware without the drive's queries still has a
// status; Info leaves the registration and the drive unknown, so the till
// checks nothing it cannot tell; receipts are refused since their lost
// answers could not be resolved.
func TestOlderFirmware(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.Equal(t, "ok", r.emu.Control("fn-queries off"))
	st, err := r.reg.Status(ctx)
	require.NoError(t, err)
	assert.Zero(t, st.LastFD)
	assert.True(t, st.FNFiscal())
	in, err := r.reg.Info(ctx)
	require.NoError(t, err)
	assert.False(t, in.Registration.Known)
	assert.True(t, in.Drive.Expires.IsZero())
	assert.Equal(t, fiscal.FFD12, in.FFD)
	err = r.reg.OpenShift(ctx, fiscal.Cashier{})
	assert.True(t, fiscal.Unsupported(err), "%v", err)
	assert.Empty(t, r.emu.State().Docs, "nothing fiscal was sent")
}

// TestReceiptLeftOpen: a receipt the register refused a part of is
// cancelled at once; one left open by a lost close the register never ran
// is cancelled before the next receipt opens; neither is a document.
func TestReceiptLeftOpen(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))

	dup := agentSale()
	dup.Tags = append(dup.Tags, fiscal.String(1008, "+79160000000"))
	_, err := r.reg.Fiscalize(ctx, dup)
	assert.Equal(t, fiscal.Code(0xE7), fiscal.CodeOf(err), "a receipt tag twice: %v", err)
	assert.Nil(t, r.emu.State().Receipt, "the refused receipt is cancelled")

	r.emu.Arm(emulator.FaultPowerLossBefore, emulator.CmdClose)
	_, err = r.reg.Fiscalize(ctx, agentSale())
	require.ErrorIs(t, err, fiscal.ErrNoLink)
	require.NotNil(t, r.emu.State().Receipt, "left open by the power cut")

	res, err := r.reg.Fiscalize(ctx, agentSale())
	require.NoError(t, err)
	assert.Equal(t, uint32(2), res.FD)
	st := r.emu.State()
	require.Len(t, st.Docs, 2, "the shift's report and one receipt")
	assert.Equal(t, int64(51500), st.Docs[1].Sum)
	assert.Equal(t, 2, strings.Count(strings.Join(r.emu.Tape(), "\n"), "ЧЕК АННУЛИРОВАН"))
}

// TestLostAnswerShortBudget: with the till's short command time (1 s), a
// lost answer still leaves time to ask the register for it again: the
// receipt is made once and answered, not left unknown.
func TestLostAnswerShortBudget(t *testing.T) {
	for _, cmd := range []byte{0, emulator.CmdClose, emulator.CmdItem, emulator.CmdWriteTag, emulator.CmdStatus} {
		t.Run(fmt.Sprintf("%02X", cmd), func(t *testing.T) {
			emu := emulator.New(emulator.Config{})
			t.Cleanup(func() { emu.Close() })
			addr, err := emu.ListenTCP("127.0.0.1:0")
			require.NoError(t, err)
			reg, err := fiscal.Open(atol.DriverName, fiscal.Config{Port: "tcp://" + addr.String(), MaxAnswerTimeout: time.Second})
			require.NoError(t, err)
			t.Cleanup(func() { reg.Close() })
			ctx := context.Background()
			require.NoError(t, reg.OpenShift(ctx, fiscal.Cashier{}))
			emu.Arm(emulator.FaultLoseAnswer, cmd)
			res, err := reg.Fiscalize(ctx, agentSale())
			require.NoError(t, err)
			assert.False(t, res.Recovered, "asked for again, not resolved")
			assert.Equal(t, 1, emu.Executed(emulator.CmdClose))
			assert.Len(t, emu.State().Docs, 2)
		})
	}
}

// TestQuestionAskedAgain: a question (status, the drive's queries) whose
// task the register lost with its power is asked again; a command that
// does something is never.
func TestQuestionAskedAgain(t *testing.T) {
	tests := []struct {
		cmd  byte
		fail bool // the receipt fails (the lost task did something)
	}{
		{emulator.CmdStatus, false},
		{emulator.CmdFN, false},
		{emulator.CmdItem, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%02X", tt.cmd), func(t *testing.T) {
			r := newRig(t, "tcp")
			ctx := context.Background()
			require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			items := r.emu.Executed(emulator.CmdItem)
			r.emu.Arm(emulator.FaultPowerLossAfter, tt.cmd)
			_, err := r.reg.Fiscalize(ctx, agentSale())
			if tt.fail {
				assert.ErrorIs(t, err, fiscal.ErrOutcomeUnknown)
				assert.Equal(t, items+1, r.emu.Executed(emulator.CmdItem), "the item went once")
				return
			}
			require.NoError(t, err)
			assert.Len(t, r.emu.State().Docs, 2)
		})
	}
}

// TestDocumentOf: the last document is made of the tags the drive hands
// out with A4h 45h/46h; one without its number, its fiscal sign, or (a
// receipt) its settlement sign or sum is refused, so a recovery is never
// taken for success on a half-read document.
func TestDocumentOf(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	at := time.Date(2026, 12, 4, 12, 30, 15, 0, time.UTC)
	fd := fiscal.Uint32(1040, 7)
	fp := fiscal.Tag{Num: 1077, Value: []byte{0x31, 0x04, 0xDE, 0xAD, 0xBE, 0xEF}}
	tm := fiscal.Uint32(1012, uint32(at.Unix()))
	tests := []struct {
		name string
		typ  uint16
		tags []fiscal.Tag
		want fiscal.Document
		bad  bool
	}{
		{"receipt", 3, []fiscal.Tag{fd, tm, fp, fiscal.Byte(1054, 2), fiscal.VLN(1020, 12345)},
			fiscal.Document{FD: 7, Type: fiscal.DocReceipt, Time: time.Date(2026, 12, 4, 12, 30, 15, 0, loc), FP: 0xDEADBEEF, Kind: fiscal.SaleReturn, Sum: 12345}, false},
		{"correction", 31, []fiscal.Tag{fd, fp, fiscal.Byte(1054, 1), fiscal.VLN(1020, 5)},
			fiscal.Document{FD: 7, Type: fiscal.DocCorrection, FP: 0xDEADBEEF, Kind: fiscal.Sale, Sum: 5}, false},
		{"shift open", 2, []fiscal.Tag{fd, fp, fiscal.Uint32(1038, 12)}, fiscal.Document{FD: 7, Type: fiscal.DocShiftOpen, FP: 0xDEADBEEF, Shift: 12}, false},
		{"no number", 3, []fiscal.Tag{fp, fiscal.Byte(1054, 1), fiscal.VLN(1020, 5)}, fiscal.Document{}, true},
		{"no fiscal sign", 2, []fiscal.Tag{fd, fiscal.Uint32(1038, 12)}, fiscal.Document{}, true},
		{"short fiscal sign", 2, []fiscal.Tag{fd, {Num: 1077, Value: []byte{1, 2, 3}}}, fiscal.Document{}, true},
		{"receipt without its sum", 3, []fiscal.Tag{fd, fp, fiscal.Byte(1054, 1)}, fiscal.Document{}, true},
		{"receipt without 1054", 3, []fiscal.Tag{fd, fp, fiscal.VLN(1020, 5)}, fiscal.Document{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := atol.DocumentOf(tt.typ, tt.tags, loc)
			if tt.bad {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, doc)
		})
	}
}

// TestDocumentReadAgain: a 46h answer lost (the register loses power
// after it) is not asked again, but the whole read is, from 45h: the
// receipt just closed is still reported with its number and fiscal sign,
// and LastDocument still answers.
func TestDocumentReadAgain(t *testing.T) {
	r := newRig(t, "tcp")
	ctx := context.Background()
	require.NoError(t, r.reg.OpenShift(ctx, fiscal.Cashier{}))
	r.emu.ArmFN(emulator.FaultPowerLossAfter, emulator.FNDocTLVNext)
	res, err := r.reg.Fiscalize(ctx, sale())
	require.NoError(t, err)
	assert.Equal(t, uint32(2), res.FD)
	assert.Equal(t, emulator.FP(2), res.FP)
	assert.Equal(t, 1, r.emu.Executed(emulator.CmdClose))

	r.emu.ArmFN(emulator.FaultPowerLossAfter, emulator.FNDocTLVNext)
	doc, err := r.reg.LastDocument(ctx)
	require.NoError(t, err)
	assert.Equal(t, fiscal.Document{FD: 2, Type: fiscal.DocReceipt, Time: doc.Time, FP: emulator.FP(2), Kind: fiscal.Sale, Sum: 10000}, doc)

	r.emu.ArmFN(emulator.FaultPowerLossAfter, emulator.FNDocTLVNext)
	r.emu.ArmFN(emulator.FaultPowerLossAfter, emulator.FNDocTLVNext)
	_, err = r.reg.LastDocument(ctx)
	assert.Equal(t, fiscal.KindLink, kindOf(err), "read again once only: %v", err)
}
