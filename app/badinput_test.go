package app

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/internal/testutil"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// Bad input at the till: every refusal has a specific message in Russian
// and English, and changes nothing it should not.

// badRaw are pieces of Go error text that must never reach a person.
var badRaw = []string{"strconv.", "decoding failed", "yaml:", "no such file", "is a directory", "invalid syntax",
	"%!", "<nil>", "goroutine", "panic", "gateway: ", "app: ", "store: ", "config: "}

// assertHumanMessage checks the message of err in both languages: set,
// specific (not the raw error), Russian with Cyrillic, English without.
func assertHumanMessage(t *testing.T, err error) (ru, en string) {
	t.Helper()
	require.Error(t, err)
	ru, en = Message(err, "ru"), Message(err, "en")
	assert.NotEmpty(t, strings.TrimSpace(ru))
	assert.NotEmpty(t, strings.TrimSpace(en))
	assert.NotEqual(t, err.Error(), ru, "the raw error is no message")
	assert.NotEqual(t, err.Error(), en, "the raw error is no message")
	assert.True(t, badCyrillic(ru), "Russian message without Cyrillic: %q", ru)
	assert.NotEqual(t, ru, en)
	for _, m := range badRaw {
		assert.NotContains(t, ru, m)
		assert.NotContains(t, en, m)
	}
	return ru, en
}

func badCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// badBooks is what a refused input must leave as it was: the payments, the
// audit trail, the shift and its cash, the network's balance and the
// payments it took, and the receipts on the device.
type badBooks struct {
	Payments []store.Payment
	Audit    []store.AuditEntry
	Shift    ShiftState
	Balance  money.Amount
	SimPays  int
	Receipts int
}

func (r *rig) books(t *testing.T) badBooks {
	t.Helper()
	ps, err := r.Store.Payments(ctx, store.Filter{Limit: 1 << 20})
	require.NoError(t, err)
	b := badBooks{Balance: r.Sim.Balance(), SimPays: len(r.Sim.Payments()), Receipts: receiptsOnDevice(r)}
	for _, p := range ps {
		b.Payments = append(b.Payments, *p)
	}
	b.Audit, err = r.Store.Audit(ctx, 1<<20)
	require.NoError(t, err)
	b.Shift, err = r.Till.Shift(ctx)
	require.NoError(t, err)
	return b
}

// withoutSignIns drops the sign-in entries of the audit trail: a PIN is
// checked and counted (the lockout), whatever else is refused.
func (b badBooks) withoutSignIns() badBooks {
	var a []store.AuditEntry
	for _, e := range b.Audit {
		if !strings.HasPrefix(e.Action, "signin") {
			a = append(a, e)
		}
	}
	b.Audit = a
	return b
}

