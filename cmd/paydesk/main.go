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
	_ "paydesk/fiscal/shtrih" // the register driver
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
	shots := flag.String("screenshots", "", "write a PNG of every screen in both languages to this folder and exit (training data in a temporary folder)")
	measure := flag.String("measure-start", "", "app or bare: print the time to the first frame and the memory, then exit (make bench)")
	flag.Parse()
	if *measure != "" {
		os.Exit(measureStart(*measure, start))
	}
	if *showVersion {
		fmt.Println("paydesk", version, revision)
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
	rt, err := app.Boot(context.Background(), cfg, app.Options{Log: log, Training: training.Start})
	if err != nil {
		log.Error("paydesk: start failed", "err", err)
		fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, cfg.Language))
		return 1
	}
	defer rt.Close()
	a := fyneapp.NewWithID("ru.paydesk.cashier")
	a.SetIcon(fyne.NewStaticResource("paydesk.svg", assets.IconSVG))
	w := ui.New(a, rt, ui.Options{Log: log, Version: version, CrashReports: crashReports(dir)})
	log.Info("paydesk: window ready", "version", version, "training", cfg.Training, "startup", time.Since(start))
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			time.Sleep(time.Second)
			settleMemory()
		}()
	})
	w.Window().ShowAndRun()
	w.Close()
	return 0
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
