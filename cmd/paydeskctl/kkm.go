package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// kkmFlags are the flags every "kkm" subcommand takes.
type kkmFlags struct {
	port     string
	baud     int
	password uint
	timeout  time.Duration
}

func (k *kkmFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.port, "port", "", "register `PORT`: a device path (/dev/ttyUSB0, COM3) or tcp://host:port")
	fs.IntVar(&k.baud, "baud", shtrih.DefaultBaud, "serial line speed")
	fs.UintVar(&k.password, "password", 30, "register password (operator 1-28, administrator 29, system administrator 30)")
	fs.DurationVar(&k.timeout, "byte-timeout", 100*time.Millisecond, "longest gap inside a frame")
}

const kkmArgs = "--port PORT [--baud N] [--password N]"

// open connects to the register named by the flags.
func (k *kkmFlags) open(e *env) (*shtrih.Device, error) {
	if k.port == "" {
		return nil, usageErrorf("--port is required")
	}
	if k.password == 0 || k.password > 0xFFFFFFFF {
		return nil, usageErrorf("--password %d out of range", k.password)
	}
	if k.baud <= 0 {
		return nil, usageErrorf("--baud %d out of range", k.baud)
	}
	reg, err := fiscal.Open(shtrih.DriverName, fiscal.Config{Port: k.port, Baud: k.baud, Password: uint32(k.password),
		AdminPassword: uint32(k.password), ByteTimeout: k.timeout, Log: e.log})
	if err != nil {
		return nil, noAnswer(err)
	}
	return reg.(*shtrih.Device), nil
}

// deviceError maps driver errors to exit codes: link problems exit 3, device
// codes exit 1 with the code in the message.
func deviceError(err error) error {
	if err == nil {
		return nil
	}
	if fiscal.KindOf(err) == fiscal.KindLink {
		return noAnswer(err)
	}
	return err
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

// kkmCommand builds a "kkm NAME" subcommand; positional lists the names of
// its positional arguments.
func kkmCommand(name, summary string, positional []string, do func(ctx context.Context, e *env, d *shtrih.Device, args []string) error) *command {
	args := kkmArgs
	for _, p := range positional {
		args = p + " " + args
	}
	return &command{
		name:    "kkm " + name,
		args:    args,
		summary: summary,
		run: func(ctx context.Context, e *env, argv []string) error {
			var k kkmFlags
			fs := newFlags(e, "kkm "+name)
			k.register(fs)
			pos, err := parse(fs, argv)
			if err != nil {
				return err
			}
			if len(pos) != len(positional) {
				return usageErrorf("kkm %s takes %d argument(s), got %d", name, len(positional), len(pos))
			}
			d, err := k.open(e)
			if err != nil {
				return err
			}
			defer d.Close()
			return deviceError(do(ctx, e, d, pos))
		},
	}
}

func init() {
	register(&command{
		name:    "kkm ports",
		args:    "",
		summary: "list serial ports for --port (USB ones with vendor and product ids)",
		run: func(_ context.Context, e *env, args []string) error {
			pos, err := parse(newFlags(e, "kkm ports"), args)
			if err != nil {
				return err
			}
			if len(pos) > 0 {
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
		},
	})
	register(kkmCommand("status", "show the fiscal register's state", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
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
			return nil
		}))
	register(kkmCommand("open-shift", "open a shift", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
			if err := d.OpenShift(ctx, fiscal.Cashier{}); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "shift opened")
			return nil
		}))
	register(kkmCommand("x-report", "print the X report (shift totals, shift stays open)", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
			if err := d.XReport(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "X report printed")
			return nil
		}))
	register(kkmCommand("z-report", "print the Z report and close the shift", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
			if err := d.ZReport(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "shift closed")
			return nil
		}))
	for _, c := range []struct {
		name, summary, done string
		do                  func(*shtrih.Device, context.Context, int64) (int, error)
	}{
		{"cash-in", "register cash put into the drawer (SUM in roubles)", "cash in", (*shtrih.Device).CashIn},
		{"cash-out", "register cash taken from the drawer (SUM in roubles)", "cash out", (*shtrih.Device).CashOut},
	} {
		register(kkmCommand(c.name, c.summary, []string{"SUM"},
			func(ctx context.Context, e *env, d *shtrih.Device, args []string) error {
				sum, err := parseSum(args[0])
				if err != nil {
					return usageErrorf("%v", err)
				}
				doc, err := c.do(d, ctx, sum)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s %d.%02d: document %d\n", c.done, sum/100, sum%100, doc)
				return nil
			}))
	}
	register(kkmCommand("print-test", "print a test slip and cut", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
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
		}))
	register(kkmCommand("continue", "continue printing after the paper was reloaded", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
			if err := d.Continue(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "printing continued")
			return nil
		}))
	register(kkmCommand("cancel-receipt", "cancel a receipt left open", nil,
		func(ctx context.Context, e *env, d *shtrih.Device, _ []string) error {
			if err := d.CancelReceipt(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "receipt cancelled")
			return nil
		}))
}

var errNoListener = errors.New("give --pty LINK or --tcp ADDR")