// TestBadInputPayerIDs: numbers and accounts the catalogue refuses. Start
// checks them before anything is stored: no payment, no audit entry.
func TestBadInputPayerIDs(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		provider, id string
		ru, en       string // the catalogue's hint
	}{
		{"mts", "", "10 цифр", "10 digits"},
		{"mts", "   ", "10 цифр", "10 digits"},
		{"mts", "\t\u00a0", "10 цифр", "10 digits"},
		{"mts", "abcdefghij", "10 цифр", "10 digits"},
		{"mts", "916123456", "10 цифр", "10 digits"},     // one short
		{"mts", "91612345678", "10 цифр", "10 digits"},   // one long, no prefix
		{"mts", "916123456789", "10 цифр", "10 digits"},  // two long
		{"mts", "8161234567", "10 цифр", "10 digits"},    // not a mobile number
		{"mts", "916123456a", "10 цифр", "10 digits"},    // a letter
		{"mts", "916 123 45 6O", "10 цифр", "10 digits"}, // the letter O for a zero
		{"mts", "９１６１２３４５６７", "10 цифр", "10 digits"},    // full-width digits
		{"mts", "٩١٦١٢٣٤٥٦٧", "10 цифр", "10 digits"},    // Arabic-Indic digits
		{"mts", "+1 916 123 45 67", "10 цифр", "10 digits"},
		{"mts", "+7 916 123 45 6", "10 цифр", "10 digits"},     // +7 and a short number
		{"mts", "8 916 123 45 678", "10 цифр", "10 digits"},    // 8 and a long number
		{"mts", "+79161234567+", "10 цифр", "10 digits"},       // a stray plus
		{"mts", "916.123.45.67", "10 цифр", "10 digits"},       // dots are not stripped
		{"mts", "9161234567\n", "10 цифр", "10 digits"},        // a line end
		{"mts", "916123\x004567", "10 цифр", "10 digits"},      // a NUL
		{"rostelecom", "12345678901", "12 цифр", "12-digit"},   // one short
		{"rostelecom", "1234567890123", "12 цифр", "12-digit"}, // one long
		{"rostelecom", "+71234567890", "12 цифр", "12-digit"},  // no phone prefixes for an account
		{"tricolor", "1234567890123", "12 или 14 цифр", "12 or 14 digits"},
		{"domru", "12345", "от 6 до 12 цифр", "6 to 12 digits"},
		{"domru", strings.Repeat("1", 21), "от 6 до 12 цифр", "6 to 12 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+fmt.Sprintf("%q", tt.id), func(t *testing.T) {
			prov, err := r.Till.Provider(tt.provider)
			require.NoError(t, err)
			before := r.books(t)
			p, err := r.Till.Start(ctx, r.kassir, tt.provider, tt.id)
			assert.Nil(t, p)
			assert.Equal(t, KindInput, KindOf(err), "%v", err)
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, tt.ru)
			assert.Contains(t, en, tt.en)
			assert.Contains(t, ru, prov.Name)
			assert.Equal(t, before, r.books(t), "a refused number stores nothing")
		})
	}
	// Unknown providers.
	for _, code := range []string{"", "nosuch", "MTS", "mts ", " mts", "мтс"} {
		t.Run(fmt.Sprintf("provider %q", code), func(t *testing.T) {
			before := r.books(t)
			_, err := r.Till.Start(ctx, r.kassir, code, "9161234567")
			assert.Equal(t, KindInput, KindOf(err))
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, "Неизвестный оператор")
			assert.Contains(t, en, "Unknown provider")
			assert.Equal(t, before, r.books(t))
		})
	}
	// The forms the catalogue accepts for a mobile number: +7 and 8
	// prefixes, spaces, dashes, parentheses, no-break spaces.
	for _, id := range []string{"+7 916 123-45-67", "8 (916) 123-45-67", "79161234567", "89161234567", "\u00a0916\u00a0123\u00a04567", "-9161234567", "7-916-123-45-67-"} {
		t.Run(fmt.Sprintf("accepted %q", id), func(t *testing.T) {
			p, err := r.Till.Start(ctx, r.kassir, "mts", id)
			require.NoError(t, err)
			assert.Equal(t, "9161234567", p.PayerID)
			require.NoError(t, r.Till.Cancel(ctx, r.kassir, p))
		})
	}
}

