package main

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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
func measureStart(mode string, start time.Time, then more) int {
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
	var u *ui.UI
	var bareField *widget.Entry
	if rt != nil {
		u = ui.New(a, rt, ui.Options{})
		defer u.Close()
		w = u.Window()
	} else {
		w = a.NewWindow("PayDesk")
		bareField = widget.NewEntry()
		w.SetContent(container.NewVBox(widget.NewLabel("PayDesk"), bareField))
		w.Resize(fyne.NewSize(1280, 720))
	}
	var once sync.Once
	painted := canvas.NewRaster(func(int, int) image.Image {
		once.Do(func() {
			frame := time.Since(start)
			go func() {
				time.Sleep(time.Second)
				settleMemory()
				line := memLine(mode, frame)
				line += then.run(u, w, bareField)
				fmt.Println(line)
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

// writeHeap writes the heap profile to file f, if it can.
func writeHeap(f string) {
	if out, err := os.Create(f); err == nil {
		_ = pprof.WriteHeapProfile(out)
		_ = out.Close()
	}
}

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

// more is what --measure-start measures after the first frame.
type more struct {
	idle     time.Duration // CPU over this long, with a field focused
	payments int           // then so many payments through the window
}

// run measures, off the UI goroutine, what m asks and returns it as
// key=value fields: idle_cpu_pct (the process's CPU time over the wall
// time, in percent of one core, a field focused so that its cursor blinks;
// the cashier signed in for the app), then after the payments rss_after_kb,
// go_heap_after_kb and pay_ms (the mean time of one payment, check to
// receipt).
func (m more) run(u *ui.UI, w fyne.Window, bare *widget.Entry) string {
	var out string
	if m.idle > 0 {
		fyne.DoAndWait(func() {
			if u != nil {
				_ = u.SignIn("kassir", "1111")
				u.DemoFocus()
			} else {
				w.Canvas().Focus(bare)
			}
		})
		time.Sleep(2 * time.Second) // the sign-in's status requests end
		if f := os.Getenv("PAYDESK_CPUPROFILE"); f != "" {
			if out, err := os.Create(f); err == nil && pprof.StartCPUProfile(out) == nil {
				defer func() { pprof.StopCPUProfile(); _ = out.Close() }()
			}
		}
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(m.idle)
		pct := 100 * (cpuTime() - c0).Seconds() / time.Since(t0).Seconds()
		out += fmt.Sprintf(" idle_cpu_pct=%.2f", pct)
	}
	if m.payments > 0 && u != nil {
		fyne.DoAndWait(func() { _ = u.SignIn("kassir", "1111") })
		var busy time.Duration
		var series []string
		var mid int64 // the resident memory at the third of five checkpoints
		step := max(m.payments/5, 1)
		for i := range m.payments {
			t := time.Now()
			fyne.DoAndWait(func() { u.DemoFill("mts", fmt.Sprintf("916%07d", 1000000+i), 100_00) })
			u.WaitIdle(30 * time.Second)
			fyne.DoAndWait(u.DemoSend)
			u.WaitIdle(30 * time.Second)
			busy += time.Since(t)
			if (i+1)%step == 0 {
				settleMemory()
				rss := procStatus()["VmRSS"]
				series = append(series, fmt.Sprintf("%d:%d", i+1, rss/1024))
				if len(series) == 3 {
					mid = rss
				}
				if dir := os.Getenv("PAYDESK_MEMPROFILE_DIR"); dir != "" {
					writeHeap(filepath.Join(dir, fmt.Sprintf("heap-%d.prof", i+1)))
				}
			}
		}
		per := busy / time.Duration(m.payments)
		settleMemory()
		if f := os.Getenv("PAYDESK_MEMPROFILE_AFTER"); f != "" {
			writeHeap(f)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := procStatus()
		out += fmt.Sprintf(" payments=%d pay_ms=%d rss_after_kb=%d rss_mid_kb=%d rss_anon_after_kb=%d go_heap_after_kb=%d go_sys_after_kb=%d rss_mb_series=%s",
			m.payments, per.Milliseconds(), st["VmRSS"], mid, st["RssAnon"], ms.HeapInuse/1024, ms.Sys/1024, strings.Join(series, ","))
	}
	return out
}
