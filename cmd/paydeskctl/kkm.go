package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
	"paydesk/receipts"
)

// kkmFlags are the flags every "kkm" subcommand takes.
type kkmFlags struct {
	driver   string
	port     string
	baud     int
	password uint
	timeout  time.Duration
}

func (k *kkmFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&k.driver, "driver", shtrih.DriverName, "the register's protocol `NAME`: shtrih or atol")
	fs.StringVar(&k.port, "port", "", required("register `PORT`: a device path (/dev/ttyUSB0, COM3) or tcp://host:port"))
	fs.IntVar(&k.baud, "baud", shtrih.DefaultBaud, "serial line speed `N`")
	fs.UintVar(&k.password, "password", 30, "register password `N` (Shtrih: operator 1-28, administrator 29, system administrator 30; ATOL: the mode password of reports)")
	fs.DurationVar(&k.timeout, "byte-timeout", 100*time.Millisecond, "longest gap inside a frame")
}

// open connects to the register named by the flags, with the driver
// --driver names.
func (k *kkmFlags) open(e *env) (fiscal.Register, error) {
	if k.port == "" {
		return nil, usageErrorf("--port is required")
	}
	if !slices.Contains(fiscal.Drivers(), k.driver) {
		return nil, usageErrorf("--driver %q: want %s", k.driver, strings.Join(fiscal.Drivers(), " or "))
	}
	if k.password == 0 || k.password > 0xFFFFFFFF {
		return nil, usageErrorf("--password %d out of range", k.password)
	}
	if k.baud <= 0 {
		return nil, usageErrorf("--baud %d out of range", k.baud)
	}
	c := fiscal.Config{Port: k.port, Baud: k.baud, Password: uint32(k.password),
		AdminPassword: uint32(k.password), ByteTimeout: k.timeout, Log: e.log}
	if k.driver != shtrih.DriverName {
		// ATOL's access password is the cashier's (0 by default); --password
		// is the mode password of reports and the registration.
		c.Password = 0
	}
	reg, err := fiscal.Open(k.driver, c)
	if err != nil {
		return nil, noAnswer(err)
	}
	return reg, nil
}

// parseSum reads roubles ("100", "100.5", "100,50") into kopecks.
func parseSum(s string) (int64, error) {
	s = strings.ReplaceAll(s, ",", ".")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("bad sum %q: want roubles like 100 or 100.50", s)
	}
	r, err := strconv.ParseUint(whole, 10, 40)
	if err != nil {
		return 0, fmt.Errorf("bad sum %q: want roubles like 100 or 100.50", s)
	}
	var k uint64
	if dot {
		for len(frac) < 2 {
			frac += "0"
		}
		if k, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, fmt.Errorf("bad sum %q: want roubles like 100 or 100.50", s)
		}
	}
	v := int64(r)*100 + int64(k)
	if v <= 0 || v >= 1<<39 {
		return 0, fmt.Errorf("sum %q out of range", s)
	}
	return v, nil
}

func kkmYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// kkmOpts are the options of a "kkm NAME" command that talks to the
// register: the register's flags, and what it does there.
type kkmOpts struct {
	kkmFlags
	configFlag
	rawFlags
	name       string
	positional []string // the names of its positional arguments
	do         func(ctx context.Context, e *env, d fiscal.Register, args []string) error
}

// kkmReadOnly are the kkm commands that make no document and move no
// money: anyone may run them. The others, outside training, need an
// administrator of the books and are audited (rawFlags).
var kkmReadOnly = map[string]bool{"status": true}

func (o *kkmOpts) flags(fs *flag.FlagSet) {
	o.kkmFlags.flags(fs)
	if !kkmReadOnly[o.name] {
		o.configFlag.flags(fs)
		o.rawFlags.flags(fs)
	}
}

func (o *kkmOpts) run(ctx context.Context, e *env, args []string) error {
	if len(args) != len(o.positional) {
		return usageErrorf("kkm %s takes %d argument(s), got %d", o.name, len(o.positional), len(args))
	}
	if kkmReadOnly[o.name] {
		return o.onDevice(ctx, e, args)
	}
	file := config.Locate(o.config)
	cfg, err := config.Load(file)
	if err != nil {
		return cfgErr(cfg, err)
	}
	detail := strings.TrimSpace(fmt.Sprintf("port=%s %s", o.port, strings.Join(args, " ")))
	if o.driver != shtrih.DriverName {
		detail = "driver=" + o.driver + " " + detail
	}
	return o.withRaw(ctx, e, file, cfg, "kkm "+o.name, detail, func() error { return o.onDevice(ctx, e, args) })
}