// TestBadInputAmounts: amounts outside the provider's limits are refused
// before the payment is touched or anything goes to the network; cash
// amounts below zero likewise.
func TestBadInputAmounts(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		provider string
		amount   money.Amount
	}{
		{"mts", 0},
		{"mts", -1},
		{"mts", -100_00},
		{"mts", 1},
		{"mts", 9_99},
		{"mts", 15000_01},
		{"mts", 1_000_000_00},
		{"mts", money.Max},
		{"mts", math.MaxInt64},
		{"mts", math.MinInt64},
		{"rostelecom", 49_99},
		{"rostelecom", 30000_01},
		{"tricolor", 99_99},
		{"mosenergo", 50000_01},
	}
	ids := map[string]string{"mts": "9161234567", "rostelecom": "123456789012", "tricolor": "123456789012", "mosenergo": "1234567890"}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.provider, tt.amount), func(t *testing.T) {
			prov, err := r.Till.Provider(tt.provider)
			require.NoError(t, err)
			p, err := r.Till.Start(ctx, r.kassir, tt.provider, ids[tt.provider])
			require.NoError(t, err)
			before, checks := r.books(t), r.Sim.Requests(sim.OpCheck)
			got, err := r.Till.Check(ctx, r.kassir, p, tt.amount, Cash)
			assert.Equal(t, KindInput, KindOf(err), "%v", err)
			ru, en := assertHumanMessage(t, err)
			limits := prov.Min.String() + "–" + prov.Max.String()
			assert.Contains(t, ru, "вне допустимого диапазона "+limits)
			assert.Contains(t, en, "outside "+limits)
			assert.Equal(t, store.StateEntered, got.State)
			assert.Equal(t, before, r.books(t), "a refused amount stores nothing")
			assert.Equal(t, checks, r.Sim.Requests(sim.OpCheck), "nothing went to the network")
		})
	}
	// A checked payment keeps its checked amount when a bad one is tried.
	t.Run("checked payment keeps its amount", func(t *testing.T) {
		p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
		require.NoError(t, err)
		p, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
		require.NoError(t, err)
		before := r.books(t)
		_, err = r.Till.Check(ctx, r.kassir, p, 0, Cash)
		assert.Equal(t, KindInput, KindOf(err))
		assert.Equal(t, before, r.books(t))
		p = r.reload(t, p)
		assert.Equal(t, store.StateChecked, p.State)
		assert.Equal(t, money.Amount(100_00), p.Amount)
	})
	// Cash in and out of the drawer.
	cash := []struct {
		name   string
		do     func() error
		ru, en string
	}{
		{"cash in zero", func() error { return r.Till.CashIn(ctx, r.kassir, 0) }, "больше нуля", "above zero"},
		{"cash in negative", func() error { return r.Till.CashIn(ctx, r.kassir, -1_00) }, "больше нуля", "above zero"},
		{"cash out zero", func() error { return r.Till.CashOut(ctx, r.manager, 0) }, "больше нуля", "above zero"},
		{"cash out negative", func() error { return r.Till.CashOut(ctx, r.manager, math.MinInt64) }, "больше нуля", "above zero"},
		{"cash out more than the drawer", func() error { return r.Till.CashOut(ctx, r.manager, money.Max) }, "В кассе должно быть", "The drawer should hold"},
		{"close with negative cash", func() error { _, _, err := r.Till.CloseShift(ctx, r.manager, -1); return err }, "не может быть отрицательной", "cannot be negative"},
	}
	for _, tt := range cash {
		t.Run(tt.name, func(t *testing.T) {
			before := r.books(t)
			err := tt.do()
			assert.Equal(t, KindInput, KindOf(err), "%v", err)
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, tt.ru)
			assert.Contains(t, en, tt.en)
			assert.Equal(t, before, r.books(t))
		})
	}
	t.Run("open with negative cash", func(t *testing.T) {
		r := bootTraining(t, clock.Real{}, false)
		before := r.books(t)
		_, err := r.Till.OpenShift(ctx, r.kassir, -1)
		assert.Equal(t, KindInput, KindOf(err))
		ru, en := assertHumanMessage(t, err)
		assert.Contains(t, ru, "не может быть отрицательной")
		assert.Contains(t, en, "cannot be negative")
		assert.Equal(t, before, r.books(t))
		assert.Nil(t, before.Shift.Shift, "no shift was opened")
	})
}

