package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/assets"
	"paydesk/internal/clock"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

var keysDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "ui-keys")
	if err != nil {
		panic(err)
	}
	keysDir = filepath.Join(d, "keys")
	if _, err := sim.TrainingKeys(keysDir, time.Now()); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

func TestTranslationsComplete(t *testing.T) {
	ru, err := assets.Messages("ru")
	require.NoError(t, err)
	en, err := assets.Messages("en")
	require.NoError(t, err)
	assert.Empty(t, missing(ru, en), "keys in ru.json missing from en.json")
	assert.Empty(t, missing(en, ru), "keys in en.json missing from ru.json")
	// Every key a screen asks for is translated.
	re := regexp.MustCompile(`T\("([a-z_.]+)"`)
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			key := m[1]
			if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") {
				continue // a prefix completed at run time, checked below
			}
			assert.Contains(t, ru, key, "%s: %q has no translation", f, key)
		}
	}
	for _, prefix := range []string{"group.", "state.", "role.", "report.by_", "nav."} {
		n := 0
		for k := range ru {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		assert.Positive(t, n, prefix)
	}
	for _, g := range gateway.Groups {
		assert.Contains(t, ru, "group."+string(g))
	}
	for _, s := range historyStates[1:] {
		assert.Contains(t, ru, "state."+string(s))
	}
}

func TestFormatNumber(t *testing.T) {
	cat, err := gateway.DefaultCatalogue("http://127.0.0.1:1")
	require.NoError(t, err)
	mts, _ := cat.Find("mts")
	rt, _ := cat.Find("rostelecom")
	tests := []struct {
		p    *gateway.Provider
		in   string
		want string
	}{
		{mts, "9", "+7 (9"},
		{mts, "916", "+7 (916"},
		{mts, "9161", "+7 (916) 1"},
		{mts, "9161234", "+7 (916) 123-4"},
		{mts, "916123456", "+7 (916) 123-45-6"},
		{mts, "9161234567", "+7 (916) 123-45-67"},
		{mts, "+7 (916) 123-45-678", "+7 (916) 123-45-67"},
		{mts, "89161234567", "+7 (916) 123-45-67"},
		{mts, "", ""},
		{mts, "8", "+7 ("},
		{mts, "+7 (", ""},
		{mts, "+7 (9", "+7 (9"},
		{mts, "+7 (91", "+7 (91"},
		{rt, "1234 5678-90", "1234567890"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatNumber(tt.p, tt.in), tt.in)
	}
}

func TestRouter(t *testing.T) {
	r := NewRouter()
	var got []string
	r.Key(fyne.KeyF2, func() { got = append(got, "F2") })
	r.Key(fyne.KeyEscape, func() { got = append(got, "Esc") })
	e := newKeyEntry(r)
	submitted := ""
	e.OnSubmitted = func(s string) { submitted = s }
	w := test.NewWindow(e)
	defer w.Close()
	w.Canvas().Focus(e)
	test.Type(e, "916")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF9}) // unbound: the entry ignores it
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Equal(t, []string{"F2", "Esc"}, got)
	assert.Equal(t, "916", submitted)
	assert.Equal(t, "916", e.Text, "routed keys do not type")
	assert.True(t, r.Handle(fyne.KeyF2))
	assert.False(t, r.Handle(fyne.KeyF3))
	r.Clear()
	assert.False(t, r.Handle(fyne.KeyF2))
}

type harness struct {
	t   *testing.T
	rt  *app.Runtime
	u   *UI
	dir string
	// onStep, when set, is called after each persisted step of a payment.
	onStep atomic.Pointer[func(step string)]
}

func newHarness(t *testing.T, lang string) *harness { return newHarnessClock(t, lang, nil) }

