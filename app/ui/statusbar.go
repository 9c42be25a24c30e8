package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/fiscal"
)

// statusBar shows the gateway and the dealer balance, the device, the
// shift's time left, the pending count, the refunds due (and to a manager
// the disputed and overdue payments) and activity.
type statusBar struct {
	u        *UI
	box      *fyne.Container
	gateway  *widget.Label
	device   *widget.Label
	shift    *widget.Label
	pending  *widget.Label
	alerts   *widget.Label // refunds due, disputes, overdue: hidden when none
	activity *widget.ProgressBarInfinite
	// drive is the fiscal drive's days left and OFD backlog, coloured by
	// the drive's own thresholds; law says in words what the drive warns
	// of and where the registration contradicts the configuration, on a
	// row of its own, hidden when nothing does.
	drive *widget.Label
	law   *line
}

func newStatusBar(u *UI) *statusBar {
	s := &statusBar{u: u, gateway: widget.NewLabel(u.T("status.gateway_unknown")), device: widget.NewLabel(u.T("status.device_unknown")),
		shift: widget.NewLabel(""), pending: widget.NewLabel(""), alerts: widget.NewLabel(""), activity: widget.NewProgressBarInfinite(),
		drive: widget.NewLabel(""), law: newLine(fyne.TextStyle{Bold: true})}
	s.alerts.Importance = widget.DangerImportance
	s.alerts.TextStyle = fyne.TextStyle{Bold: true}
	s.alerts.Hide()
	s.activity.Stop()
	s.activity.Hide()
	s.drive.Hide()
	s.law.Hide()
	s.box = container.NewVBox(widget.NewSeparator(), container.NewHBox(
		widget.NewIcon(theme.ComputerIcon()), s.gateway, widget.NewSeparator(),
		widget.NewIcon(theme.DocumentPrintIcon()), s.device, s.drive, widget.NewSeparator(),
		widget.NewIcon(theme.HistoryIcon()), s.shift, widget.NewSeparator(),
		s.pending, s.alerts, s.activity), s.law)
	return s
}

// statusLoop refreshes the gateway and device status in the background.
func (u *UI) statusLoop() {
	t := time.NewTicker(u.opt.StatusEvery)
	defer t.Stop()
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
			fyne.Do(func() { u.status.refreshAll() }) // the bar of the language spoken now
		}
	}
}

// refreshAll asks the gateway and the device (in the background). The
// register's Info is asked with fresh=false: the till reads the device at
// most once a minute (its cache), however often the bar is refreshed.
func (s *statusBar) refreshAll() {
	s.refreshLocal()
	s.u.background(func(ctx context.Context) func() {
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		lim, gerr := s.u.till.Limits(c)
		var st fiscal.Status
		var derr error
		st, derr = s.u.till.DeviceStatus(c)
		var in fiscal.Info
		ierr := derr
		if derr == nil {
			in, ierr = s.u.till.RegisterInfo(c, false)
		}
		return func() {
			if gerr != nil {
				s.gateway.Importance = widget.MediumImportance
				s.gateway.SetText(s.u.T("status.gateway_down"))
			} else {
				s.showLimits(lim)
			}
			s.refreshAlerts()
			if derr != nil {
				s.device.SetText(s.u.T("status.device_down"))
			} else {
				s.device.SetText(s.u.deviceText(st))
			}
			if ierr != nil {
				s.showInfo(nil)
			} else {
				s.showInfo(&in)
			}
		}
	})
}

// driveLevel is how loud the drive's part of the bar is.
type driveLevel int

const (
	driveOK      driveLevel = iota
	driveWarn               // a warning of the drive's own thresholds
	driveBlocked            // no receipt can be made, or the registration contradicts the configuration
)