// TestBadInputPINs: wrong, weak and unknown sign-ins. A wrong PIN counts
// toward the lockout (that is its audit entry); nothing else changes.
func TestBadInputPINs(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		name, login, pin string
		ru, en           string
	}{
		{"wrong PIN", "kassir", "1112", "Неверный логин или PIN: осталось попыток", "Wrong login or PIN:"},
		{"empty PIN", "kassir", "", "Неверный логин или PIN", "Wrong login or PIN"},
		{"PIN with a space", "kassir", "1111 ", "Неверный логин или PIN", "Wrong login or PIN"},
		{"full-width PIN", "kassir", "１１１１", "Неверный логин или PIN", "Wrong login or PIN"},
		{"unknown cashier", "nobody", "1111", "Неверный логин или PIN: осталось попыток — 4", "Wrong login or PIN: 4 attempts left"},
		{"login in capitals", "KASSIR", "1111", "Неверный логин или PIN: осталось попыток — 4", "Wrong login or PIN: 4 attempts left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.books(t).withoutSignIns()
			u, err := r.Till.SignIn(ctx, tt.login, tt.pin)
			assert.Nil(t, u)
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, tt.ru)
			assert.Contains(t, en, tt.en)
			assert.Equal(t, before, r.books(t).withoutSignIns())
			// The right PIN clears the count, so the cases do not add up to a lock.
			_, err = r.Till.SignIn(ctx, "kassir", "1111")
			require.NoError(t, err)
		})
	}
	t.Run("login taken", func(t *testing.T) {
		before := r.books(t)
		_, err := r.Store.AddCashier(ctx, "admin", store.Cashier{Login: "kassir", FullName: "Кассир Иванова А.А.", Role: store.RoleCashier}, "1234")
		ru, en := assertHumanMessage(t, err)
		assert.Equal(t, "Этот логин уже занят: выберите другой", ru)
		assert.Equal(t, "This login is taken: choose another", en)
		assert.Equal(t, before, r.books(t))
	})
	for _, pin := range []string{"", "123", "123456789", "12a4", "１２３４"} {
		t.Run(fmt.Sprintf("weak PIN %q", pin), func(t *testing.T) {
			before := r.books(t)
			_, err := r.Store.AddCashier(ctx, "admin", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleCashier}, pin)
			ru, en := assertHumanMessage(t, err)
			assert.Equal(t, "PIN — от 4 до 8 цифр", ru)
			assert.Equal(t, "A PIN is 4 to 8 digits", en)
			assert.Equal(t, before, r.books(t))
		})
	}
}

// gatewayHintFor is what Message adds to a refused check by the code's class.
func gatewayHintFor(c gateway.Class) (ru, en string) {
	switch c {
	case gateway.ClassFinal:
		return " — проверьте с плательщиком номер и сумму", " — check the number and amount with the payer"
	case gateway.ClassConfig:
		return " — обратитесь к администратору", " — call the administrator"
	case gateway.ClassRetry:
		return " — повторите через несколько минут", " — try again in a few minutes"
	}
	return "", ""
}

// TestBadInputGatewayCodes: the simulator answers every ERROR code of the
// catalogue to check and to pay. A refused check ends the payment when the
// code is final and leaves it checkable (under a new SESSION) otherwise; a
// refused pay is settled through status as not paid. The message is the
// catalogue's in each language, and nothing is charged.
func TestBadInputGatewayCodes(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	codes := gateway.Codes()
	sort.Ints(codes)
	require.Greater(t, len(codes), 50, "the whole catalogue")
	for _, code := range codes {
		if code == 0 {
			continue // ERROR=0 is success, not a refusal
		}
		e := gateway.Lookup(code)
		t.Run(fmt.Sprintf("check/%d", code), func(t *testing.T) {
			p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
			require.NoError(t, err)
			first := p.Session
			before := r.books(t)
			r.Sim.SetFaults(sim.Faults{Refuse: sim.OpCheck, RefuseCode: code})
			defer r.Sim.SetFaults(sim.Faults{})
			_, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
			assert.Equal(t, KindRefused, KindOf(err), "%v", err)
			var ge *gateway.Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, code, ge.Code)
			ru, en := assertHumanMessage(t, err)
			hru, hen := gatewayHintFor(e.Class)
			assert.Equal(t, e.Msg().In("ru")+hru, ru)
			assert.Equal(t, e.Msg().In("en")+hen, en)
			assert.NotContains(t, ru, "Неизвестная ошибка")

			p = r.reload(t, p)
			assert.Equal(t, code, p.ErrorCode)
			if e.Class == gateway.ClassFinal {
				assert.Equal(t, store.StateRefused, p.State, "a final refusal ends the payment")
			} else {
				assert.Equal(t, store.StateEntered, p.State, "a %s refusal leaves the payment checkable", e.Class)
				assert.NotEqual(t, first, p.Session, "the next check takes a new SESSION")
			}
			after := r.books(t)
			assert.Equal(t, before.Balance, after.Balance, "nothing charged")
			assert.Equal(t, before.SimPays, after.SimPays)
			assert.Equal(t, before.Receipts, after.Receipts)
			assert.Equal(t, before.Shift.Totals, after.Shift.Totals)
			assert.Zero(t, r.Sim.Committed(first))
			assert.Zero(t, r.Sim.Committed(p.Session))
		})
		t.Run(fmt.Sprintf("pay/%d", code), func(t *testing.T) {
			p, err := r.Till.Start(ctx, r.kassir, "mts", "9161234567")
			require.NoError(t, err)
			p, err = r.Till.Check(ctx, r.kassir, p, 100_00, Cash)
			require.NoError(t, err)
			before := r.books(t)
			r.Sim.SetFaults(sim.Faults{Refuse: sim.OpPay, RefuseCode: code})
			defer r.Sim.SetFaults(sim.Faults{})
			_, err = r.Till.Confirm(ctx, r.kassir, p)
			assert.Equal(t, KindRefused, KindOf(err), "%v", err)
			ru, en := assertHumanMessage(t, err)
			assert.Equal(t, "Платёж не проведён: верните деньги или начните заново: "+e.Msg().In("ru"), ru)
			assert.Equal(t, "The payment was not made: return the cash or start again: "+e.Msg().In("en"), en)

			p = r.reload(t, p)
			assert.Equal(t, store.StateNotPaid, p.State, "status proves the refused pay was not made")
			assert.Equal(t, code, p.ErrorCode)
			after := r.books(t)
			assert.Equal(t, before.Balance, after.Balance, "nothing charged")
			assert.Equal(t, before.SimPays, after.SimPays)
			assert.Equal(t, before.Receipts, after.Receipts, "no receipt for an unpaid payment")
			assert.Equal(t, before.Shift.Totals, after.Shift.Totals)
			assert.Zero(t, r.Sim.Committed(p.Session))
		})
	}
	_, err := r.Store.VerifyAudit(ctx)
	require.NoError(t, err)
}