// newHarnessClock is newHarness with the till's, the simulator's and the
// emulator's clock (nil: the real one).
func newHarnessClock(t *testing.T, lang string, clk clock.Clock) *harness {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "training"), 0o700))
	require.NoError(t, exec.Command("cp", "-r", keysDir, filepath.Join(dir, "training", "keys")).Run())
	return newHarnessIn(t, dir, lang, clk, false)
}

// newHarnessIn starts the window on the training desk in dir; with
// recover, as paydesk does: recovery in the background after the window.
func newHarnessIn(t *testing.T, dir, lang string, clk clock.Clock, recover bool) *harness {
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir, cfg.Language = dir, lang
	h := &harness{t: t}
	step := func(step string, _ *app.Payment) {
		if f := h.onStep.Load(); f != nil {
			(*f)(step)
		}
	}
	rt, err := app.Boot(context.Background(), cfg, app.Options{Settle: []time.Duration{5 * time.Millisecond}, PINCost: bcrypt.MinCost,
		Training: training.Start, Step: step, Clock: clk, RecoverLater: recover})
	require.NoError(t, err)
	a := test.NewTempApp(t)
	u := New(a, rt, Options{StatusEvery: time.Hour, ResolveEvery: time.Hour, Recover: recover})
	u.Window().Resize(fyne.NewSize(1366, 768))
	t.Cleanup(func() { u.Close(); rt.Close() })
	h.rt, h.u, h.dir = rt, u, dir
	return h
}

func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() && !h.u.Busy() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("timed out waiting for %s", what)
}

// during waits for cond while background work may still run.
func (h *harness) during(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("timed out waiting for %s", what)
}

// key presses a key as the window's driver does: the focused widget gets
// it, else the canvas (the router).
func (h *harness) key(k fyne.KeyName) {
	if f := h.u.win.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: k})
		return
	}
	h.u.router.Handle(k)
}

// shortcut presses a Ctrl or Alt shortcut as the window's driver does: a
// focused widget that takes shortcuts gets it, else the canvas.
func (h *harness) shortcut(mod fyne.KeyModifier, k fyne.KeyName) {
	sc := &desktop.CustomShortcut{KeyName: k, Modifier: mod}
	if f, ok := h.u.win.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(sc)
		return
	}
	if f := h.u.router.shortcuts[sc.ShortcutName()]; f != nil {
		f()
	}
}

func (h *harness) signIn(login, pin string) {
	s := h.u.signInForm
	for i, o := range s.who.Options {
		if strings.Contains(o, "("+login+")") {
			s.who.SetSelectedIndex(i)
		}
	}
	s.message.SetText("")
	test.Type(s.pin, pin)
	h.key(fyne.KeyReturn)
	h.wait("sign-in", func() bool { return h.u.user != nil || s.message.Text != "" })
}

func TestSignIn(t *testing.T) {
	h := newHarness(t, "ru")
	assert.Contains(t, h.u.signInForm.who.Selected, "(kassir)", "a cashier is chosen, not the administrator")
	h.signIn("kassir", "0000")
	assert.Nil(t, h.u.user)
	assert.Equal(t, "✗ Неверный логин или PIN: осталось попыток — 4", h.u.signInForm.message.Text)
	assert.Equal(t, widget.DangerImportance, h.u.signInForm.message.importance(), "shown as an error")
	assert.Empty(t, h.u.signInForm.pin.Text)
	h.signIn("kassir", "1111")
	require.NotNil(t, h.u.user)
	assert.Equal(t, "pay", h.u.screen)
	assert.True(t, h.u.navButton["reports"].Disabled(), "reports are for managers")
	assert.True(t, h.u.navButton["settings"].Disabled(), "settings are for administrators")
	assert.False(t, h.u.navButton["shift"].Disabled())

	// Whoever signed in last is chosen next time.
	h.signOutAndIn("manager", "222222")
	fyne.DoAndWait(h.u.signOut)
	assert.Contains(t, h.u.signInForm.who.Selected, "(manager)")
}

