package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/app/ui"
)

// screenshots boots a training till in a temporary folder, drives the
// window through every screen in both languages and writes a PNG of each
// (make screenshots runs it under Xvfb).
func screenshots(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "paydesk-shots")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	return headless("ru.paydesk.screenshots", func(a fyne.App) error { return shoot(a, data, out) })
}

// headless runs f off the UI goroutine once a Fyne app with id has started,
// quits the app after it and returns f's error (screenshots, the
// walk-through).
func headless(id string, f func(fyne.App) error) error {
	a := fyneapp.NewWithID(id)
	errc := make(chan error, 1)
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			errc <- f(a)
			fyne.Do(a.Quit)
		}()
	})
	// The driver quits when the last window closes: keep one open.
	keep := a.NewWindow("PayDesk")
	keep.Resize(fyne.NewSize(10, 10))
	keep.Show()
	a.Run()
	return <-errc
}

func shoot(a fyne.App, data, out string) error {
	for _, lang := range []string{"ru", "en"} {
		cfg, err := config.Load("")
		if err != nil {
			return err
		}
		// A folder per language: the same demo payment twice within the
		// hour would be refused as a duplicate (ERROR 32).
		cfg.DataDir, cfg.Language = filepath.Join(data, lang), lang
		rt, err := app.Boot(context.Background(), cfg, app.Options{Training: training.Start})
		if err != nil {
			return err
		}
		var w *ui.UI
		fyne.DoAndWait(func() {
			w = ui.New(a, rt, ui.Options{})
			w.Window().Resize(fyne.NewSize(1366, 768))
			w.Window().SetFullScreen(true)
			w.Window().Show()
		})
		steps := []struct {
			name string
			do   func()
		}{
			{"signin", func() {}},
			{"payment", func() { _ = w.SignIn("admin", "999999") }},
			{"payment-checked", func() { w.DemoPayment() }},
			{"confirm", func() { w.DemoConfirm() }},
			{"payment-done", func() { w.DemoSend() }},
			{"payment-fields", func() { w.DemoFields() }},
			{"pending", func() { w.Show("pending") }},
			{"refunds", func() { w.DemoLife() }},
			{"disputes", func() { w.DemoDisputes() }},
			{"history", func() { w.Show("history") }},
			{"copy", func() { w.DemoCopy() }},
			{"shift", func() { w.DemoHidePopups(); w.Show("shift") }},
			{"shift-close", func() { w.DemoShiftClose() }},
			{"reports", func() { w.DemoHidePopups(); w.Show("reports") }},
			{"settings", func() { w.Show("settings") }},
			{"settings-catalogue", func() { w.DemoSettingsCatalogue() }},
			{"drive-warnings", func() { w.DemoDriveWarnings() }},
		}
		for _, s := range steps {
			fyne.DoAndWait(s.do)
			w.WaitIdle(20 * time.Second)
			time.Sleep(400 * time.Millisecond)
			if err := capture(w, filepath.Join(out, fmt.Sprintf("%s-%s.png", s.name, lang))); err != nil {
				return err
			}
		}
		fyne.DoAndWait(func() { w.Window().Close() })
		rt.Close()
	}
	return nil
}

// capture photographs the screen with ImageMagick's import where there is
// an X display (the GL canvas is painted there), else asks the canvas.
func capture(w *ui.UI, file string) error {
	if os.Getenv("DISPLAY") != "" {
		if path, err := exec.LookPath("import"); err == nil {
			return exec.Command(path, "-window", "root", file).Run()
		}
	}
	var perr error
	fyne.DoAndWait(func() {
		img := w.Window().Canvas().Capture()
		f, err := os.Create(file)
		if err != nil {
			perr = err
			return
		}
		defer f.Close()
		perr = png.Encode(f, img)
	})
	return perr
}
