// Command paydesk is the cashier's window. With no configuration it starts
// in training mode against the built-in gateway simulator and register
// emulator. main only wires parts together: see app and app/ui.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/app/ui"
	"paydesk/assets"
	_ "paydesk/fiscal/atol" // the register drivers
	_ "paydesk/fiscal/shtrih"
	"paydesk/internal/crash"
)

// Set by the packaging scripts with -ldflags "-X main.version=… -X main.revision=…".
var (
	version  = "dev"
	revision = ""
)

func main() {
	start := time.Now()
	showVersion := flag.Bool("version", false, "print the version and exit")
	cfgFile := flag.String("config", "", "configuration file (default: $PAYDESK_CONFIG, then the user's paydesk.yaml, then training mode)")
	walkDir := flag.String("walkthrough", "", "type a cashier's day, a manager's close and the report on a new training desk, writing a PNG after each step to this folder, and exit")
	shots := flag.String("screenshots", "", "write a PNG of every screen in both languages to this folder and exit (training data in a temporary folder)")
	measure := flag.String("measure-start", "", "app or bare: print the time to the first frame and the memory, then exit (make bench)")
	idle := flag.Duration("measure-idle", 0, "with --measure-start: then, with a field focused, measure the process's CPU over this long")
	payments := flag.Int("measure-payments", 0, "with --measure-start app: then make this many payments through the window and print the memory again")
	flag.Parse()
	if *measure != "" {
		os.Exit(measureStart(*measure, start, more{idle: *idle, payments: *payments}))
	}
	if *showVersion {
		fmt.Println("paydesk", version, revision)
		return
	}
	if *walkDir != "" {
		if err := walkthrough(*walkDir); err != nil {
			fmt.Fprintln(os.Stderr, "paydesk:", err)
			os.Exit(1)
		}
		return
	}
	if *shots != "" {
		if err := screenshots(*shots); err != nil {
			fmt.Fprintln(os.Stderr, "paydesk:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(*cfgFile))
}

// loadConfig loads the configuration file config.Locate finds for the
// --config flag (training mode when there is none).
func loadConfig(file string) (*config.Config, error) {
	return config.Load(config.Locate(file))
}

func run(cfgFile string) int {
	start := time.Now()
	cfg, err := loadConfig(cfgFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, "ru"))
		return 2
	}
	dir, err := cfg.DataPath()
	if err != nil {
		fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, cfg.Language))
		return 2
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "paydesk.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		logFile = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// A crash of any goroutine (a panic, a fatal signal) is written by the
	// runtime to a report in the data folder before the process goes: the
	// payments are safe in the store, the resolver finishes them on start,
	// and the next start says where the report is.
	if earlier, err := crash.Watch(dir, fmt.Sprintf("PayDesk %s %s started %s", version, revision, start.Format(time.RFC3339)), start); err != nil {
		log.Warn("paydesk: crash reports will not be kept", "err", err)
	} else if earlier != "" {
		log.Error("paydesk: the last run crashed", "report", earlier)
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("paydesk: crash", "version", version, "panic", r, "stack", string(debug.Stack()))
			panic(r) // the runtime writes the report
		}
	}()
	s := &starter{cfg: cfg, log: log, opt: ui.Options{Log: log, Version: version, CrashReports: crashReports(dir), Recover: true}, start: start}
	if mustAsk(cfg) {
		// The passphrase is kept nowhere the till can read: a window asks
		// for it before anything starts (unlock.go).
		return s.runUnlocking()
	}
	rt, err := s.boot()
	if err != nil {
		return s.failedWindow(err)
	}
	defer rt.Close()
	a := s.newApp()
	w := s.window(a, rt)
	w.Window().ShowAndRun()
	w.Close()
	return 0
}

// starter starts the till and its window.
type starter struct {
	cfg   *config.Config
	log   *slog.Logger
	opt   ui.Options
	start time.Time
}

// boot boots the till as the configuration says.
func (s *starter) boot() (*app.Runtime, error) {
	return app.Boot(context.Background(), s.cfg, app.Options{Log: s.log, Training: training.Start, RecoverLater: true})
}

// failed reports a failed start on stderr and the log: exit 1.
func (s *starter) failed(err error) int {
	s.log.Error("paydesk: start failed", "err", err)
	fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, s.cfg.Language))
	return 1
}

// failedWindow is failed with a window that says why, until it is closed.
func (s *starter) failedWindow(err error) int {
	code := s.failed(err)
	a := fyneapp.NewWithID("ru.paydesk.cashier")
	a.SetIcon(fyne.NewStaticResource("paydesk.svg", assets.IconSVG))
	ui.NewFailure(a, s.cfg.Language, app.Message(err, s.cfg.Language)).ShowAndRun()
	return code
}

// newApp makes the Fyne application.
func (s *starter) newApp() fyne.App {
	a := fyneapp.NewWithID("ru.paydesk.cashier")
	a.SetIcon(fyne.NewStaticResource("paydesk.svg", assets.IconSVG))
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			time.Sleep(time.Second)
			settleMemory()
		}()
	})
	return a
}

// window makes the cashier's window over rt (on the Fyne thread).
func (s *starter) window(a fyne.App, rt *app.Runtime) *ui.UI {
	w := ui.New(a, rt, s.opt)
	s.log.Info("paydesk: window ready", "version", version, "training", s.cfg.Training, "startup", time.Since(s.start))
	return w
}

// crashReports returns the crash reports not shown yet and marks them shown.
func crashReports(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	var out []string
	for _, f := range files {
		if filepath.Base(f) == "crash-pending.log" {
			continue // this run's, written only if it crashes
		}
		seen := f + ".seen"
		if _, err := os.Stat(seen); err == nil {
			continue
		}
		_ = os.WriteFile(seen, nil, 0o600)
		out = append(out, f)
	}
	return out
}