// signOutAndIn signs out and in as login, and waits until the choice is kept.
func (h *harness) signOutAndIn(login, pin string) {
	fyne.DoAndWait(h.u.signOut)
	h.signIn(login, pin)
	h.wait("last sign-in kept", func() bool {
		return h.u.till.LastLogin(h.u.ctx) == login
	})
}

// TestPaymentThroughScreens drives the whole payment as a cashier would.
func TestPaymentThroughScreens(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 1000_00)
	require.NoError(t, err)
	s := h.u.pay

	// Choose the provider from the search, by keyboard.
	h.u.win.Canvas().Focus(s.search)
	test.Type(s.search, "мтс")
	s.search.OnSubmitted(s.search.Text)
	require.NotNil(t, s.prov)
	assert.Equal(t, "МТС", s.provider.Text)
	assert.Equal(t, s.number, h.u.focused(), "the number field has the focus")

	// The number formats as it is typed and says what is wrong.
	test.Type(s.number, "916123")
	assert.Equal(t, "+7 (916) 123", s.number.Text)
	assert.True(t, strings.HasPrefix(s.hint.Text, "⚠"), s.hint.Text)
	assert.True(t, s.checkNo.Disabled())
	test.Type(s.number, "4567")
	assert.Equal(t, "+7 (916) 123-45-67", s.number.Text)
	assert.True(t, strings.HasPrefix(s.hint.Text, "✓"))

	// F2: check the number, the operator's name appears.
	h.key(fyne.KeyF2)
	h.wait("number check", func() bool { return s.opName.Text != "" || strings.HasPrefix(s.result.Text, "✗") })
	assert.Contains(t, s.opName.Text, "Оператор:")
	assert.Equal(t, s.amount, h.u.focused())

	// Alt+4: 500 ₽; the quote shows fee, total and commission.
	h.u.router.shortcuts[shortcutName(fyne.KeyModifierAlt, fyne.Key4)]()
	assert.Equal(t, "500.00", s.amount.Text)
	assert.Contains(t, s.quote.Text, "к оплате 500.00")
	assert.Contains(t, s.quote.Text, "вознаграждение партнёра 15.00")

	// Enter in the amount: Pay (the check with the amount).
	h.key(fyne.KeyReturn)
	h.wait("check", func() bool { return s.payment != nil && s.payment.State == app.StateChecked })
	assert.Contains(t, s.result.Text, "Возьмите с плательщика 500.00")
	assert.False(t, s.confirm.Disabled())

	// F4 opens the summary to read to the payer; Enter sends it.
	h.key(fyne.KeyF4)
	require.NotNil(t, s.confirmPop)
	assert.True(t, s.confirmPop.Visible())
	summary := popupText(s.confirmPop.Content)
	assert.Contains(t, summary, "+7 (916) 123-45-67")
	assert.Contains(t, summary, "К оплате: 500.00")
	h.u.router.Handle(fyne.KeyReturn)
	h.wait("payment", func() bool {
		return strings.Contains(s.result.Text, "Платёж зачислен") || strings.HasPrefix(s.result.Text, "✗")
	})
	assert.Regexp(t, `ФД \d+, ФП \d+`, s.result.Text)
	assert.Nil(t, s.payment)

	// History shows it with the receipt as printed.
	h.u.Show("history")
	require.Len(t, h.u.history.rows, 1)
	h.u.history.list.Select(0)
	assert.Contains(t, h.u.history.detail.Text, "КАССОВЫЙ ЧЕК")
	assert.Contains(t, h.u.history.detail.Text, "ПЛ. СУБАГЕНТ")
	assert.Contains(t, h.u.history.detail.Text, "СОХРАНЯЙТЕ КВИТАНЦИЮ")
	assert.Contains(t, h.u.status.pending.Text, "Ожидают: 0")
}