// refusingRegister is the register answering every receipt with a device
// code (the emulator cannot be made to answer most codes).
type refusingRegister struct {
	fiscal.Register
	code fiscal.Code
}

func (f refusingRegister) Fiscalize(context.Context, fiscal.Receipt) (fiscal.Result, error) {
	return fiscal.Result{}, fiscal.DeviceError("receipt", 0xFF45, f.code)
}

func deviceCodes() []fiscal.Code {
	var out []fiscal.Code
	for _, c := range fiscal.Codes() {
		if c != fiscal.CodeOK {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// deviceHint is what the message adds by the code's kind.
func deviceHint(k fiscal.Kind) (ru, en string) {
	switch k {
	case fiscal.KindOperator:
		return "Печать ещё раз", "Print again"
	case fiscal.KindZReport:
		return "Z-отчёт", "Z report"
	case fiscal.KindAdmin:
		return "администратор", "administrator"
	}
	return "", ""
}

// TestBadInputDeviceMessages: every device code of the table has its own
// message in both languages, with what to do by its kind.
func TestBadInputDeviceMessages(t *testing.T) {
	codes := deviceCodes()
	require.Greater(t, len(codes), 30, "the whole table")
	for _, code := range codes {
		t.Run(fmt.Sprintf("%02Xh", byte(code)), func(t *testing.T) {
			info := codeText(code)
			err := error(fiscal.DeviceError("receipt", 0xFF45, code))
			assert.Equal(t, KindDevice, KindOf(err))
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, capitalize(info.RU))
			assert.Contains(t, en, capitalize(info.EN))
			assert.Contains(t, ru, fmt.Sprintf("код ККТ %02Xh", byte(code)))
			assert.Contains(t, en, fmt.Sprintf("device code %02Xh", byte(code)))
			assert.NotContains(t, ru, "Неизвестная ошибка")
			assert.NotContains(t, en, "unknown device error")
			hru, hen := deviceHint(code.Kind())
			assert.Contains(t, ru, hru)
			assert.Contains(t, en, hen)
			// Wrapped by the till, as the cashier sees it.
			wrapped := fail("fiscalize", KindDevice, i18n.M("app.receipt_queued"), err)
			wru, wen := assertHumanMessage(t, wrapped)
			assert.Contains(t, wru, info.RU)
			assert.Contains(t, wen, info.EN)
		})
	}
}

// TestBadInputDeviceCodes: a paid payment whose receipt the register
// refuses with any code of the table stays paid with its receipt queued;
// made later, it is made once.
func TestBadInputDeviceCodes(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	real := r.Till.d.Register
	defer func() { r.Till.d.Register = real }()
	for i, code := range deviceCodes() {
		t.Run(fmt.Sprintf("%02Xh", byte(code)), func(t *testing.T) {
			info := codeText(code)
			before := r.books(t)
			r.Till.d.Register = refusingRegister{Register: real, code: code}
			// A new amount for each: the same payment twice in an hour is ERROR 32.
			p, err := r.pay(t, "mts", "9161234567", money.Amount(100_00+i))
			r.Till.d.Register = real
			assert.Equal(t, KindDevice, KindOf(err), "%v", err)
			assert.Equal(t, code, fiscal.CodeOf(err))
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, "чек не напечатан")
			assert.Contains(t, ru, info.RU)
			assert.Contains(t, en, info.EN)

			p = r.reload(t, p)
			assert.Equal(t, store.StatePaid, p.State, "paid whatever the register says")
			assert.Equal(t, store.FiscalQueued, p.FiscalState)
			assert.Contains(t, p.FiscalError, info.RU)
			assert.Equal(t, 1, r.Sim.Committed(p.Session))
			assert.Equal(t, before.Receipts, receiptsOnDevice(r), "nothing printed")
			q, err := r.Till.ReceiptQueue(ctx)
			require.NoError(t, err)
			assert.True(t, queued(q, p), "the receipt waits in the queue")

			require.NoError(t, r.Till.Reprint(ctx, r.kassir, p))
			p = r.reload(t, p)
			assert.Equal(t, store.FiscalDone, p.FiscalState)
			assert.Equal(t, before.Receipts+1, receiptsOnDevice(r), "made once")
			require.NoError(t, r.Till.Reprint(ctx, r.kassir, p), "a copy of the slip")
			assert.Equal(t, before.Receipts+1, receiptsOnDevice(r), "never twice")
			q, err = r.Till.ReceiptQueue(ctx)
			require.NoError(t, err)
			assert.False(t, queued(q, p))
		})
	}
}

func queued(q []*store.Payment, p *store.Payment) bool {
	for _, x := range q {
		if x.ID == p.ID {
			return true
		}
	}
	return false
}

// TestBadInputDeviceFaults: no receipt, no payment. When the register
// cannot make a receipt (no paper, cover open, the fiscal drive silent),
// pay is not sent and the cashier is told why; once the cause is gone the
// same payment goes through and its receipt is made once.
func TestBadInputDeviceFaults(t *testing.T) {
	r := bootTraining(t, clock.Real{}, true)
	tests := []struct {
		name  string
		arm   func()
		clear func()
	}{
		{"no paper", func() { r.Emulator.SetPaper(false) }, func() { r.Emulator.SetPaper(true) }},
		{"cover open", func() { r.Emulator.SetCover(true) }, func() { r.Emulator.SetCover(false) }},
		{"fiscal drive silent", func() { r.Emulator.Arm(emulator.FaultFNNoAnswer, 0) }, func() {}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := receiptsOnDevice(r)
			tt.arm()
			p, err := r.pay(t, "beeline", "9031234567", money.Amount(200_00+i))
			tt.clear()
			assert.Equal(t, KindDevice, KindOf(err), "%v", err)
			ru, en := assertHumanMessage(t, err)
			assert.Contains(t, ru, "Платёж не отправлен")
			assert.Contains(t, en, "The payment was not sent")
			if code := fiscal.CodeOf(err); code != 0 {
				assert.Contains(t, ru, codeText(code).RU)
				assert.Contains(t, en, codeText(code).EN)
			}
			p = r.reload(t, p)
			assert.Equal(t, store.StateChecked, p.State, "pay was not sent")
			assert.True(t, p.PaySentAt.IsZero())
			assert.Equal(t, before, receiptsOnDevice(r), "nothing made")
			p, err = r.Till.Confirm(ctx, r.kassir, p)
			require.NoError(t, err, "the cause is gone")
			assert.Contains(t, []store.State{store.StateAccepted, store.StatePaid}, p.State)
			assert.Equal(t, store.FiscalDone, r.reload(t, p).FiscalState)
			assert.Equal(t, before+1, receiptsOnDevice(r), "made once")
		})
	}
}

