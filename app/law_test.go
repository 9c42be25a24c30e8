package app

import (
	"fmt"
	"paydesk/fiscal/shtrih"
	"strings"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/internal/clock"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A register registered otherwise than the configuration says takes no
// payment: pay is refused before it leaves, with the mismatch in words,
// and neither the network nor the register sees anything.
func TestRegistrationMismatch(t *testing.T) {
	type mismatch struct {
		name string
		reg  func(*emulator.State)
		ru   string // what the refusal says
	}
	tests := []mismatch{
		{"another INN", func(s *emulator.State) { s.INN = "7702345678" }, "ККТ зарегистрирована на ИНН 7702345678, а в настройках ИНН агента 7701234567"},
		{"no agent sign", func(s *emulator.State) { s.Reg.Agent = 0 }, "без признака «платёжный субагент» (в регистрации: без признака агента)"},
		{"agent only, not subagent", func(s *emulator.State) { s.Reg.Agent = fiscal.PaymentAgent }, "(в регистрации: платёжный агент)"},
		{"tax system not registered", func(s *emulator.State) { s.Reg.TaxSystems = fiscal.OSN }, "система налогообложения УСН доход из настроек не указана при регистрации ККТ (ОСН)"},
		{"automatic mode", func(s *emulator.State) { s.Reg.Auto = true }, "автоматическ"},
	}
	for _, tt := range versions(tests, func(c mismatch) string { return c.name }) {
		t.Run(tt.name, func(t *testing.T) {
			reg := emulator.NewState(time.Now())
			reg.INN = "7701234567"
			reg.FFD = byte(tt.ffd)
			tt.v.reg(&reg)
			rt, s, em, _ := bootProduction(t, &reg)
			c, err := rt.books.AddCashier(ctx, "setup", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleManager}, "432100")
			require.NoError(t, err)
			u := &User{c}
			_, err = rt.Till.OpenShift(ctx, u, 0)
			require.NoError(t, err)
			docs := len(em.State().Docs)
			in, err := rt.Till.RegisterInfo(ctx, true)
			require.NoError(t, err)
			assert.NotEmpty(t, rt.Till.Mismatches(in))

			p, err := rt.Till.Start(ctx, u, "rostelecom", "1234 5678 9012")
			require.NoError(t, err)
			p, err = rt.Till.Check(ctx, u, p, 100_00, Cash)
			require.NoError(t, err)
			p, err = rt.Till.Confirm(ctx, u, p)
			require.Error(t, err)
			assert.Equal(t, KindDevice, KindOf(err))
			msg := Message(err, "ru")
			assert.Contains(t, msg, "Платёж не отправлен")
			assert.Contains(t, msg, tt.v.ru)
			assert.NotContains(t, Message(err, "en"), "платёж", "the English text is English")
			assert.Zero(t, s.Committed(p.Session), "the network saw no pay")
			got, err := rt.books.Payment(ctx, p.ID)
			require.NoError(t, err)
			assert.Equal(t, StateChecked, got.State, "the payment waits, checked")
			assert.Len(t, em.State().Docs, docs, "no receipt")
		})
	}
}