func popupText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *line:
			b.WriteString(v.Text + "\n")
		case *widget.Label:
			b.WriteString(v.Text + "\n")
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// payAs runs a payment through the screen and returns the result line.
func (h *harness) payAs(number string) string {
	s := h.u.pay
	p, err := h.rt.Till.Provider("megafon")
	require.NoError(h.t, err)
	s.choose(p)
	test.Type(s.number, number)
	test.Type(s.amount, "300")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool {
		return s.payment != nil && s.payment.State == app.StateChecked || strings.HasPrefix(s.result.Text, "✗")
	})
	if strings.HasPrefix(s.result.Text, "✗") {
		return s.result.Text
	}
	h.key(fyne.KeyF4)
	h.u.router.Handle(fyne.KeyReturn)
	h.wait("confirm", func() bool { return s.payment == nil })
	return s.result.Text
}

func TestRefusalUnknownAndPaperOut(t *testing.T) {
	h := newHarness(t, "ru")
	h.signIn("kassir", "1111")
	_, err := h.rt.Till.OpenShift(context.Background(), h.u.user, 0)
	require.NoError(t, err)

	// A refusal: the catalogue's message, nothing paid.
	res := h.payAs("9000000023")
	assert.Equal(t, "✗ Неверный номер телефона или счёта: оператор отклонил номер — проверьте с плательщиком номер и сумму", res)

	// The unknown outcome: the answer is lost and status says in progress.
	training.Of(h.rt.World).Sim.SetFaults(sim.Faults{Drop: sim.OpPay, Stuck: true})
	res = h.payAs("9261112233")
	training.Of(h.rt.World).Sim.SetFaults(sim.Faults{})
	assert.True(t, strings.HasPrefix(res, "⏳"), res)
	assert.Contains(t, res, "не принимайте его повторно")
	h.u.Show("pending")
	assert.Len(t, h.u.pending.unknown, 1)
	assert.Contains(t, h.u.status.pending.Text, "Ожидают: 1")

	// No paper before pay: pay is not sent, and the cashier is told why.
	h.u.Show("pay")
	emu := training.Of(h.rt.World).Emulator
	emu.SetPaper(false)
	res = h.payAs("9267778899")
	assert.Contains(t, res, "Платёж не отправлен")
	assert.Contains(t, res, "нет чековой ленты")
	emu.SetPaper(true)

	// Paper out once pay went out: taken, the receipt waits; Print again makes it.
	h.u.Show("pay")
	paperOut := func(step string) {
		if step == string(app.StepPaySent) {
			emu.SetPaper(false)
		}
	}
	h.onStep.Store(&paperOut)
	res = h.payAs("9267778800")
	h.onStep.Store(nil)
	assert.Contains(t, res, "чек не напечатан")
	h.u.Show("pending")
	require.Len(t, h.u.pending.queue, 1)
	training.Of(h.rt.World).Emulator.SetPaper(true)
	h.u.pending.printAgain()
	h.wait("print again", func() bool { return len(h.u.pending.queue) == 0 })
	assert.Equal(t, "Напечатано", h.u.pending.message.Text)
}