// onDevice opens the register and runs the command there.
func (o *kkmOpts) onDevice(ctx context.Context, e *env, args []string) error {
	d, err := o.open(e)
	if err != nil {
		return err
	}
	defer d.Close()
	return deviceError(o.do(ctx, e, d, args))
}

// kkmCommand builds a "kkm NAME" subcommand; positional lists the names of
// its positional arguments.
func kkmCommand(name, summary string, positional []string, do func(ctx context.Context, e *env, d fiscal.Register, args []string) error) *command {
	return &command{
		name:    "kkm " + name,
		args:    strings.Join(positional, " "),
		summary: summary,
		opts:    func() options { return &kkmOpts{name: name, positional: positional, do: do} },
	}
}

// kkmDone builds a "kkm NAME" subcommand that runs one device call and
// says done when it succeeds.
func kkmDone(name, summary, done string, call func(fiscal.Register, context.Context) error) *command {
	return kkmCommand(name, summary, nil, func(ctx context.Context, e *env, d fiscal.Register, _ []string) error {
		if err := call(d, ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, done)
		return nil
	})
}

// kkmSum builds "kkm cash-in" or "kkm cash-out": a device call with a SUM
// in roubles.
func kkmSum(name, summary, done string, call func(fiscal.Register, context.Context, fiscal.Cashier, int64) (int, error)) *command {
	return kkmCommand(name, summary, []string{"SUM"}, func(ctx context.Context, e *env, d fiscal.Register, args []string) error {
		sum, err := parseSum(args[0])
		if err != nil {
			return usageErrorf("%v", err)
		}
		doc, err := call(d, ctx, fiscal.Cashier{}, sum)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %d.%02d: document %d\n", done, sum/100, sum%100, doc)
		return nil
	})
}

func init() {
	register(&command{
		name:    "kkm ports",
		summary: "list serial ports for --port (USB ones with vendor and product ids)",
		opts:    func() options { return kkmPortsOpts{} },
	})
	register(kkmCommand("status", "show the fiscal register's state", nil, kkmStatus))
	register(kkmDone("open-shift", "open a shift", "shift opened",
		func(d fiscal.Register, ctx context.Context) error { return d.OpenShift(ctx, fiscal.Cashier{}) }))
	register(kkmDone("x-report", "print the X report (shift totals, shift stays open)", "X report printed", fiscal.Register.XReport))
	register(kkmDone("z-report", "print the Z report and close the shift", "shift closed",
		func(d fiscal.Register, ctx context.Context) error { return d.ZReport(ctx, fiscal.Cashier{}) }))
	register(kkmSum("cash-in", "register cash put into the drawer (SUM in roubles)", "cash in", fiscal.Register.CashIn))
	register(kkmSum("cash-out", "register cash taken from the drawer (SUM in roubles)", "cash out", fiscal.Register.CashOut))
	register(kkmCommand("print-test", "print a test slip and cut", nil, kkmPrintTest))
	register(kkmCommand("copy", "print a copy of fiscal document FD, read back from the fiscal drive", []string{"FD"}, kkmCopy))
	register(kkmDone("continue", "continue printing after the paper was reloaded", "printing continued", fiscal.Register.Continue))
	register(kkmDone("cancel-receipt", "cancel a receipt left open", "receipt cancelled", fiscal.Register.CancelReceipt))
}

// kkmPortsOpts are the options of "kkm ports": none.
type kkmPortsOpts struct{ noFlags }

func (kkmPortsOpts) run(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("kkm ports takes no arguments")
	}
	ports, err := shtrih.Ports()
	if err != nil {
		return err
	}
	for _, p := range ports {
		if p.USB {
			fmt.Fprintf(e.stdout, "%s: usb %s:%s %s\n", p.Name, p.VID, p.PID, p.Product)
		} else {
			fmt.Fprintf(e.stdout, "%s: serial\n", p.Name)
		}
	}
	if len(ports) == 0 {
		fmt.Fprintln(e.stdout, "no serial ports found")
	}
	return nil
}

