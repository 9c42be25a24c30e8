package ui

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/receipts"
)

// quickAmounts are the amount buttons (Alt+1 … Alt+5).
var quickAmounts = []money.Amount{100_00, 200_00, 300_00, 500_00, 1000_00}

// payScreen is the main screen: provider, number, amount, check, pay.
type payScreen struct {
	u    *UI
	root fyne.CanvasObject

	search   *keyEntry
	groups   *container.AppTabs
	tiles    map[gateway.Group]*fyne.Container
	provider *widget.Label
	number   *keyEntry
	numberL  *widget.Label
	hint     *line
	// fields are a described provider's other fields (a period, a
	// service, a meter reading).
	fields   *fieldsForm
	checkNo  *keyButton
	opName   *widget.Label
	amount   *keyEntry
	quote    *line
	check    *keyButton
	addInfo  *widget.Label
	confirm  *keyButton
	progress *widget.ProgressBarInfinite
	result   *line
	tool     *widget.RadioGroup
	// buyer is the payer's phone or e-mail for an electronic receipt
	// (optional, tag 1008); buyerHint says what the till made of it.
	buyer     *keyEntry
	buyerHint *line

	prov *gateway.Provider
	// buyerSent is the buyer's text the till took for buyerOf (a payment's
	// ID): the text is sent again only when it changed.
	buyerSent  string
	buyerOf    int64
	payment    *app.Payment
	working    bool
	formatting bool
	confirmPop *widget.PopUp
	newBtn     *keyButton

	// stage is where the payment waited for is (a catalogue key), since
	// started; device tells a stage of the register from the network's.
	stage   string
	device  bool
	started time.Time

	// noShift is the first step when no shift is open: open one here.
	noShift    *fyne.Container
	shiftFloat *keyEntry
	shiftOpen  *keyButton
	shiftNote  *note
	opening    bool
}

