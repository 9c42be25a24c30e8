// Command benchtable runs PayDesk's benchmarks (make bench) and prints one
// table: each figure beside the reference it is compared against, measured
// in the same run, their ratio, the target and whether it is met.
//
// The figures come from `go test -bench` benchmarks (read with
// golang.org/x/perf/benchfmt) and, for the window, from `paydesk
// --measure-start` under a private Xvfb display.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

// row is one line of the table.
type row struct {
	What    string
	Value   float64 // in Unit
	Ref     float64 // in Unit
	RefWhat string
	Unit    string
	Target  string
	Met     bool
}

// kbPerMB converts the kernel's kB (KiB) to decimal megabytes, the unit
// of the memory target.
const kbPerMB = 1e6 / 1024

// results are benchmark values by full name and unit ("sec/op" for ns/op).
type results map[string]map[string]float64

func main() {
	quick := flag.Bool("quick", false, "fewer iterations (a smoke run, not figures to publish)")
	gui := flag.Bool("gui", true, "measure the window under Xvfb (needs Xvfb)")
	out := flag.String("o", "", "also write the table (Markdown) to this file")
	flag.Parse()
	if err := run(*quick, *gui, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(quick, gui bool, out string) error {
	n := func(full, short string) string {
		if quick {
			return short
		}
		return full
	}
	res := results{}
	groups := []struct{ pkg, bench, benchtime, prefix string }{
		{"./app/", "^BenchmarkClientOverhead$", n("300x", "20x"), ""},
		{"./fiscal/shtrih/", "^BenchmarkFiscalize$", n("10x", "2x"), ""},
		{"./fiscal/atol/", "^BenchmarkFiscalize$", n("10x", "2x"), "ATOL"},
		{"./store/", "^Benchmark(DurablePayment|RawDurableInsert)$", n("500x", "50x"), ""},
		{"./store/", "^BenchmarkCommissionReport1M$", n("20x", "3x"), ""},
	}
	for _, g := range groups {
		fmt.Fprintf(os.Stderr, "go test -bench %s %s\n", g.bench, g.pkg)
		if err := goBench(res, g.prefix, g.pkg, g.bench, g.benchtime); err != nil {
			return err
		}
	}
	var rows []row
	get := func(name, unit string) float64 { return res[name][unit] }

	cpu, wall := get("ClientOverhead/no-register", "cpu-ms/op"), get("ClientOverhead/no-register", "sec/op")*1e3
	rows = append(rows, row{What: "client CPU per payment, device left out (start, check, pay, status; receipt queued)", Value: cpu, Unit: "ms",
		Ref: wall, RefWhat: "the payment's wall time (simulator in another process, loopback)", Target: "< 5 ms", Met: cpu < 5})
	cpu, wall = get("ClientOverhead/register", "cpu-ms/op"), get("ClientOverhead/register", "sec/op")*1e3
	rows = append(rows, row{What: "client CPU per payment with the register (receipt and slip over a serial line)", Value: cpu, Unit: "ms",
		Ref: wall, RefWhat: "the payment's wall time (simulator and emulator in another process)", Met: true})
	for _, f := range []struct {
		family, prefix, baud string
		target               float64
	}{{"Shtrih-M", "", "9600", 1.15}, {"Shtrih-M", "", "115200", 1.3}, {"ATOL", "ATOL", "9600", 1.15}, {"ATOL", "ATOL", "115200", 1.5}} {
		name := f.prefix + "Fiscalize/" + f.baud
		v, ref := get(name, "sec/op")*1e3, get(name, "wire-ms/op")
		rows = append(rows, row{What: f.family + " fiscal receipt at " + f.baud + " baud (paced emulator)", Value: v, Unit: "ms",
			Ref: ref, RefWhat: "the wire's limit (bytes × 10 bits / baud)", Target: fmt.Sprintf("≤ %.2f×", f.target),
			Met: ref > 0 && v/ref <= f.target})
	}
	dur, raw := get("DurablePayment", "sec/op")*1e3, get("RawDurableInsert", "sec/op")*1e3
	rows = append(rows, row{What: "durable payment writes (create + paid, audit, summary)", Value: dur, Unit: "ms",
		Ref: raw, RefWhat: "two raw SQLite transactions, same durability", Target: "≤ 2×", Met: raw > 0 && dur/raw <= 2})
	worst := 0.0
	for _, by := range []string{"provider", "day", "cashier"} {
		worst = max(worst, get("CommissionReport1M/"+by, "sec/op")*1e3)
	}
	scan := get("CommissionReport1M/from-payments", "sec/op") * 1e3
	rows = append(rows, row{What: "commission report, 1 000 000 payments (slowest grouping)", Value: worst, Unit: "ms",
		Ref: scan, RefWhat: "the same report summed from the payments table", Target: "< 50 ms", Met: worst < 50})
	if gui {
		app, bare, err := measureWindow(quick)
		if err != nil {
			return err
		}
		rows = append(rows,
			row{What: "window: first frame after start", Value: app["frame_ms"], Unit: "ms",
				Ref: bare["frame_ms"], RefWhat: "an empty Fyne window", Target: "< 1500 ms", Met: app["frame_ms"] < 1500},
			row{What: "window: resident memory", Value: app["rss_kb"] / kbPerMB, Unit: "MB",
				Ref: bare["rss_kb"] / kbPerMB, RefWhat: "an empty Fyne window", Target: "< 150 MB", Met: app["rss_kb"]/kbPerMB < 150},
			row{What: "  of which file-backed (GL and system libraries)", Value: app["rss_file_kb"] / kbPerMB, Unit: "MB",
				Ref: bare["rss_file_kb"] / kbPerMB, RefWhat: "an empty Fyne window", Met: true},
			row{What: "  of which Go heap in use", Value: app["go_heap_kb"] / kbPerMB, Unit: "MB",
				Ref: bare["go_heap_kb"] / kbPerMB, RefWhat: "an empty Fyne window", Met: true},
			row{What: "window: idle CPU, a field focused (% of a core)", Value: app["idle_cpu_pct"], Unit: "%",
				Ref: bare["idle_cpu_pct"], RefWhat: "an empty Fyne window with an entry focused", Target: "< 3 %", Met: app["idle_cpu_pct"] < 3},
			row{What: fmt.Sprintf("window: resident memory after %.0f payments through it", app["payments"]), Value: app["rss_after_kb"] / kbPerMB, Unit: "MB",
				Ref: app["rss_kb"] / kbPerMB, RefWhat: "the same window at start", Met: true},
			row{What: "  growth over the last 40 % of those payments", Value: (app["rss_after_kb"] - app["rss_mid_kb"]) / kbPerMB, Unit: "MB",
				Ref: (app["rss_mid_kb"] - app["rss_kb"]) / kbPerMB, RefWhat: "over the first 60 % (caches warming)", Target: "≤ 5 MB (levels off)",
				Met: app["rss_after_kb"]-app["rss_mid_kb"] <= 5*kbPerMB},
			row{What: "  one payment through the window (check to receipt)", Value: app["pay_ms"], Unit: "ms", Met: true})
	}
	table := render(rows)
	fmt.Print(table)
	if out != "" {
		return os.WriteFile(out, []byte(table), 0o644)
	}
	return nil
}

// goBench runs one benchmark group and adds its results.
func goBench(res results, prefix, pkg, bench, benchtime string) error {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", bench, "-benchtime", benchtime, "-count", "1", "-timeout", "30m", pkg)
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", pkg, err)
	}
	r := benchfmt.NewReader(&buf, pkg)
	for r.Scan() {
		b, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		base, parts := b.Name.Parts()
		name := prefix + strings.Join(append([]string{strings.TrimPrefix(string(base), "Benchmark")}, trimProcs(parts)...), "")
		if res[name] == nil {
			res[name] = map[string]float64{}
		}
		for _, v := range b.Values {
			res[name][v.Unit] = v.Value
		}
	}
	return r.Err()
}

// trimProcs drops the -GOMAXPROCS suffix of a benchmark name's parts.
func trimProcs(parts [][]byte) []string {
	var out []string
	for _, p := range parts {
		s := string(p)
		if strings.HasPrefix(s, "-") {
			if _, err := strconv.Atoi(s[1:]); err == nil {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// measureWindow builds paydesk and measures, under a private Xvfb display,
// the cashier's window (training mode, in a fresh data folder, after one
// start that creates the training keys) and an empty Fyne window, three
// times each; it returns the medians.
func measureWindow(quick bool) (app, bare map[string]float64, err error) {
	tmp, err := os.MkdirTemp("", "paydesk-bench")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "paydesk")
	build := exec.Command("go", "build", "-o", bin, "./cmd/paydesk")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, nil, fmt.Errorf("build paydesk: %w", err)
	}
	display, stop, err := xvfb()
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	env := append(os.Environ(), "DISPLAY="+display, "PAYDESK_CONFIG=", "PAYDESK_DATA_DIR="+filepath.Join(tmp, "data"), "LANG=ru_RU.UTF-8")
	measure := func(mode string, more ...string) (map[string]float64, error) {
		cmd := exec.Command(bin, append([]string{"--measure-start", mode}, more...)...)
		cmd.Env = env
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("paydesk --measure-start %s: %w", mode, err)
		}
		fmt.Fprint(os.Stderr, string(b))
		m := map[string]float64{}
		for _, f := range strings.Fields(string(b)) {
			k, v, _ := strings.Cut(f, "=")
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				m[k] = x
			}
		}
		if m["frame_ms"] == 0 {
			return nil, fmt.Errorf("paydesk --measure-start %s printed %q", mode, b)
		}
		return m, nil
	}
	if _, err := measure("app"); err != nil { // the first start makes the training keys
		return nil, nil, err
	}
	times := 3
	if quick {
		times = 1
	}
	var as, bs []map[string]float64
	for range times {
		a, err := measure("app")
		if err != nil {
			return nil, nil, err
		}
		b, err := measure("bare")
		if err != nil {
			return nil, nil, err
		}
		as, bs = append(as, a), append(bs, b)
	}
	app, bare = median(as), median(bs)
	// Idle with a field focused (the cashier signed in), then a day's flows
	// through the window: the memory after them against the start's.
	idle, payments := "10s", "500"
	if quick {
		idle, payments = "3s", "20"
	}
	a, err := measure("app", "--measure-idle", idle, "--measure-payments", payments)
	if err != nil {
		return nil, nil, err
	}
	b, err := measure("bare", "--measure-idle", idle)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range []string{"idle_cpu_pct", "payments", "pay_ms", "rss_after_kb", "rss_mid_kb", "go_heap_after_kb"} {
		app[k] = a[k]
	}
	bare["idle_cpu_pct"] = b["idle_cpu_pct"]
	return app, bare, nil
}

// median is the per-key median of the measurements.
func median(ms []map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k := range ms[0] {
		var vs []float64
		for _, m := range ms {
			vs = append(vs, m[k])
		}
		slices.Sort(vs)
		out[k] = vs[len(vs)/2]
	}
	return out
}

// xvfb starts a private Xvfb server and returns its display.
func xvfb() (string, func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1366x768x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("Xvfb (scripts/deps.sh --gui installs it): %w", err)
	}
	w.Close()
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			stop()
			return "", nil, fmt.Errorf("Xvfb did not start")
		}
		return ":" + n, stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return "", nil, fmt.Errorf("Xvfb did not start in 20 s")
	}
}

// render prints the table in Markdown, with the machine it ran on.
func render(rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "PayDesk benchmarks, %s, %s, %d cores, %s\n\n", time.Now().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.Version())
	b.WriteString("| figure | value | reference, same run | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ratio := "–"
		if r.Ref > 0 {
			ratio = fmt.Sprintf("%.3g×", r.Value/r.Ref)
		}
		met := "yes"
		switch {
		case r.Target == "":
			met = ""
		case !r.Met:
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s %s (%s) | %s | %s | %s |\n", r.What, num(r.Value), r.Unit, num(r.Ref), r.Unit, r.RefWhat, ratio, r.Target, met)
	}
	return b.String()
}

// num formats a figure with sensible precision.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// cpuModel names the processor (Linux), else the architecture.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
