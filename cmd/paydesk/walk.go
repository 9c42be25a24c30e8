package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/app/ui"
)

// walkthrough types and presses, on a new training desk, a cashier's day
// (sign in, open the shift, pay, cash in), a manager's close (the Z report
// read back) and the partner's report, through the window's own widgets
// and key map, and writes a PNG after each step (make walkthrough runs it
// under Xvfb).
func walkthrough(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "paydesk-walk")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	return headless("ru.paydesk.walkthrough", func(a fyne.App) error { return walk(a, data, out) })
}

func walk(a fyne.App, data, out string) error {
	cfg, err := config.Load("")
	if err != nil {
		return err
	}
	cfg.DataDir, cfg.Language = data, "ru"
	rt, err := app.Boot(context.Background(), cfg, app.Options{Training: training.Start})
	if err != nil {
		return err
	}
	defer rt.Close()
	var w *ui.UI
	fyne.DoAndWait(func() {
		w = ui.New(a, rt, ui.Options{})
		w.Window().Resize(fyne.NewSize(1366, 768))
		w.Window().SetFullScreen(true)
		w.Window().Show()
	})
	defer fyne.DoAndWait(func() { w.Window().Close() })
	win := w.Window()
	typeText := func(s string) {
		fyne.DoAndWait(func() {
			if f := win.Canvas().Focused(); f != nil {
				for _, r := range s {
					f.TypedRune(r)
				}
			}
		})
	}
	press := func(k fyne.KeyName) {
		fyne.DoAndWait(func() {
			if f := win.Canvas().Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: k})
			} else if h := win.Canvas().OnTypedKey(); h != nil {
				h(&fyne.KeyEvent{Name: k})
			}
		})
		w.WaitIdle(20 * time.Second)
		time.Sleep(300 * time.Millisecond)
	}
	n := 0
	shot := func(name string) error {
		n++
		time.Sleep(400 * time.Millisecond)
		return capture(w, filepath.Join(out, fmt.Sprintf("walk-%02d-%s.png", n, name)))
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"signin", func() { fyne.DoAndWait(func() { w.DemoSignInAs("kassir") }); typeText("1111") }},
		{"open-shift", func() { press(fyne.KeyReturn); typeText("1000") }},
		{"shift-opened", func() { press(fyne.KeyReturn) }},
		{"provider", func() { typeText("мегафон"); press(fyne.KeyReturn) }},
		{"number-amount", func() { typeText("9261234567"); press(fyne.KeyReturn); typeText("300") }},
		{"checked", func() { press(fyne.KeyF3) }},
		{"confirm", func() { press(fyne.KeyF4) }},
		{"paid", func() { press(fyne.KeyReturn) }},
		{"cash-in", func() { press(fyne.KeyF7); typeText("500"); press(fyne.KeyReturn) }},
		{"cash-in-done", func() { press(fyne.KeyReturn) }},
		{"manager-z", func() {
			fyne.DoAndWait(w.SignOut)
			fyne.DoAndWait(func() { w.DemoSignInAs("manager") })
			typeText("222222")
			press(fyne.KeyReturn)
			press(fyne.KeyF7)
			var expected string
			fyne.DoAndWait(func() { expected = w.DemoFocusCounted() })
			typeText(expected)
			press(fyne.KeyReturn)
		}},
		{"shift-closed", func() { press(fyne.KeyReturn) }},
		{"report", func() { press(fyne.KeyF8) }},
	}
	for _, s := range steps {
		s.do()
		if err := shot(s.name); err != nil {
			return err
		}
	}
	// The day is in the books as typed: one payment, the shift closed.
	ctx := context.Background()
	if n, err := rt.Till.PaymentCount(ctx); err != nil || n != 1 {
		return fmt.Errorf("walkthrough: %d payments in the books (%v), want 1", n, err)
	}
	if st, err := rt.Till.Shift(ctx); err != nil || st.Shift != nil {
		return fmt.Errorf("walkthrough: the shift is not closed (%v)", err)
	}
	fmt.Printf("walkthrough: %d steps typed, 1 payment paid, the shift closed; PNGs in %s\n", len(steps), out)
	return nil
}
