package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/app/training"
	"paydesk/fiscal"
	"paydesk/receipts"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// day is today plus n days, at midnight (the drive's expiry is a date).
func day(n int) time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, time.UTC)
}

// TestStatusBarDrive: the status bar words the fiscal drive's health in
// the window's language: days left always, the OFD backlog with its age,
// the drive's own thresholds as a warning, a blocked drive and a
// registration that contradicts the configuration in the error colour.
func TestStatusBarDrive(t *testing.T) {
	backlog := time.Now().Add(-50 * time.Hour).Truncate(time.Minute)
	blocked := time.Now().Add(-31 * 24 * time.Hour).Truncate(time.Minute)
	all := fiscal.OSN | fiscal.USNIncome | fiscal.USNIncomeMinus | fiscal.ESHN | fiscal.PSN
	tests := []struct {
		name, lang string
		in         fiscal.Info
		drive      string // the bar's drive text
		level      widget.Importance
		law        []string // in the alert row; none: the row is hidden
		lawLevel   widget.Importance
	}{
		{name: "a year left", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(364)}},
			drive: "ФН: 364 дн.", level: widget.MediumImportance},
		{name: "30 days", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(30)}},
			drive: "ФН: 30 дн.", level: widget.WarningImportance, law: []string{"ФН: осталось 30 дн."}, lawLevel: widget.WarningImportance},
		{name: "3 days", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(3), Warnings: fiscal.WarnReplaceUrgent | fiscal.WarnExpiresSoon}},
			drive: "ФН: 3 дн.", level: widget.WarningImportance, law: []string{"ФН: осталось 3 дн., срочно замените"}, lawLevel: widget.WarningImportance},
		{name: "3 days in English", lang: "en", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(3)}},
			drive: "FN: 3 days", level: widget.WarningImportance, law: []string{"fiscal drive: 3 days left, replace it now"}, lawLevel: widget.WarningImportance},
		{name: "memory and OFD silent", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(200), Warnings: fiscal.WarnMemory | fiscal.WarnOFDTimeout}},
			drive: "ФН: 200 дн.", level: widget.WarningImportance, law: []string{"ФН: память почти заполнена", "ОФД не отвечает"}, lawLevel: widget.WarningImportance},
		{name: "OFD backlog", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(200), Unsent: 3, FirstUnsent: 41, OldestUnsent: backlog}},
			drive: "ФН: 200 дн. · ОФД: 3 док. с " + backlog.Format("02.01 15:04"), level: widget.WarningImportance,
			law: []string{"в ОФД не переданы 3 док. с " + backlog.Format("02.01.2006 15:04")}, lawLevel: widget.WarningImportance},
		{name: "OFD backlog of an hour", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(200), Unsent: 1, OldestUnsent: time.Now().Add(-time.Hour).Truncate(time.Minute)}},
			drive: "ФН: 200 дн. · ОФД: 1 док. с " + time.Now().Add(-time.Hour).Truncate(time.Minute).Format("02.01 15:04"), level: widget.MediumImportance},
		{name: "blocked by the OFD", lang: "ru", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(200), Unsent: 5, OldestUnsent: blocked}},
			drive: "ФН: 200 дн. · ОФД: 5 док. с " + blocked.Format("02.01 15:04"), level: widget.DangerImportance,
			law: []string{"ФН заблокирован: 5 док. не в ОФД с " + blocked.Format("02.01.2006")}, lawLevel: widget.DangerImportance},
		{name: "expired", lang: "en", in: fiscal.Info{Drive: fiscal.Drive{Expires: day(-2)}},
			drive: "FN: -2 days", level: widget.DangerImportance, law: []string{"fiscal drive expired " + day(-2).Format("02.01.2006")}, lawLevel: widget.DangerImportance},
		{name: "registered for another INN", lang: "ru",
			in:    fiscal.Info{Registration: fiscal.Registration{Known: true, INN: "7700000001", Agent: fiscal.PaymentSubagent, TaxSystems: all}, Drive: fiscal.Drive{Expires: day(364)}},
			drive: "ФН: 364 дн.", level: widget.DangerImportance,
			law: []string{"ККТ зарегистрирована на ИНН 7700000001, а в настройках ИНН агента 7700000000"}, lawLevel: widget.DangerImportance},
		{name: "registered as the agent, not the subagent", lang: "en",
			in:    fiscal.Info{Registration: fiscal.Registration{Known: true, INN: "7700000000", Agent: fiscal.PaymentAgent, TaxSystems: all}, Drive: fiscal.Drive{Expires: day(364)}},
			drive: "FN: 364 days", level: widget.DangerImportance,
			law: []string{"the register is not registered as a payment subagent (registered: payment agent)"}, lawLevel: widget.DangerImportance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.lang)
			h.signIn("kassir", "1111")
			s := h.u.status
			fyne.DoAndWait(func() { s.showInfo(&tt.in) })
			assert.True(t, s.drive.Visible())
			assert.Equal(t, tt.drive, s.drive.Text)
			assert.Equal(t, tt.level, s.drive.Importance)
			if len(tt.law) == 0 {
				assert.False(t, s.law.Visible(), s.law.Text)
				return
			}
			assert.True(t, s.law.Visible())
			sign := "⚠ "
			if tt.lawLevel == widget.DangerImportance {
				sign = "✗ "
			}
			assert.True(t, strings.HasPrefix(s.law.Text, sign), s.law.Text)
			for _, w := range tt.law {
				assert.Contains(t, s.law.Text, w)
			}
			assert.Equal(t, tt.lawLevel, s.law.importance())
		})
	}
}