func (l driveLevel) importance() widget.Importance {
	switch l {
	case driveWarn:
		return widget.WarningImportance
	case driveBlocked:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// driveView is what the bar shows of the register's Info.
type driveView struct {
	text  string // "ФН: 364 дн. · ОФД: 3 док. с 01.12 10:15"
	level driveLevel
	law   []string // the drive's warnings and the registration's mismatches, worded
}

// driveView words the register's Info in the window's language: days
// left, unsent documents and the oldest one's time; the drive's warnings
// (30 and 3 days, memory, OFD silent, unsent for a day) and blocked states
// as the till words them; registration mismatches as an alert.
func (u *UI) driveView(in fiscal.Info) driveView {
	now := u.opt.Clock.Now()
	d := in.Drive
	var parts []string
	if !d.Expires.IsZero() {
		parts = append(parts, u.T("status.fn_days", "N", d.DaysLeft(now)))
	}
	if d.Unsent > 0 {
		if d.OldestUnsent.IsZero() {
			parts = append(parts, u.T("status.ofd_unsent", "N", d.Unsent))
		} else {
			parts = append(parts, u.T("status.ofd_unsent_since", "N", d.Unsent, "Since", d.OldestUnsent.Format("02.01 15:04")))
		}
	}
	v := driveView{text: strings.Join(parts, " · ")}
	if len(d.Warns(now)) > 0 {
		v.level = driveWarn
	}
	if d.Blocked(now) != "" {
		v.level = driveBlocked
	}
	for _, m := range u.till.DriveWarnings(in) {
		v.law = append(v.law, m.In(u.lang))
	}
	for _, m := range u.till.Mismatches(in) {
		v.level = driveBlocked
		v.law = append(v.law, m.In(u.lang))
	}
	return v
}

// showInfo puts the register's Info on the bar; nil hides its parts (the
// register did not answer: the device label says so).
func (s *statusBar) showInfo(in *fiscal.Info) {
	if in == nil {
		s.drive.Hide()
		s.law.Hide()
		return
	}
	v := s.u.driveView(*in)
	s.drive.Importance = v.level.importance()
	s.drive.TextStyle = fyne.TextStyle{Bold: v.level != driveOK}
	s.drive.SetText(v.text)
	s.drive.Show()
	if v.text == "" {
		s.drive.Hide()
	}
	if len(v.law) == 0 {
		s.law.SetText("")
		s.law.Hide()
		return
	}
	sign := "⚠ "
	if v.level == driveBlocked {
		sign = "✗ "
	}
	s.law.SetText(sign + strings.Join(v.law, " · "))
	s.law.Show()
}

func (u *UI) deviceText(st fiscal.Status) string {
	parts := u.T("status.device_ok")
	if !st.Paper {
		parts = u.T("status.paper_out")
	}
	if st.CoverOpen {
		parts = u.T("status.cover_open")
	}
	switch st.Mode {
	case fiscal.ModeShiftOpen:
		parts += ", " + u.T("status.kkm_shift_open", "N", st.ShiftNumber)
	case fiscal.ModeShiftClosed:
		parts += ", " + u.T("status.kkm_shift_closed")
	case fiscal.ModeShiftExpired:
		parts += ", " + u.T("status.kkm_shift_expired")
	case fiscal.ModeDocument:
		parts += ", " + u.T("status.kkm_receipt_open")
	}
	return parts
}

// showLimits says the dealer's balance and the point's limits, in the
// warning colour below the configured threshold.
func (s *statusBar) showLimits(l app.Limits) {
	text := s.u.T("status.gateway_ok", "Balance", l.Rest.String())
	if l.HasPerPayment {
		text += " · " + s.u.T("status.limit_payment", "Limit", l.PerPayment.String())
	}
	if l.HasDaily {
		text += " · " + s.u.T("status.limit_daily", "Limit", l.Daily.String())
	}
	s.gateway.Importance = widget.MediumImportance
	if _, low := s.u.till.LowBalance(); low {
		s.gateway.Importance = widget.WarningImportance
	}
	s.gateway.SetText(text)
}

// refreshLocal updates what the store knows: shift time left, pending.
func (s *statusBar) refreshLocal() {
	ctx := s.u.ctx
	st, err := s.u.till.Shift(ctx)
	switch {
	case err != nil:
		s.shift.SetText(s.u.appMessage(err))
	case st.Shift == nil:
		s.shift.SetText(s.u.T("status.no_shift"))
	default:
		left := s.u.till.ShiftLeft(st.Shift)
		if left <= 0 {
			s.shift.SetText(s.u.T("status.shift_over"))
		} else {
			s.shift.SetText(s.u.T("status.shift_left", "Left", fmt.Sprintf("%d:%02d", int(left.Hours()), int(left.Minutes())%60)))
		}
	}
	pend, _ := s.u.till.Pending(ctx)
	queue, _ := s.u.till.ReceiptQueue(ctx)
	s.pending.SetText(s.u.T("status.pending", "N", len(pend), "Q", len(queue)))
	s.refreshAlerts()
	s.showActivity(s.u.Busy())
}

// showActivity runs the activity bar while background work runs, and stops
// it (an animation repaints the whole window 60 times a second) when none
// does.
func (s *statusBar) showActivity(on bool) {
	if on {
		s.activity.Show()
		s.activity.Start()
	} else {
		s.activity.Stop()
		s.activity.Hide()
	}
}

// refreshAlerts says what waits on someone: the refunds due (every signed-in
// user) and, to a manager, the disputed and overdue payments; hidden when
// nothing does.
func (s *statusBar) refreshAlerts() {
	u := s.u
	var parts []string
	if u.allowed("cashier") {
		if rs, err := u.till.Refunds(u.ctx, u.user); err == nil && len(rs) > 0 {
			parts = append(parts, u.T("status.refunds", "N", len(rs)))
		}
	}
	if u.allowed("manager") {
		if ds, err := u.till.Disputes(u.ctx, u.user); err == nil && len(ds) > 0 {
			parts = append(parts, u.T("status.disputes", "N", len(ds)))
		}
		if late, err := u.till.Overdues(u.ctx, u.user); err == nil && len(late) > 0 {
			parts = append(parts, u.T("status.overdue", "N", len(late)))
		}
		if warn, low := u.till.LowBalance(); low {
			l, _ := u.till.KnownLimits()
			parts = append(parts, u.T("status.balance_low", "Balance", l.Rest.String(), "Warn", warn.String()))
		}
	}
	if len(parts) == 0 {
		s.alerts.SetText("")
		s.alerts.Hide()
		return
	}
	s.alerts.SetText(strings.Join(parts, " · "))
	s.alerts.Show()
}

// userRef carries an approving manager to the action.
type userRef struct{ *app.User }

// appMessage is a till error in the window's language.
func (u *UI) appMessage(err error) string { return app.Message(err, u.lang) }