func newPayScreen(u *UI) *payScreen {
	s := &payScreen{u: u, tiles: map[gateway.Group]*fyne.Container{}}
	s.search = newKeyEntry(u.router)
	s.search.PlaceHolder = u.T("pay.search")
	s.search.OnChanged = func(string) { s.fillTiles() }
	var tabs []*container.TabItem
	for _, g := range gateway.Groups {
		c := container.NewGridWrap(fyne.NewSize(150, 56))
		s.tiles[g] = c
		tabs = append(tabs, container.NewTabItem(u.T("group."+string(g)), container.NewVScroll(c)))
	}
	s.groups = container.NewAppTabs(tabs...)
	s.fillTiles()

	s.provider = widget.NewLabelWithStyle(u.T("pay.choose_provider"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.number = newKeyEntry(u.router)
	s.number.PlaceHolder = u.T("pay.number")
	s.number.OnChanged = s.numberChanged
	s.number.OnSubmitted = func(text string) {
		if isBill(text) {
			s.scanBill(text)
			return
		}
		if !s.fields.focusFirst() {
			s.u.win.Canvas().Focus(s.amount)
		}
	}
	s.numberL = widget.NewLabel(u.T("pay.number_label"))
	s.hint = newLine(fyne.TextStyle{})
	s.fields = newFieldsForm(u, func() string { return s.number.Text }, s.fieldsChanged)
	s.checkNo = u.button(u.T("pay.check_number")+"  F2", theme.SearchIcon(), s.doCheckNumber)
	s.opName = wrapLabel("")
	s.amount = newKeyEntry(u.router)
	s.amount.PlaceHolder = u.T("pay.amount")
	s.amount.OnChanged = func(string) { s.updateQuote() }
	s.amount.OnSubmitted = func(string) {
		if s.confirmable() {
			s.askConfirm()
		} else {
			s.doCheck()
		}
	}
	quick := container.NewHBox()
	for i, a := range quickAmounts {
		a := a
		quick.Add(u.button(fmt.Sprintf("%d ₽", a/100), nil, func() { s.setAmount(a) }))
		_ = i
	}
	s.tool = widget.NewRadioGroup([]string{u.T("pay.cash"), u.T("pay.card")}, nil)
	s.tool.Horizontal = true
	// A tapped choice takes the focus: the keys go back to the amount.
	s.tool.OnChanged = func(string) {
		if s.amount != nil {
			s.u.win.Canvas().Focus(s.amount)
		}
	}
	s.tool.SetSelected(u.T("pay.cash"))
	s.buyer = newKeyEntry(u.router)
	s.buyer.PlaceHolder = u.T("pay.buyer")
	s.buyer.OnChanged = func(string) { s.setBuyerHint("") }
	s.buyer.OnSubmitted = s.amount.OnSubmitted
	s.buyerHint = newLine(fyne.TextStyle{})
	s.buyerHint.Hide()
	s.quote = newLine(fyne.TextStyle{})
	s.check = u.button(u.T("pay.pay")+"  F3", theme.MailSendIcon(), s.doCheck)
	s.check.Importance = widget.HighImportance
	s.addInfo = wrapLabel("")
	s.confirm = u.button(u.T("pay.confirm")+"  F4", theme.ConfirmIcon(), s.askConfirm)
	s.confirm.Importance = widget.SuccessImportance
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.result = newLine(fyne.TextStyle{Bold: true})
	s.newBtn = u.button(u.T("pay.new")+"  Esc", theme.ContentClearIcon(), s.reset)
	newBtn := s.newBtn

	s.shiftFloat = u.entry()
	s.shiftFloat.PlaceHolder = u.T("shift.placeholder")
	s.shiftFloat.OnSubmitted = func(string) { s.openShift() }
	s.shiftOpen = u.button(u.T("shift.open"), theme.MediaPlayIcon(), s.openShift)
	s.shiftOpen.Importance = widget.HighImportance
	s.shiftNote = newNote()
	s.noShift = container.NewVBox(titleLabel(u.T("pay.no_shift_title")), wrapLabel(u.T("pay.no_shift_text")),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("shift.float")), s.shiftOpen, s.shiftFloat), s.shiftNote,
		widget.NewSeparator())
	s.noShift.Hide()

	form := container.NewVBox(
		s.noShift,
		s.provider,
		s.numberL, s.number, s.hint,
		container.NewHBox(s.checkNo), s.opName, s.fields.box,
		widget.NewSeparator(),
		widget.NewLabel(u.T("pay.amount_label")), s.amount, quick, s.tool, s.quote,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("pay.buyer_label")), nil, s.buyer), s.buyerHint,
		container.NewHBox(s.check), s.addInfo,
		widget.NewSeparator(),
		container.NewHBox(s.confirm, layout.NewSpacer(), newBtn),
		s.progress, s.result,
	)
	left := container.NewBorder(s.search, nil, nil, nil, s.groups)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(form)))
	split.Offset = 0.42
	s.root = split
	s.reset()
	return s
}

func (s *payScreen) content() fyne.CanvasObject { s.refreshShift(); return s.root }

// refreshShift shows the first step, opening a shift, when none is open.
func (s *payScreen) refreshShift() {
	st, err := s.u.till.Shift(s.u.ctx)
	if err != nil || st.Shift != nil {
		if s.noShift.Visible() && !s.working {
			s.result.SetText("") // "no shift open" is over
		}
		s.noShift.Hide()
		return
	}
	s.noShift.Show()
}

// openShift opens the shift from the payment screen with the float typed.
func (s *payScreen) openShift() {
	if s.opening {
		return
	}
	var float money.Amount
	if s.shiftFloat.Text != "" {
		a, err := money.Parse(s.shiftFloat.Text)
		if err != nil || a < 0 {
			s.shiftNote.refuse(s.u.T("pay.amount_bad"))
			return
		}
		float = a
	}
	s.opening = true
	s.shiftOpen.Disable()
	s.shiftNote.info(s.u.T("shift.working"))
	s.u.background(func(ctx context.Context) func() {
		sh, err := s.u.till.OpenShift(ctx, s.u.user, float)
		return func() {
			s.opening = false
			s.shiftOpen.Enable()
			if err != nil {
				s.shiftNote.fail(s.u, err)
				return
			}
			s.shiftNote.clear()
			s.shiftFloat.SetText("")
			s.noShift.Hide()
			s.result.SetText("✓ " + s.u.T("shift.opened_float", "ID", sh.ID, "Float", float.String()))
			s.u.status.refreshAll()
			s.focus()
		}
	})
}