// TestStatusBarDriveFromRegister: signing in refreshes the bar, which asks
// the training register's Info (the till's cache); a register that does
// not answer hides the drive's parts.
func TestStatusBarDriveFromRegister(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	s := h.u.status
	h.wait("drive", func() bool { return s.drive.Text != "" })
	in, err := h.rt.Till.RegisterInfo(context.Background(), false)
	require.NoError(t, err, "the training register's Info (the emulator's)")
	assert.Equal(t, fmt.Sprintf("ФН: %d дн.", in.Drive.DaysLeft(time.Now())), s.drive.Text)
	fyne.DoAndWait(func() { s.showInfo(nil) })
	assert.False(t, s.drive.Visible())
	assert.False(t, s.law.Visible())
}

// TestSettingsTestConnectionInfo: Test connection reads the till's
// register afresh and says its FFD version, registration and drive.
func TestSettingsTestConnectionInfo(t *testing.T) {
	h, st, _ := settingsAsAdmin(t)
	st.port.SetText("emulator")
	st.testDevice()
	h.wait("test", func() bool {
		return strings.Contains(st.testNote.Text, "\n") || strings.Contains(st.testNote.Text, "не ответила")
	})
	in, err := h.rt.Till.RegisterInfo(context.Background(), false)
	require.NoError(t, err)
	assert.Contains(t, st.testNote.Text, "ККТ на связи")
	assert.Contains(t, st.testNote.Text, "ФФД "+in.FFD.String())
	assert.Contains(t, st.testNote.Text, "ФН действует до "+in.Drive.Expires.Format("02.01.2006"))

	// The words for a register whose registration and drive are read.
	text := h.u.infoText(fiscal.Info{FFD: fiscal.FFD12,
		Registration: fiscal.Registration{Known: true, INN: "7700000001", RNM: "0000000001012345", Agent: fiscal.PaymentSubagent, TaxSystems: fiscal.USNIncome},
		Drive:        fiscal.Drive{Expires: day(3), Unsent: 2, FirstUnsent: 17, OldestUnsent: time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)}})
	for _, want := range []string{"ФФД 1.2", "Регистрация: ИНН 7700000001, РНМ 0000000001012345, признак агента: subagent, СНО: usn",
		"ФН действует до " + day(3).Format("02.01.2006") + ", осталось 3 дн.", "Не переданы в ОФД: 2 док., первый — ФД № 17 от 01.12.2026 10:15",
		"• ККТ зарегистрирована на ИНН 7700000001", "• ФН: осталось 3 дн., срочно замените"} {
		assert.Contains(t, text, want)
	}
}

// startPayment chooses the provider and types the number and amount.
func (h *harness) startPayment(code, number, amount string) *payScreen {
	h.u.Show("pay")
	s := h.u.pay
	p, err := h.rt.Till.Provider(code)
	require.NoError(h.t, err)
	s.choose(p)
	test.Type(s.number, number)
	test.Type(s.amount, amount)
	return s
}

