package main

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"paydesk/app"
	"paydesk/app/training"
	"paydesk/app/ui"
)

// measureStart shows a window until its first frame is painted, waits for
// it to settle and prints one line: how long after main started the frame
// was painted, and the process's memory (resident: anonymous and
// file-backed; the Go heap and what Go took from the system). mode "app" is
// the cashier's window (the configuration as for a normal start: training
// mode unless one is configured); "bare" is an empty Fyne window of the same
// size, the toolkit's and the GL stack's own cost. The first frame is the
// first time the painter asks an overlay raster for its pixels, which it
// does after painting the window's content.
func measureStart(mode string, start time.Time) int {
	var rt *app.Runtime
	if mode == "app" {
		cfg, err := loadConfig("")
		if err != nil {
			fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, "ru"))
			return 2
		}
		if rt, err = app.Boot(context.Background(), cfg, app.Options{Training: training.Start}); err != nil {
			fmt.Fprintln(os.Stderr, "paydesk:", app.Message(err, cfg.Language))
			return 1
		}
		defer rt.Close()
	} else if mode != "bare" {
		fmt.Fprintln(os.Stderr, "paydesk: --measure-start is app or bare")
		return 2
	}
	a := fyneapp.NewWithID("ru.paydesk.measure")
	var w fyne.Window
	if rt != nil {
		u := ui.New(a, rt, ui.Options{})
		defer u.Close()
		w = u.Window()
	} else {
		w = a.NewWindow("PayDesk")
		w.SetContent(widget.NewLabel("PayDesk"))
		w.Resize(fyne.NewSize(1280, 720))
	}
	var once sync.Once
	painted := canvas.NewRaster(func(int, int) image.Image {
		once.Do(func() {
			frame := time.Since(start)
			go func() {
				time.Sleep(time.Second)
				settleMemory()
				fmt.Println(memLine(mode, frame))
				if f := os.Getenv("PAYDESK_MEMPROFILE"); f != "" {
					if out, err := os.Create(f); err == nil {
						_ = pprof.WriteHeapProfile(out)
						_ = out.Close()
					}
				}
				fyne.Do(a.Quit)
			}()
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	w.Canvas().Overlays().Add(painted)
	w.ShowAndRun()
	return 0
}

// settleMemory returns to the system the memory start-up used and no longer
// needs (keys, migrations, the catalogue, font caches), once the window is
// up: the resident size the cashier's machine sees afterwards.
func settleMemory() { debug.FreeOSMemory() }

// memLine formats the measurement.
func memLine(mode string, frame time.Duration) string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := procStatus()
	return fmt.Sprintf("mode=%s frame_ms=%d rss_kb=%d rss_anon_kb=%d rss_file_kb=%d hwm_kb=%d go_heap_kb=%d go_sys_kb=%d",
		mode, frame.Milliseconds(), st["VmRSS"], st["RssAnon"], st["RssFile"], st["VmHWM"], ms.HeapInuse/1024, ms.Sys/1024)
}

// procStatus reads the kB figures of /proc/self/status (Linux; empty
// elsewhere).
func procStatus() map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.HasSuffix(v, " kB") {
			continue
		}
		var n int64
		if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &n); err == nil {
			out[k] = n
		}
	}
	return out
}