func (s *payScreen) focus() {
	if s.noShift.Visible() {
		s.u.win.Canvas().Focus(s.shiftFloat)
		return
	}
	if s.prov == nil {
		s.u.win.Canvas().Focus(s.search)
	} else {
		s.u.win.Canvas().Focus(s.number)
	}
}

// bindKeys binds the payment keys.
func (s *payScreen) bindKeys() {
	r := s.u.router
	r.Key(fyne.KeyF2, s.doCheckNumber)
	r.Key(fyne.KeyF3, s.doCheck)
	r.Key(fyne.KeyF4, s.askConfirm)
	r.Key(fyne.KeyEscape, s.reset)
	for i, a := range quickAmounts {
		a := a
		r.Shortcut(fyne.KeyModifierAlt, fyne.KeyName(fmt.Sprint(i+1)), func() { s.setAmount(a) })
	}
	for i, g := range gateway.Groups {
		i := i
		_ = g
		r.Shortcut(fyne.KeyModifierControl, fyne.KeyName(fmt.Sprint(i+1)), func() { s.groups.SelectIndex(i) })
	}
	r.Shortcut(fyne.KeyModifierControl, fyne.KeyF, func() { s.u.win.Canvas().Focus(s.search) })
	r.Shortcut(fyne.KeyModifierControl, fyne.KeyN, s.reset)
}

func (s *payScreen) fillTiles() {
	q := strings.ToLower(strings.TrimSpace(s.search.Text))
	first := -1
	for gi, g := range gateway.Groups {
		c := s.tiles[g]
		c.Objects = nil
		for _, p := range s.u.till.ProvidersIn(g) {
			p := p
			if q != "" && !s.matches(p, q) {
				continue
			}
			b := s.u.button(s.u.nameOf(p), nil, func() { s.choose(p) })
			c.Objects = append(c.Objects, b)
			if first < 0 {
				first = gi
			}
		}
		c.Refresh()
	}
	if q != "" && first >= 0 && s.groups != nil {
		s.groups.SelectIndex(first)
	}
	if s.search != nil {
		s.search.OnSubmitted = func(text string) {
			if isBill(text) {
				s.search.SetText("")
				s.scanBill(text)
				return
			}
			for _, g := range gateway.Groups {
				for _, p := range s.u.till.ProvidersIn(g) {
					if q == "" || s.matches(p, q) {
						s.choose(p)
						return
					}
				}
			}
		}
	}
}

// matches reports whether the search q (lower case) finds p by either
// name or its code.
func (s *payScreen) matches(p *gateway.Provider, q string) bool {
	return strings.Contains(strings.ToLower(p.Name), q) || strings.Contains(strings.ToLower(p.NameEN), q) || strings.Contains(p.Code, q)
}

// choose picks a provider and starts a new payment form.
func (s *payScreen) choose(p *gateway.Provider) {
	if s.working {
		return
	}
	s.prov = p
	s.payment = nil
	s.provider.SetText(s.u.nameOf(p))
	s.fields.set(p)
	s.numberL.SetText(s.u.T("pay.number_label"))
	s.number.PlaceHolder = s.u.T("pay.number")
	if in := p.Input(p.Main()); in != nil {
		s.numberL.SetText(s.u.inputName(in))
		s.number.PlaceHolder = in.Mask
	}
	s.number.SetText("")
	s.amount.SetText("")
	s.buyer.SetText("")
	s.opName.SetText("")
	s.addInfo.SetText("")
	s.result.SetText("")
	s.hint.SetText(s.u.hintOf(p))
	s.update()
	s.u.win.Canvas().Focus(s.number)
}