// TestBuyerField: the buyer's phone or e-mail goes to the till before the
// check; what the till refuses is said next to the field in the window's
// language and nothing is checked; what it takes is normalised, shown in
// the confirmation and kept with the payment.
func TestBuyerField(t *testing.T) {
	tests := []struct {
		name, lang, contact string
		refused             string // the hint's words; "": taken
		buyer               string // the payment's Buyer once paid
		summary             string
	}{
		{name: "digits", lang: "ru", contact: "12345", refused: "«12345» — укажите телефон (+7 и 10 цифр) или адрес электронной почты"},
		{name: "digits in English", lang: "en", contact: "12345", refused: `"12345" is not a phone (+7 and 10 digits) or an e-mail address`},
		{name: "not an address", lang: "ru", contact: "ivanov@", refused: "«ivanov@» — укажите телефон"},
		{name: "phone", lang: "ru", contact: "+7 916 123-45-67", buyer: "+79161234567", summary: "Электронный чек: +79161234567"},
		{name: "e-mail in English", lang: "en", contact: " ivanov@example.ru ", buyer: "ivanov@example.ru", summary: "Electronic receipt: ivanov@example.ru"},
		{name: "none", lang: "ru", contact: "", buyer: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.lang)
			h.signIn("kassir", "1111")
			_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
			require.NoError(t, err)
			s := h.startPayment("mts", "9161234567", "100")
			test.Type(s.buyer, tt.contact)
			h.key(fyne.KeyF3)
			h.wait("check", func() bool {
				return strings.HasPrefix(s.buyerHint.Text, "⚠") || s.payment != nil && s.payment.State == app.StateChecked || strings.HasPrefix(s.result.Text, "✗")
			})
			if tt.refused != "" {
				assert.True(t, s.buyerHint.Visible())
				assert.True(t, strings.HasPrefix(s.buyerHint.Text, "⚠ "), s.buyerHint.Text)
				assert.Contains(t, s.buyerHint.Text, tt.refused)
				assert.Empty(t, s.result.Text)
				require.NotNil(t, s.payment)
				assert.Equal(t, app.StateEntered, s.payment.State, "nothing checked")
				assert.Empty(t, s.payment.Buyer)
				assert.True(t, s.confirm.Disabled())
				assert.Equal(t, s.buyer, h.u.focused())
				return
			}
			require.NotNil(t, s.payment)
			require.Equal(t, app.StateChecked, s.payment.State, s.result.Text)
			want := tt.buyer
			assert.Equal(t, want, s.payment.Buyer)
			assert.False(t, s.buyerHint.Visible(), s.buyerHint.Text)
			h.key(fyne.KeyF4)
			require.NotNil(t, s.confirmPop)
			summary := popupText(s.confirmPop.Content)
			if tt.summary != "" {
				assert.Contains(t, summary, tt.summary)
			} else {
				assert.NotContains(t, summary, h.u.T("confirm.buyer", "Buyer", ""))
			}
			h.u.router.Handle(fyne.KeyReturn)
			h.wait("pay", func() bool { return s.payment == nil })
			rows, err := h.rt.Till.History(context.Background(), h.u.user, app.Filter{Limit: 5})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, want, rows[0].Buyer)
		})
	}
}

// TestBuyerAfterCheck: a contact typed after the check goes to the till
// before the confirmation opens; a refused one opens none.
func TestBuyerAfterCheck(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
	require.NoError(t, err)
	s := h.startPayment("mts", "9161234567", "100")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool { return s.payment != nil && s.payment.State == app.StateChecked })

	test.Type(s.buyer, "12345")
	h.key(fyne.KeyF4)
	h.wait("buyer", func() bool { return s.buyerHint.Text != "" })
	assert.Contains(t, s.buyerHint.Text, "«12345» — укажите телефон")
	assert.Nil(t, s.confirmPop, "no confirmation with a refused contact")
	assert.Equal(t, app.StateChecked, s.payment.State)
	assert.False(t, s.confirm.Disabled(), "the checked payment still goes once the contact is fixed")

	s.buyer.SetText("")
	test.Type(s.buyer, "8 (916) 123-45-67")
	h.key(fyne.KeyF4)
	h.wait("confirmation", func() bool { return s.confirmPop != nil })
	assert.Contains(t, popupText(s.confirmPop.Content), "Электронный чек: +79161234567")
	assert.Equal(t, "+79161234567", s.payment.Buyer)
}