// A fiscal drive that can sign no receipt (expired, 30 days of documents
// the OFD has not confirmed, a critical error, a full archive) takes no
// payment, in training too; one that only warns takes it.
func TestDriveBlocksPay(t *testing.T) {
	type driveCase struct {
		name    string
		control string
		ru      string // what the refusal says; "" when pay goes through
		warn    fiscal.Problem
	}
	tests := []driveCase{
		{"expired", "fn-expire -1", "срок действия фискального накопителя истёк", fiscal.DriveExpired},
		{"OFD 31 days", "ofd-backlog 2 31d", "не переданы в ОФД", fiscal.DriveOFDFull},
		{"critical", "fn-critical on", "критическая ошибка фискального накопителя", fiscal.DriveCritical},
		{"archive full", "fn-memory full", "архив фискального накопителя заполнен", fiscal.DriveFull},
		{"3 days left", "fn-expire 3", "", fiscal.DriveUrgent},
		{"memory 90 percent", "fn-memory 90", "", fiscal.DriveMemory},
		{"OFD 6 days", "ofd-backlog 2 144h", "", fiscal.DriveOFDSilent},
	}
	for _, tt := range versions(tests, func(c driveCase) string { return c.name }) {
		t.Run(tt.name, func(t *testing.T) {
			r := bootTraining(t, clock.Real{}, true)
			require.Equal(t, "ok", r.Emulator.Control("ffd "+tt.ffd.String()))
			require.Contains(t, r.Emulator.Control(tt.v.control), "ok")
			in, err := r.Till.RegisterInfo(ctx, true)
			require.NoError(t, err)
			var said []string
			for _, m := range r.Till.DriveWarnings(in) {
				said = append(said, m.Key)
			}
			assert.Contains(t, said, "app.fn."+string(tt.v.warn), "the status bar's warning")
			docs := len(r.Emulator.State().Docs)
			p, err := r.pay(t, "mts", "9161234567", 100_00)
			if tt.v.ru == "" {
				require.NoError(t, err)
				assert.Equal(t, store.FiscalDone, r.reload(t, p).FiscalState)
				return
			}
			require.Error(t, err)
			assert.Equal(t, KindDevice, KindOf(err))
			assert.Contains(t, Message(err, "ru"), tt.v.ru)
			assert.Zero(t, r.Sim.Committed(p.Session), "the network saw no pay")
			assert.Equal(t, StateChecked, r.reload(t, p).State)
			assert.Len(t, r.Emulator.State().Docs, docs, "no receipt")
		})
	}
}

// A register whose firmware has no cash in/out commands (37h, as some FFD
// 1.2 firmware) still takes cash in and out: the books hold it, a
// non-fiscal document says so, and the command is sent once.
func TestCashWithoutCashCommands(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	require.Equal(t, "ok", r.Emulator.Control("cash-ops off"))
	sh, err := r.Store.CurrentShift(ctx)
	require.NoError(t, err)
	before, err := r.Store.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	docs := len(r.Emulator.State().Docs)
	ins, outs := r.Emulator.Executed(shtrih.CmdCashIn), r.Emulator.Executed(shtrih.CmdCashOut)
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	require.NoError(t, r.Till.CashOut(ctx, r.manager, 200_00))
	after, err := r.Store.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	assert.Equal(t, before.Expected+300_00, after.Expected, "the books hold both")
	assert.Equal(t, ins+1, r.Emulator.Executed(shtrih.CmdCashIn), "cash in sent once")
	assert.Equal(t, outs+1, r.Emulator.Executed(shtrih.CmdCashOut), "cash out sent once")
	assert.Len(t, r.Emulator.State().Docs, docs, "no fiscal document")
	tape := strings.Join(r.Emulator.Tape(), "\n")
	assert.Contains(t, tape, "ВНЕСЕНИЕ НАЛИЧНЫХ")
	assert.Contains(t, tape, "ВЫПЛАТА НАЛИЧНЫХ")
	assert.Contains(t, tape, "НЕФИСКАЛЬНЫЙ ДОКУМЕНТ")
	started, err := r.Store.StartedCashOps(ctx)
	require.NoError(t, err)
	assert.Empty(t, started, "nothing left to decide at the next start")
	// More cash out than the drawer holds is still refused before the register.
	err = r.Till.CashOut(ctx, r.manager, after.Expected+1)
	assert.Equal(t, KindInput, KindOf(err))
	assert.Equal(t, outs+1, r.Emulator.Executed(shtrih.CmdCashOut))
}

// inVersion is a test case run with a register set to one FFD version.
type inVersion[T any] struct {
	name string
	ffd  fiscal.FFD
	v    T
}