// nameOf is the provider's name in the window's language (receipts and
// the books keep the Russian one).
func (u *UI) nameOf(p *gateway.Provider) string {
	if u.lang == i18n.EN && p.NameEN != "" {
		return p.NameEN
	}
	return p.Name
}

// providerName is a payment's provider as the window names it: the
// catalogue's name in the window's language, else the one the books keep.
func (u *UI) providerName(p *app.Payment) string {
	if prov, err := u.till.Provider(p.ProviderCode); err == nil {
		return u.nameOf(prov)
	}
	return p.ProviderName
}

func (u *UI) hintOf(p *gateway.Provider) string {
	if u.lang == i18n.EN && p.HintEN != "" {
		return p.HintEN
	}
	return p.Hint
}

// FormatNumber formats what the cashier typed as she types: +7 (916)
// 123-45-67 for mobile numbers, digits only otherwise.
func FormatNumber(p *gateway.Provider, text string) string {
	if p == nil {
		return text
	}
	if in := p.Input(p.Main()); in != nil && in.Type != gateway.TypeNumber {
		return text // a described provider's text field is sent as typed
	}
	t := strings.TrimSpace(text)
	if p.Group == gateway.Mobile {
		t = strings.TrimPrefix(t, "+7")
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, t)
	if p.Group != gateway.Mobile {
		return digits
	}
	// Russian mobile numbers start with 9: a leading 7 or 8 is the country
	// or trunk prefix the cashier typed out of habit.
	if len(digits) > 0 && (digits[0] == '7' || digits[0] == '8') {
		digits = digits[1:]
		if digits == "" {
			return "+7 ("
		}
	}
	if len(digits) > 10 {
		digits = digits[:10]
	}
	if len(digits) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("+7 (")
	for i, c := range digits {
		switch i {
		case 3:
			b.WriteString(") ")
		case 6, 8:
			b.WriteString("-")
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *payScreen) numberChanged(text string) {
	if s.formatting || s.prov == nil {
		return
	}
	if mayBeBill(text) {
		s.hint.SetText(s.u.T("pay.bill_reading")) // a scanner is typing a bill's code: Enter reads it
		s.update()
		return
	}
	f := FormatNumber(s.prov, text)
	if f != text {
		s.formatting = true
		s.number.SetText(f)
		s.number.CursorColumn = len([]rune(f))
		s.number.Refresh()
		s.formatting = false
	}
	if f != "" && s.payment == nil {
		s.result.SetText("") // the last payer's end is not this one's
	}
	if s.payment != nil && s.payment.State != app.StateEntered {
		s.payment = nil // a new number is a new payment
		s.result.SetText("")
		s.opName.SetText("")
		s.addInfo.SetText("")
	}
	if f == "" {
		s.hint.SetText(s.u.hintOf(s.prov))
	} else if err := s.numberErr(f); err != nil {
		s.hint.SetText("⚠ " + s.u.appMessage(err))
	} else {
		s.hint.SetText("✓ " + s.u.T("pay.number_ok"))
	}
	s.fields.show() // a dependency may read the number
	s.update()
}

// numberErr checks the number or account as the provider says: its
// pattern, or for a described provider its main field's description.
func (s *payScreen) numberErr(text string) error {
	if in := s.prov.Input(s.prov.Main()); in != nil {
		_, err := in.Check(text)
		return err
	}
	_, err := s.prov.Validate(text)
	return err
}

// fieldsChanged: another field of a described provider was typed; a
// payment checked with the old values is not this one.
func (s *payScreen) fieldsChanged() {
	if s.payment != nil && s.payment.State != app.StateEntered {
		s.payment = nil
		s.result.SetText("")
		s.opName.SetText("")
		s.addInfo.SetText("")
	}
	s.update()
}

func (s *payScreen) setAmount(a money.Amount) {
	s.amount.SetText(a.String())
	s.u.win.Canvas().Focus(s.amount)
}

func (s *payScreen) payTool() app.PayTool {
	if s.tool.Selected == s.u.T("pay.card") {
		return app.Card
	}
	return app.Cash
}

func (s *payScreen) updateQuote() {
	if s.prov == nil {
		return
	}
	a, err := money.Parse(s.amount.Text)
	if err != nil || s.amount.Text == "" {
		if s.amount.Text != "" {
			s.quote.SetText("⚠ " + s.u.T("pay.amount_bad"))
		} else {
			s.quote.SetText(s.u.T("pay.limits", "Min", s.prov.Min.String(), "Max", s.prov.Max.String()))
		}
		s.update()
		return
	}
	if err := s.prov.CheckAmount(a); err != nil {
		s.quote.SetText("⚠ " + s.u.appMessage(err))
		s.update()
		return
	}
	q, _ := s.u.till.Quote(s.prov.Code, a)
	s.quote.SetText(s.u.T("pay.quote", "Amount", q.Amount.String(), "Fee", q.Fee.String(), "Total", q.Total.String(), "Commission", q.Commission.String()))
	if s.payment != nil && app.Can(s.payment, app.StepPaySent) && s.payment.Amount != a {
		s.addInfo.SetText("") // amount changed: it is checked again before it can be sent
		s.result.SetText("")
	}
	s.update()
}

// confirmable reports whether the payment may be sent now: checked, for the
// amount the form shows (a changed amount is checked again first).
func (s *payScreen) confirmable() bool {
	p := s.payment
	if !app.Can(p, app.StepPaySent) {
		return false
	}
	a, err := money.Parse(s.amount.Text)
	return err == nil && a == p.Amount
}

// update enables what the form allows now.
func (s *payScreen) update() {
	set := func(b *keyButton, on bool) {
		if on && !s.working {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	numberOK := s.prov != nil && s.number.Text != ""
	if numberOK {
		numberOK = s.numberErr(s.number.Text) == nil && s.fields.valid()
	}
	amountOK := false
	if a, err := money.Parse(s.amount.Text); err == nil && s.prov != nil {
		amountOK = s.prov.CheckAmount(a) == nil
	}
	confirmable := s.confirmable()
	set(s.checkNo, numberOK && (s.payment == nil || s.payment.State == app.StateEntered))
	set(s.check, numberOK && amountOK && !confirmable)
	set(s.confirm, confirmable)
	set(s.newBtn, true)
	if s.working {
		s.progress.Show()
		s.progress.Start()
	} else {
		s.progress.Stop()
		s.progress.Hide()
	}
}

// reset clears the form for the next payer (Escape). A payment checked but
// not sent is cancelled; one sent is the resolver's.
func (s *payScreen) reset() {
	if s.working {
		return
	}
	if p := s.payment; app.Can(p, app.StepCancelled) && s.u.user != nil {
		_ = s.u.till.Cancel(s.u.ctx, s.u.user, p)
	}
	s.clearForm()
	s.result.SetText("")
	s.update()
	s.focus()
}

// sameFields reports whether the payment on the screen was started with
// what the fields hold now.
func (s *payScreen) sameFields(number string, typed map[string]string) bool {
	if !s.prov.Described() {
		return true
	}
	all := maps.Clone(typed)
	all[s.prov.Main()] = number
	vals, err := s.prov.Values(all)
	return err == nil && maps.Equal(vals, s.payment.Fields)
}

// start creates the payment when there is none for this number yet.
func (s *payScreen) start(ctx context.Context, number string) (*app.Payment, error) {
	typed := s.fields.typed()
	if s.payment != nil && s.payment.PayerID == s.prov.Normalize(number) && s.sameFields(number, typed) {
		return s.payment, nil
	}
	if s.prov.Described() {
		return s.u.till.StartFields(ctx, s.u.user, s.prov.Code, number, typed)
	}
	return s.u.till.Start(ctx, s.u.user, s.prov.Code, number)
}

// stepStages says which stage a stored step of the payment waited for
// begins, and whether it is the register's.
var stepStages = map[app.Step]struct {
	key    string
	device bool
}{
	app.StepPaySent:          {"pay.stage_sent", false},
	app.StepAccepted:         {"pay.stage_status", false},
	app.StepPayUnknown:       {"pay.stage_unknown", false},
	app.StepPending:          {"pay.stage_unknown", false},
	app.StepPaid:             {"pay.stage_receipt", true},
	app.StepReceiptStarted:   {"pay.stage_receipt", true},
	app.StepFiscalized:       {"pay.stage_slip", true},
	app.StepReceiptQueued:    {"pay.stage_slip", true},
	app.StepReceiptNotMade:   {"pay.stage_slip", true},
	app.StepRecoveredUnknown: {"pay.stage_unknown", false},
}

// stepped follows the payment waited for through its stored steps.
func (s *payScreen) stepped(id int64, step app.Step) {
	if !s.working || s.payment == nil || s.payment.ID != id {
		return
	}
	if st, ok := stepStages[step]; ok {
		s.stage, s.device = st.key, st.device
		s.showStage()
	}
}

// showStage says the stage, the seconds since the wait began and, for the
// network, how long it has to answer.
func (s *payScreen) showStage() {
	if !s.working {
		return
	}
	elapsed := int(s.u.opt.Clock.Now().Sub(s.started).Seconds())
	if s.device {
		s.result.SetText(s.u.T("pay.stage_line_device", "Stage", s.u.T(s.stage), "Elapsed", elapsed))
		return
	}
	s.result.SetText(s.u.T("pay.stage_line", "Stage", s.u.T(s.stage), "Elapsed", elapsed,
		"Timeout", int(s.u.rt.Config.Gateway.Timeout.Seconds())))
}

func (s *payScreen) run(stage string, work func(ctx context.Context) (*app.Payment, error), done func(*app.Payment, error)) {
	if s.working {
		return // no double submission
	}
	s.working = true
	s.stage, s.device, s.started = stage, false, s.u.opt.Clock.Now()
	s.showStage()
	s.update()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(s.showStage)
			}
		}
	}()
	s.u.background(func(ctx context.Context) func() {
		p, err := work(ctx)
		close(stop)
		return func() {
			s.working = false
			if p != nil {
				s.payment = p
			}
			done(p, err)
			s.update()
			s.u.status.refreshLocal()
		}
	})
}

func (s *payScreen) doCheckNumber() {
	if s.prov == nil || s.checkNo.Disabled() {
		return
	}
	number := s.number.Text
	s.run("pay.stage_number", func(ctx context.Context) (*app.Payment, error) {
		p, err := s.start(ctx, number)
		if err != nil {
			return nil, err
		}
		return s.u.till.CheckNumber(ctx, s.u.user, p)
	}, func(p *app.Payment, err error) {
		if err != nil {
			s.hint.SetText("") // not "the number looks right" above a refusal
			s.result.SetText(s.u.resultError(err))
			s.refreshShift()
			return
		}
		s.result.SetText("")
		s.opName.SetText(s.u.T("pay.operator", "Name", p.OpName))
		if p.AddInfo != "" {
			s.addInfo.SetText(p.AddInfo)
		}
		s.u.win.Canvas().Focus(s.amount)
	})
}

func (s *payScreen) doCheck() {
	if s.prov == nil || s.check.Disabled() {
		return
	}
	number := s.number.Text
	a, err := money.Parse(s.amount.Text)
	if err != nil {
		s.result.SetText(s.u.T("pay.amount_bad"))
		return
	}
	tool := s.payTool()
	buyer := strings.TrimSpace(s.buyer.Text)
	var berr error
	s.run("pay.stage_check", func(ctx context.Context) (*app.Payment, error) {
		p, err := s.start(ctx, number)
		if err != nil {
			return nil, err
		}
		if p, berr = s.sendBuyer(ctx, p, buyer); berr != nil {
			return p, berr
		}
		return s.u.till.Check(ctx, s.u.user, p, a, tool)
	}, func(p *app.Payment, err error) {
		if berr != nil {
			s.buyerRefused(berr)
			return
		}
		s.buyerTaken(p, buyer)
		if err != nil {
			s.result.SetText(s.u.resultError(err))
			s.refreshShift()
			if p != nil && p.State == app.StateRefused {
				s.payment = nil
			}
			return
		}
		s.result.SetText(s.u.T("pay.checked", "Total", p.Total.String()))
		info := p.AddInfo
		if info == "" && p.OpName != "" {
			info = s.u.T("pay.operator", "Name", p.OpName)
		}
		s.addInfo.SetText(info)
		s.u.win.Canvas().Focus(s.amount)
	})
}

// sendBuyer hands the buyer's contact to the till before the check or
// pay step when it is not what the till already has for p (an empty one
// clears what was given before).
func (s *payScreen) sendBuyer(ctx context.Context, p *app.Payment, buyer string) (*app.Payment, error) {
	if !s.buyerChanged(p, buyer) {
		return p, nil
	}
	return s.u.till.SetBuyer(ctx, s.u.user, p, buyer)
}

// buyerChanged reports whether the buyer's text is not the one the till
// took for p.
func (s *payScreen) buyerChanged(p *app.Payment, buyer string) bool {
	if p == nil || p.ID != s.buyerOf {
		return buyer != "" || p != nil && p.Buyer != ""
	}
	return buyer != s.buyerSent
}

// buyerTaken notes that the till took the buyer's text for p (the
// confirmation shows what it made of it).
func (s *payScreen) buyerTaken(p *app.Payment, buyer string) {
	if p == nil {
		return
	}
	s.buyerOf, s.buyerSent = p.ID, buyer
	s.setBuyerHint("")
}

// setBuyerHint shows the till's refusal under the buyer's field; the line
// takes no room while there is none.
func (s *payScreen) setBuyerHint(text string) {
	s.buyerHint.SetText(text)
	if text == "" {
		s.buyerHint.Hide()
	} else {
		s.buyerHint.Show()
	}
}

// buyerRefused shows the till's refusal of the buyer next to the field;
// nothing else is done.
func (s *payScreen) buyerRefused(err error) {
	s.result.SetText("")
	s.setBuyerHint("⚠ " + s.u.appMessage(err))
	s.u.win.Canvas().Focus(s.buyer)
}

// askConfirm shows the summary the cashier reads to the payer, then sends.
// A buyer's contact typed since the check goes to the till first.
func (s *payScreen) askConfirm() {
	p := s.payment
	if s.working || !s.confirmable() {
		return
	}
	if buyer := strings.TrimSpace(s.buyer.Text); s.buyerChanged(p, buyer) {
		var berr error
		s.run("pay.stage_check", func(ctx context.Context) (*app.Payment, error) {
			var q *app.Payment
			q, berr = s.u.till.SetBuyer(ctx, s.u.user, p, buyer)
			return q, berr
		}, func(q *app.Payment, err error) {
			s.result.SetText(s.u.T("pay.checked", "Total", p.Total.String()))
			if err != nil {
				s.buyerRefused(err)
				return
			}
			s.buyerTaken(q, buyer)
			s.askConfirm()
		})
		return
	}
	id := p.PayerID
	if s.prov.Group == gateway.Mobile {
		id = receipts.FormatPhone(id)
	}
	summary := s.u.T("confirm.text", "Provider", s.u.providerName(p), "Number", id, "Amount", p.Amount.String(), "Fee", p.Fee.String(), "Total", p.Total.String())
	if p.Buyer != "" {
		summary += "\n" + s.u.T("confirm.buyer", "Buyer", p.Buyer)
	}
	var pop *widget.PopUp
	send := s.u.button(s.u.T("confirm.send")+"  Enter", theme.ConfirmIcon(), func() { pop.Hide(); s.doConfirm() })
	send.Importance = widget.SuccessImportance
	back := s.u.button(s.u.T("button.cancel")+"  Esc", nil, func() { pop.Hide(); s.u.win.Canvas().Focus(s.amount) })
	keys := newKeyEntry(nil) // takes Enter and Escape while the summary is up
	keys.OnSubmitted = func(string) { pop.Hide(); s.doConfirm() }
	pop = widget.NewModalPopUp(container.NewVBox(
		widget.NewLabelWithStyle(s.u.T("confirm.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapLabel(summary),
		wrapLabel(s.u.T("confirm.read")),
		container.NewHBox(layout.NewSpacer(), back, send),
	), s.u.win.Canvas())
	s.u.router.Key(fyne.KeyEscape, func() { pop.Hide(); s.bindKeys(); s.u.win.Canvas().Focus(s.amount) })
	s.u.router.Key(fyne.KeyReturn, func() { pop.Hide(); s.doConfirm() })
	s.u.router.Key(fyne.KeyEnter, func() { pop.Hide(); s.doConfirm() })
	pop.Resize(fyne.NewSize(520, 0))
	pop.Show()
	s.u.win.Canvas().Focus(nil)
	s.confirmPop = pop
}

func (s *payScreen) doConfirm() {
	s.u.router.Key(fyne.KeyReturn, nil)
	s.u.router.Key(fyne.KeyEnter, nil)
	s.bindKeys()
	p := s.payment
	if !s.confirmable() {
		return
	}
	s.run("pay.stage_pay", func(ctx context.Context) (*app.Payment, error) {
		return s.u.till.Confirm(ctx, s.u.user, p)
	}, func(p *app.Payment, err error) {
		s.result.SetText(s.outcome(p, err))
		// The balance as the till knows it now: lowered by this payment.
		if l, at := s.u.till.KnownLimits(); !at.IsZero() {
			s.u.status.showLimits(l)
		}
		// The payment is over whatever its end: the form is the next
		// payer's, and nothing of this one can be sent again.
		s.clearForm()
		s.update()
		s.u.win.Canvas().Focus(s.number)
	})
}

// outcome says how a sent payment ended: what, for whom, how much, and the
// receipt's numbers.
func (s *payScreen) outcome(p *app.Payment, err error) string {
	if p == nil {
		return s.u.resultError(err)
	}
	id := p.PayerID
	if s.prov != nil && s.prov.Group == gateway.Mobile {
		id = receipts.FormatPhone(id)
	}
	args := []any{"Provider", s.u.providerName(p), "Number", id, "Amount", p.Amount.String(), "Total", p.Total.String(),
		"FD", p.FD, "FP", p.FP, "TransID", p.TransID}
	switch {
	case err == nil && p.State == app.StateAccepted:
		return s.u.T("pay.accepted", args...)
	case err == nil:
		return s.u.T("pay.done", args...)
	case app.KindOf(err) == app.KindDevice && p.State == app.StateAccepted:
		return s.u.T("pay.accepted_no_receipt", args...) + "\n" + s.u.appMessage(err)
	case app.KindOf(err) == app.KindDevice && p.State == app.StatePaid:
		return s.u.T("pay.paid_no_receipt", args...) + "\n" + s.u.appMessage(err)
	}
	return s.u.resultError(err)
}

// clearForm empties what one payer typed and what the network said of it;
// the provider and the result line stay.
func (s *payScreen) clearForm() {
	s.payment = nil
	s.number.SetText("")
	s.amount.SetText("")
	s.buyer.SetText("")
	s.setBuyerHint("")
	s.opName.SetText("")
	s.addInfo.SetText("")
	s.quote.SetText("")
	s.fields.clear()
	if s.prov != nil {
		s.hint.SetText(s.u.hintOf(s.prov))
	}
}

// resultError is an error as the result line shows it.
func (u *UI) resultError(err error) string {
	switch app.KindOf(err) {
	case app.KindPending:
		return "⏳ " + u.appMessage(err)
	}
	return "✗ " + u.appMessage(err)
}