// labels is every label's text under o, popups' scrolls included.
func labels(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *line:
			b.WriteString(v.Text + "\n")
		case *widget.Label:
			b.WriteString(v.Text + "\n")
		case *container.Scroll:
			walk(v.Content)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// copyLines is the printed copy's lines as its dialog shows them (the
// monospace label).
func copyLines(t *testing.T, pop *widget.PopUp) []string {
	t.Helper()
	require.NotNil(t, pop)
	require.True(t, pop.Visible())
	var text *widget.Label
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			if v.TextStyle.Monospace {
				text = v
			}
		case *container.Scroll:
			walk(v.Content)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(pop.Content)
	require.NotNil(t, text, "the copy's lines")
	return strings.Split(text.Text, "\n")
}

// TestHistoryCopy: History prints a copy of a payment's receipt, and of
// any fiscal document by its number, in the background, and shows the
// printed lines between the copy marks; a number that is not one is
// refused before the till is asked, one the drive does not hold by the
// till's words.
func TestHistoryCopy(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 1000_00)
	require.NoError(t, err)
	_ = h.payAsProvider("mts", "9161234567")
	h.u.Show("history")
	hs := h.u.history
	require.Len(t, hs.rows, 1)
	assert.True(t, hs.copySale.Disabled(), "nothing chosen")
	hs.list.Select(0)
	p := hs.sel
	require.NotZero(t, p.FD)
	assert.False(t, hs.copySale.Disabled())
	assert.True(t, hs.copyRefund.Disabled(), "no return receipt")

	emu := training.Of(h.rt.World).Emulator
	tape := len(emu.Tape())
	test.Tap(hs.copySale)
	h.wait("copy", func() bool { return hs.copyPop != nil })
	lines := copyLines(t, hs.copyPop)
	assert.Equal(t, receipts.CopyMark, strings.TrimSpace(lines[0]), lines)
	assert.Equal(t, receipts.CopyMark, strings.TrimSpace(lines[len(lines)-1]))
	assert.Contains(t, labels(hs.copyPop.Content), fmt.Sprintf("Копия ФД № %d", p.FD))
	assert.Contains(t, strings.Join(lines, "\n"), "КАССОВЫЙ ЧЕК")
	assert.Equal(t, fmt.Sprintf("Копия ФД № %d напечатана", p.FD), hs.message.Text)
	printed := strings.Join(emu.Tape()[tape:], "\n")
	assert.Contains(t, printed, receipts.CopyMark, "printed on the register")
	press(t, hs.copyPop, h.u.T("button.ok"))
	assert.False(t, hs.copyPop.Visible())

	tests := []struct {
		name, number string
		bad          bool   // refused by the dialog
		message      string // the history's message line after
		copyOf       int64  // a copy shown of this FD
	}{
		{name: "letters", number: "12a", bad: true},
		{name: "zero", number: "0", bad: true},
		{name: "too big", number: "4294967296", bad: true},
		{name: "negative", number: "-3", bad: true},
		{name: "not in the drive", number: "99999", message: "✗ Фискального документа № 99999 нет в ФН"},
		{name: "the receipt", number: fmt.Sprint(p.FD), copyOf: p.FD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs.copyPop = nil
			hs.message.SetText("")
			test.Tap(hs.copyAny)
			pop := hs.copyPop
			require.NotNil(t, pop)
			entry := h.u.focused().(*keyEntry)
			test.Type(entry, tt.number)
			entry.OnSubmitted(entry.Text)
			if tt.bad {
				assert.True(t, pop.Visible(), "the dialog stays")
				assert.Contains(t, labels(pop.Content), "⚠ Номер ФД — только цифры")
				assert.Empty(t, hs.message.Text, "the till is not asked")
				pop.Hide()
				return
			}
			assert.False(t, pop.Visible())
			h.wait("copy", func() bool { return !strings.HasSuffix(hs.message.Text, "…") })
			if tt.message != "" {
				assert.Equal(t, tt.message, hs.message.Text)
				assert.Same(t, pop, hs.copyPop, "no copy shown")
				return
			}
			lines := copyLines(t, hs.copyPop)
			assert.Equal(t, receipts.CopyMark, strings.TrimSpace(lines[0]))
			assert.Contains(t, labels(hs.copyPop.Content), fmt.Sprintf("Копия ФД № %d", tt.copyOf))
			hs.copyPop.Hide()
		})
	}
}
