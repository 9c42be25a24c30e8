package main

import (
	"context"
	"errors"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/ui"
	"paydesk/internal/i18n"
)

// errAsk stands in for the window while mustAsk looks whether a passphrase
// has to be asked at all.
var errAsk = errors.New("paydesk: the passphrase is to be asked")

// mustAsk opens the point's key when the configuration gives its
// passphrase (the environment, the file, the credential store: then the
// start goes on as before), and reports whether it must be asked first.
// Any other fault of the keys is left to Boot, which reports it.
func mustAsk(cfg *config.Config) bool {
	_, err := cfg.Unlock(context.Background(), func(context.Context, i18n.Msg) ([]byte, error) { return nil, errAsk })
	return errors.Is(err, errAsk)
}

// started is what the background start ended with.
type started struct {
	rt  *app.Runtime
	err error
}

// runUnlocking shows the passphrase window (ui.Unlock), asks until the
// key opens (config.Unlock: a wrong answer is said and asked again), boots
// the till in the background and then shows the cashier's window in place
// of the passphrase window. The Fyne thread never waits: the background
// work reaches the windows through fyne.Do. Quitting the passphrase window
// ends PayDesk with exit 1.
func (s *starter) runUnlocking() int {
	a := s.newApp()
	lock := ui.NewUnlock(a, s.cfg.Language)
	lock.Window().Show()
	var stopped atomic.Bool
	a.Lifecycle().SetOnStopped(func() { stopped.Store(true) })
	done := make(chan started, 1)
	var w *ui.UI // set on the Fyne thread; read after a.Run returned
	go func() {
		rt, err := s.unlockAndBoot(lock)
		done <- started{rt, err}
		if err != nil {
			if !errors.Is(err, ui.ErrUnlockCancelled) {
				lock.Failed(app.Message(err, s.cfg.Language)) // logged once Quit ends the run
			}
			return
		}
		fyne.Do(func() {
			if stopped.Load() {
				return // the passphrase window was closed meanwhile
			}
			w = s.window(a, rt)
			w.Window().Show()
			lock.Window().Close()
		})
	}()
	a.Run()
	r := <-done
	if w != nil {
		w.Close()
	}
	if r.rt != nil {
		r.rt.Close()
	}
	if r.err != nil {
		if errors.Is(r.err, ui.ErrUnlockCancelled) {
			s.log.Info("paydesk: the passphrase was not given")
			return 1
		}
		return s.failed(r.err)
	}
	return 0
}

// unlockAndBoot asks for the passphrase in the window until the key opens,
// then boots the till.
func (s *starter) unlockAndBoot(lock *ui.Unlock) (*app.Runtime, error) {
	u, err := s.cfg.Unlock(context.Background(), lock.Ask)
	if err != nil {
		return nil, err
	}
	if u.Forgotten != nil {
		s.log.Warn("paydesk: the passphrase was not put into the credential store", "err", u.Forgotten)
	}
	lock.Starting()
	return s.boot()
}