func TestManagerScreensAndEnglish(t *testing.T) {
	h := newHarness(t, "en")
	h.signIn("manager", "222222")
	require.NotNil(t, h.u.user)
	assert.Equal(t, "Payment  F1", h.u.navButton["pay"].Text)
	h.u.Show("shift")
	assert.Contains(t, h.u.shift.info.Text, "No shift is open")
	test.Type(h.u.shift.float, "1000")
	h.u.shift.open()
	h.wait("open", func() bool { return !h.u.shift.working })
	assert.Equal(t, "✓ Shift 1 is open with a float of 1000.00 ₽. Payments can be taken (F1).", h.u.shift.openNote.Text)
	assert.Contains(t, h.u.shift.info.Text, "Opening float:     1000.00")
	_ = h.payAsProvider("mts", "9161234567")
	h.u.Show("reports")
	require.Len(t, h.u.reports.rows, 1)
	assert.Equal(t, "МТС", h.u.reports.rows[0].Label)
	assert.Len(t, h.u.reports.chart.Objects, 3, "one bar with its label and value")
	h.u.reports.exportCSV()
	save := h.u.win.Canvas().Overlays().Top()
	require.NotNil(t, save, "a save dialog")
	save.Hide()
	file := filepath.Join(t.TempDir(), "report.csv")
	f, err := os.Create(file)
	require.NoError(t, err)
	h.u.reports.save(file, f)
	h.wait("csv", func() bool { return strings.HasPrefix(h.u.reports.message.Text, "Saved: ") })
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	want := "\uFEFFBy provider,Payments,Amount,Point's fee,Taken,Commission\r\nMTS,1,100.00," // the provider in the window's language
	assert.Equal(t, want, string(data[:len(want)]))
	h.u.Show("settings")
	assert.Equal(t, "reports", h.u.screen, "settings are for administrators")
	overlay := h.u.win.Canvas().Overlays().Top()
	require.NotNil(t, overlay)
	assert.Contains(t, popupText(overlay.(*widget.PopUp).Content), "Your role does not allow this screen")
	overlay.Hide()
	h.u.Show("shift")
	test.Type(h.u.shift.counted, "1100")
	h.u.shift.close()
	require.NotNil(t, h.u.shift.ask)
	assert.Contains(t, popupText(h.u.shift.ask.Content), "Difference:            0.00 ₽ (even)")
	h.key(fyne.KeyReturn)
	h.wait("close", func() bool { return strings.HasPrefix(h.u.shift.closeNote.Text, "✓ Shift closed") })
	assert.Contains(t, h.u.shift.closeNote.Text, "difference 0.00")
}

func (h *harness) payAsProvider(code, number string) string {
	h.u.Show("pay")
	s := h.u.pay
	p, err := h.rt.Till.Provider(code)
	require.NoError(h.t, err)
	s.choose(p)
	test.Type(s.number, number)
	test.Type(s.amount, "100")
	h.key(fyne.KeyF3)
	h.wait("check", func() bool { return s.payment != nil && s.payment.State == app.StateChecked })
	h.key(fyne.KeyF4)
	h.u.router.Handle(fyne.KeyReturn)
	h.wait("confirm", func() bool { return s.payment == nil })
	return s.result.Text
}

func TestSettingsKeysAndSave(t *testing.T) {
	h := newHarness(t, "ru")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	h.signIn("admin", "999999")
	h.u.Show("settings")
	st := h.u.settings
	keys := filepath.Join(h.rt.DataDir, "training", "keys")
	st.keyFile.SetText(filepath.Join(keys, "secret.key"))
	st.bankFile.SetText(filepath.Join(keys, "pubkeys.key"))
	st.loadPass.SetText("wrong")
	st.checkKeys()
	h.wait("check", func() bool { return st.keysNote.Text != "" })
	assert.Equal(t, "✗ Неверный пароль секретного ключа", st.keysNote.Text)
	pass, err := os.ReadFile(filepath.Join(keys, "passphrase"))
	require.NoError(t, err)
	st.keysNote.clear()
	st.loadPass.SetText(string(pass))
	st.checkKeys()
	h.wait("check", func() bool { return st.keysNote.Text != "" })
	assert.Contains(t, st.keysNote.Text, "Ключи в порядке: ключ точки 17033 (api17032, 1024 бит), ключ банка 64182")

	st.port.SetText("tcp://127.0.0.1:7778")
	st.remember.SetChecked(true)
	st.message.SetText("")
	st.save()
	h.wait("save", func() bool { return strings.Contains(st.message.Text, "Сохранено в") })
	file := configTarget(h.rt.Config)
	cfg, err := config.Load(file)
	require.NoError(t, err)
	assert.Equal(t, "tcp://127.0.0.1:7778", cfg.Fiscal.Port)
	assert.Equal(t, filepath.Join(keys, "secret.key"), cfg.Keys.Secret)
	assert.Equal(t, config.StoreKeyring, cfg.Keys.PassphraseStore)
	p, err := cfg.Passphrase()
	require.NoError(t, err, "from the (mock) credential store")
	assert.Equal(t, string(pass), string(p))
	assert.NoFileExists(t, filepath.Join(filepath.Dir(file), "passphrase"), "no plain passphrase file any more")
}