// versions runs each case under FFD 1.05 and 1.2; name names a case.
func versions[T any](cases []T, name func(T) string) []inVersion[T] {
	var out []inVersion[T]
	for _, v := range []fiscal.FFD{fiscal.FFD105, fiscal.FFD12} {
		for _, c := range cases {
			out = append(out, inVersion[T]{name: "FFD " + v.String() + "/" + name(c), ffd: v, v: c})
		}
	}
	return out
}

// The opening float on such a register is in the books too, also when the
// till died between starting it and the register's refusal.
func TestFloatWithoutCashCommands(t *testing.T) {
	for _, crash := range []bool{false, true} {
		t.Run(map[bool]string{false: "made", true: "crash before the register"}[crash], func(t *testing.T) {
			r := bootTraining(t, clock.Real{}, false)
			require.Equal(t, "ok", r.Emulator.Control("cash-ops off"))
			if crash {
				r.Till.d.Step = func(step string, _ *store.Payment) {
					if step == "cash_started" {
						panic("crash")
					}
				}
				assert.Panics(t, func() { _, _ = r.Till.OpenShift(ctx, r.kassir, 1000_00) })
				r.Close()
				r = reboot(t, r.dir, clock.Real{}, false)
			} else {
				_, err := r.Till.OpenShift(ctx, r.kassir, 1000_00)
				require.NoError(t, err)
			}
			require.NoError(t, r.Till.CashIn(ctx, r.kassir, 1_00), "the till settles what was started, then takes more")
			sh, err := r.Store.CurrentShift(ctx)
			require.NoError(t, err)
			tot, err := r.Store.ShiftTotals(ctx, sh)
			require.NoError(t, err)
			assert.Equal(t, int64(1001_00), int64(tot.Expected), "the float once, and the cash in")
			started, err := r.Store.StartedCashOps(ctx)
			require.NoError(t, err)
			assert.Empty(t, started)
		})
	}
}