func kkmStatus(ctx context.Context, e *env, d fiscal.Register, _ []string) error {
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	shift := "closed"
	switch {
	case st.Mode == fiscal.ModeShiftExpired:
		shift = "open, over 24 hours (Z report needed)"
	case st.ShiftOpen:
		shift = "open"
	}
	lines := [][2]string{
		{"model", st.Model},
		{"mode", fmt.Sprintf("%d (%s)", st.Mode, st.Mode)},
		{"submode", fmt.Sprintf("%d (%s)", st.Submode, st.Submode)},
		{"shift", shift},
		{"shift number", strconv.Itoa(st.ShiftNumber)},
		{"receipts in shift", strconv.Itoa(st.ReceiptNumber)},
		{"document number", strconv.Itoa(st.DocNumber)},
		{"last fiscal document", strconv.FormatUint(uint64(st.LastFD), 10)},
		{"fiscal drive", st.FNNumber},
		{"paper", kkmYesNo(st.Paper)},
		{"cover open", kkmYesNo(st.CoverOpen)},
		{"characters per line", strconv.Itoa(st.LineWidth)},
		{"device time", st.DeviceTime.Format("2006-01-02 15:04:05")},
		{"ready", kkmYesNo(st.Ready())},
	}
	if !st.ShiftOpened.IsZero() {
		lines = append(lines[:5], append([][2]string{{"shift opened", st.ShiftOpened.Format("2006-01-02 15:04")}}, lines[5:]...)...)
	}
	for _, l := range lines {
		fmt.Fprintf(e.stdout, "%s: %s\n", l[0], l[1])
	}
	in, err := d.Info(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, kkmInfoLine(in, e.now()))
	return nil
}

// kkmInfoLine is what the law asks of the register, on one line of
// name=value pairs: FFD version, registration, fiscal drive, OFD queue.
func kkmInfoLine(in fiscal.Info, now time.Time) string {
	r, dr := in.Registration, in.Drive
	date := func(t time.Time, layout string) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(layout)
	}
	warn := "none"
	if ps := dr.Warns(now); len(ps) > 0 || dr.Warnings != 0 {
		var names []string
		for _, p := range ps {
			names = append(names, string(p))
		}
		warn = fmt.Sprintf("%#02x", dr.Warnings)
		if len(names) > 0 {
			warn += "(" + strings.Join(names, ",") + ")"
		}
	}
	if b := dr.Blocked(now); b != "" {
		warn = "blocked:" + string(b) + "," + warn
	}
	left := "-"
	if dr.DocsKnown {
		left = strconv.Itoa(dr.DocsLeft)
	}
	return fmt.Sprintf("ffd=%s inn=%s rnm=%s agent=%s tax_systems=%s auto=%t fn_expires=%s fn_days_left=%d fn_warnings=%s fn_docs_left=%s ofd_unsent=%d ofd_oldest=%s",
		in.FFD, cmp.Or(r.INN, "-"), cmp.Or(r.RNM, "-"), r.Agent, r.TaxSystems, r.Auto, date(dr.Expires, "2006-01-02"), dr.DaysLeft(now),
		warn, left, dr.Unsent, date(dr.OldestUnsent, "2006-01-02T15:04"))
}

// kkmCopy prints a copy of an earlier fiscal document, read back from the
// fiscal drive's archive and marked as a copy, and shows it.
func kkmCopy(ctx context.Context, e *env, d fiscal.Register, args []string) error {
	fd, err := strconv.ParseUint(strings.TrimPrefix(args[0], "--doc="), 10, 32)
	if err != nil || fd == 0 {
		return usageErrorf("FD %q is not a fiscal document number", args[0])
	}
	tags, err := d.DocumentTags(ctx, uint32(fd))
	if err != nil {
		return err
	}
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	lines := receipts.Copy(receipts.DocTypeOf(tags), tags, st.LineWidth)
	if err := d.PrintText(ctx, lines); err != nil {
		return err
	}
	if err := d.Cut(ctx, true); err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
	}
	return nil
}

func kkmPrintTest(ctx context.Context, e *env, d fiscal.Register, _ []string) error {
	now := e.now()
	lines := []string{"ПРОВЕРКА ПЕЧАТИ / PRINT TEST", "PayDesk paydeskctl", now.Format("02.01.2006 15:04:05"),
		"АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", "0123456789 №%*+-=/()"}
	if err := d.PrintText(ctx, lines); err != nil {
		return err
	}
	if err := d.Cut(ctx, false); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "test printed")
	return nil
}

var errNoListener = errors.New("give --pty LINK or --tcp ADDR")