func TestCrashReportShown(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "training"), 0o700))
	require.NoError(t, exec.Command("cp", "-r", keysDir, filepath.Join(dir, "training", "keys")).Run())
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.DataDir = dir
	rt, err := app.Boot(context.Background(), cfg, app.Options{PINCost: bcrypt.MinCost, Training: training.Start})
	require.NoError(t, err)
	defer rt.Close()
	u := New(test.NewTempApp(t), rt, Options{Version: "1.2.3", CrashReports: []string{"/data/crash-1.log"}})
	defer u.Close()
	top := u.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	assert.Contains(t, popupText(top.(*widget.PopUp).Content), "/data/crash-1.log")
	assert.Contains(t, popupText(u.win.Content()), "PayDesk 1.2.3")
}

// find walks o for the first object that match accepts.
func find(o fyne.CanvasObject, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	if match(o) {
		return o
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, k := range c.Objects {
			if f := find(k, match); f != nil {
				return f
			}
		}
	}
	return nil
}

// A cashier locked by wrong PINs is unlocked from the sign-in screen once a
// manager signs in over it; a wrong manager PIN unlocks nothing.
func TestSignInUnlock(t *testing.T) {
	h := newHarness(t, "ru")
	for range 5 {
		h.signIn("kassir", "0000")
	}
	require.Nil(t, h.u.user)
	h.signIn("kassir", "1111")
	require.Nil(t, h.u.user, "locked: the right PIN is refused too")
	assert.Contains(t, h.u.signInForm.message.Text, "заблокирован")

	for _, managerPIN := range []string{"0000", "222222"} {
		fyne.DoAndWait(h.u.signInForm.unlock.OnTapped)
		var pop *widget.PopUp
		h.wait("approval", func() bool {
			p, ok := h.u.win.Canvas().Overlays().Top().(*widget.PopUp)
			pop = p
			return ok
		})
		entry := find(pop.Content, func(o fyne.CanvasObject) bool { _, ok := o.(*keyEntry); return ok }).(*keyEntry)
		ok := find(pop.Content, func(o fyne.CanvasObject) bool {
			b, ok := o.(*keyButton)
			return ok && b.Text == "Подтвердить"
		}).(*keyButton)
		who := find(pop.Content, func(o fyne.CanvasObject) bool { _, ok := o.(*keySelect); return ok }).(*keySelect)
		fyne.DoAndWait(func() {
			for i, o := range who.Options {
				if strings.Contains(o, "(manager)") {
					who.SetSelectedIndex(i)
				}
			}
		})
		test.Type(entry, managerPIN)
		fyne.DoAndWait(ok.OnTapped)
		if managerPIN == "0000" {
			h.wait("refused", func() bool {
				return find(pop.Content, func(o fyne.CanvasObject) bool {
					l, ok := o.(*widget.Label)
					return ok && strings.Contains(l.Text, "Неверный логин или PIN")
				}) != nil
			})
			fyne.DoAndWait(func() { pop.Hide(); h.u.win.Canvas().Overlays().Remove(pop) })
			h.signIn("kassir", "1111")
			require.Nil(t, h.u.user, "a wrong manager PIN unlocks nothing")
			continue
		}
		h.wait("unlocked", func() bool { return strings.Contains(h.u.signInForm.message.Text, "снята") })
	}
	h.signIn("kassir", "1111")
	require.NotNil(t, h.u.user, "unlocked: the PIN opens again")
}