// A receipt that could not be made when the payment was taken and is made
// after the register's shift changed is a correction receipt (1173 = 0,
// 1174 {1178 the payment's date}), in either FFD version; one made in the
// same shift is an ordinary receipt, and closing the shift makes the
// queued receipts first, so that they stay in it.
func TestLateReceiptIsCorrection(t *testing.T) {
	const (
		sameShift = "same shift"
		beforeZ   = "made before the Z report"
		nextShift = "another shift"
	)
	for _, v := range []fiscal.FFD{fiscal.FFD105, fiscal.FFD12} {
		for _, when := range []string{sameShift, beforeZ, nextShift} {
			t.Run(fmt.Sprintf("FFD %s, %s", v, when), func(t *testing.T) {
				var r *rig
				r = bootTraining(t, clock.Real{}, true, func(o *Options) {
					o.Step = func(step string, _ *store.Payment) {
						if step == string(StepPaySent) {
							r.Emulator.SetPaper(false)
						}
					}
				})
				require.Equal(t, "ok", r.Emulator.Control("ffd "+v.String()))
				p, err := r.pay(t, "megafon", "9261112233", 300_00)
				require.Error(t, err)
				p = r.reload(t, p)
				require.Equal(t, store.FiscalQueued, p.FiscalState)
				r.Till.d.Step = nil
				r.Emulator.SetPaper(true)
				if when != sameShift {
					if when == nextShift {
						// The receipt still fails at the close: its line is refused.
						r.Emulator.Arm(emulator.FaultFNNoAnswer, shtrih.CmdOperation)
					}
					_, _, err = r.Till.CloseShift(ctx, r.manager, 1300_00)
					require.NoError(t, err)
					_, err = r.Till.OpenShift(ctx, r.kassir, 0)
					require.NoError(t, err)
				}
				if when != beforeZ {
					require.Equal(t, store.FiscalQueued, r.reload(t, p).FiscalState)
					require.NoError(t, r.Till.Reprint(ctx, r.kassir, p))
				}
				p = r.reload(t, p)
				require.Equal(t, store.FiscalDone, p.FiscalState)
				docs := r.Emulator.State().Docs
				var doc emulator.Doc
				for _, d := range docs {
					if d.FD == uint32(p.FD) {
						doc = d
					}
				}
				require.Equal(t, uint32(p.FD), doc.FD)
				assert.Equal(t, int64(p.Total), doc.Sum)
				kept, err := r.Store.Receipts(ctx, p.ID)
				require.NoError(t, err)
				rec := ""
				for _, k := range kept {
					if k.Kind == "fiscal" {
						rec = k.Text
					}
				}
				require.NotEmpty(t, rec, "the receipt's text is kept")
				if when != nextShift {
					assert.Equal(t, fiscal.DocReceipt, doc.Type)
					_, ok := fiscal.Find(doc.Tags, 1173)
					assert.False(t, ok)
					assert.NotContains(t, rec, "КОРРЕКЦИИ")
					if when == beforeZ {
						assert.Equal(t, 1, doc.Shift, "in the shift the payment was taken in")
					}
					return
				}
				assert.Equal(t, fiscal.DocCorrection, doc.Type)
				typ, ok := fiscal.Find(doc.Tags, 1173)
				require.True(t, ok)
				assert.Equal(t, []byte{0}, typ.Value, "on the user's own")
				basis, ok := fiscal.Find(doc.Tags, 1174)
				require.True(t, ok)
				kids, err := basis.Children()
				require.NoError(t, err)
				d, ok := fiscal.Find(kids, 1178)
				require.True(t, ok)
				day, _ := d.Uint()
				y, m, dd := p.PaySentAt.Local().Date()
				assert.Equal(t, uint64(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix()), day)
				if v >= fiscal.FFD12 {
					require.NotEmpty(t, doc.Lines, "1.2's correction has the lines, with the agent data")
					_, ok := fiscal.Find(doc.Lines[0].Tags, 1222)
					assert.True(t, ok)
				}
				assert.Contains(t, rec, "КАССОВЫЙ ЧЕК КОРРЕКЦИИ")
				// Once made, it is never made again.
				require.NoError(t, r.Till.Reprint(ctx, r.kassir, p))
				assert.Len(t, r.Emulator.State().Docs, len(docs))
			})
		}
	}
}

// The register's tape names who did it: the cashier who put cash in, the
// manager who took it out and the one who closed the shift, never the
// register's system administrator of the password.
func TestTapeNamesWhoDidIt(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	require.NoError(t, r.Till.CashIn(ctx, r.kassir, 500_00))
	require.NoError(t, r.Till.CashOut(ctx, r.manager, 200_00))
	sh, err := r.Store.CurrentShift(ctx)
	require.NoError(t, err)
	tot, err := r.Store.ShiftTotals(ctx, sh)
	require.NoError(t, err)
	_, _, err = r.Till.CloseShift(ctx, r.manager, tot.Expected)
	require.NoError(t, err)
	tape := strings.Join(r.Emulator.Tape(), "\n")
	doc := func(title string) string {
		i := strings.LastIndex(tape, title)
		require.Positive(t, i, title)
		d := tape[i:]
		j := strings.Index(d, "КАССИР")
		require.Positive(t, j, title)
		return d[j : j+strings.IndexByte(d[j:]+"\n", '\n')]
	}
	assert.Contains(t, doc("ВНЕСЕНИЕ"), fiscal.CashierTag(r.kassir.Cashier.Position, r.kassir.FullName))
	assert.Contains(t, doc("ВЫПЛАТА"), fiscal.CashierTag(r.manager.Cashier.Position, r.manager.FullName))
	assert.Contains(t, doc("ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ"), fiscal.CashierTag(r.manager.Cashier.Position, r.manager.FullName))
	assert.NotContains(t, tape[strings.Index(tape, "ВНЕСЕНИЕ"):], "СИСТЕМНЫЙ АДМИНИСТРАТОР")
}