// TestBadInputBootProduction: a production start with a bad key or
// catalogue is refused with the key named, before the data folder or the
// books are touched.
func TestBadInputBootProduction(t *testing.T) {
	const good = `language: ru
data_dir: data
point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: keys/secret.key, passphrase_file: keys/passphrase, bank: keys/pubkeys.key, bank_serial: 64182}
gateway: {base_url: "https://127.0.0.1:1", timeout: 10s}
fiscal: {port: none}
agent: {tax_system: usn, fee_tax: none}
`
	setup := func(t *testing.T) (dir, file string) {
		dir = t.TempDir()
		require.NoError(t, exec.Command("cp", "-r", keysDir, filepath.Join(dir, "keys")).Run())
		file = filepath.Join(dir, "paydesk.yaml")
		require.NoError(t, os.WriteFile(file, []byte(good), 0o600))
		return dir, file
	}
	spoilFile := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
		}
	}
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		env   [2]string
		key   string // named in both messages
	}{
		{"wrong passphrase", spoilFile("keys/passphrase", "not the passphrase"), [2]string{}, "keys.passphrase_file"},
		{"wrong passphrase in the environment", nil, [2]string{"PAYDESK_KEYS_PASSPHRASE", "nope"}, "keys.passphrase_file"},
		{"secret key missing", func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "keys/secret.key"))) }, [2]string{}, "keys.secret"},
		{"secret key a folder", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "keys/secret.key")
			require.NoError(t, os.Remove(p))
			require.NoError(t, os.Mkdir(p, 0o700))
		}, [2]string{}, "keys.secret"},
		{"secret key garbage", spoilFile("keys/secret.key", "garbage"), [2]string{}, "keys.secret"},
		{"bank key garbage", spoilFile("keys/pubkeys.key", "garbage"), [2]string{}, "keys.bank"},
		{"bank key not in the file", nil, [2]string{"PAYDESK_KEYS_BANK_SERIAL", "12345"}, "keys.bank_serial"},
		{"providers file missing", nil, [2]string{"PAYDESK_PROVIDERS", "nosuch.yaml"}, ""},
		{"providers file garbage", func(t *testing.T, dir string) {
			spoilFile("providers.yaml", "providers: [unclosed")(t, dir)
			t.Setenv("PAYDESK_PROVIDERS", "providers.yaml")
		}, [2]string{}, ""},
	}
	for _, tt := range tests {
		for _, existing := range []bool{false, true} {
			name := tt.name + "/new data folder"
			if existing {
				name = tt.name + "/existing books"
			}
			t.Run(name, func(t *testing.T) {
				dir, file := setup(t)
				data := filepath.Join(dir, "data")
				if existing {
					cfg, err := config.Load(file)
					require.NoError(t, err)
					rt, err := Boot(ctx, cfg, Options{PINCost: bcrypt.MinCost})
					require.NoError(t, err)
					_, err = rt.books.AddCashier(ctx, "setup", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleManager}, "432100")
					require.NoError(t, err)
					require.NoError(t, rt.Close())
				}
				before := testutil.Fingerprint(t, data)
				if tt.spoil != nil {
					tt.spoil(t, dir)
				}
				if tt.env[0] != "" {
					t.Setenv(tt.env[0], tt.env[1])
				}
				cfg, err := config.Load(file)
				require.NoError(t, err)
				rt, err := Boot(ctx, cfg, Options{PINCost: bcrypt.MinCost})
				assert.Nil(t, rt)
				assert.Equal(t, KindConfig, KindOf(err), "%v", err)
				ru, en := assertHumanMessage(t, err)
				assert.Contains(t, ru, tt.key)
				assert.Contains(t, en, tt.key)
				if tt.key == "" {
					assert.Contains(t, strings.ToLower(ru), "каталог")
					assert.Contains(t, strings.ToLower(en), "catalogue")
				}
				assert.Equal(t, before, testutil.Fingerprint(t, data), "a refused start touches no file of the books")
			})
		}
	}
}

// codeText is a device code's message in both languages.
func codeText(c fiscal.Code) struct{ RU, EN string } {
	return struct{ RU, EN string }{c.Msg().In("ru"), c.Msg().In("en")}
}
