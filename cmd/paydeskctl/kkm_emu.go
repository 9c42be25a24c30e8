package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"paydesk/fiscal/emulator"
)

func init() {
	register(&command{
		name:    "kkm-emu",
		summary: "run a Shtrih-M fiscal register emulator until interrupted",
		opts:    func() options { return &kkmEmuOpts{} },
	})
}

// kkmEmuOpts are the options of "kkm-emu".
type kkmEmuOpts struct {
	pty, tcp, control string
	state, tape       string
	baud              int
	pace, filler      bool
	printTime, slow   time.Duration
	ffd, registration string
	driver            string
}

func (o *kkmEmuOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.driver, "driver", "shtrih", "the register's protocol `NAME`: shtrih or atol")
	fs.StringVar(&o.pty, "pty", "", "create a pseudo-terminal and a symlink to it at `LINK` (this or --tcp, or both)")
	fs.StringVar(&o.tcp, "tcp", "", "listen for TCP connections on `ADDR` (e.g. 127.0.0.1:7778)")
	fs.StringVar(&o.state, "state", "", "state `FILE` (kept across restarts like a real device; default: memory only)")
	fs.StringVar(&o.tape, "tape", "", "printed tape text `FILE` (appended)")
	fs.IntVar(&o.baud, "baud", 115200, "line speed `N` for --pace")
	fs.BoolVar(&o.pace, "pace", false, "send and take in bytes at the --baud rate")
	fs.StringVar(&o.control, "control", "", "loopback `ADDR` of the control interface (faults, paper, clock)")
	fs.BoolVar(&o.filler, "ff", true, "send the 0xFF filler after host ACKs on TCP, as real devices do")
	fs.DurationVar(&o.printTime, "print-time", 0, "how long each printed document keeps the device busy (submode 5)")
	fs.DurationVar(&o.slow, "slow-delay", 2*time.Second, "how late a \"fault slow\" answer comes")
	fs.StringVar(&o.ffd, "ffd", "1.2", "FFD `VERSION` of a new device (no --state file yet): 1.05 or 1.2")
	fs.StringVar(&o.registration, "registration", "", "registration `SPEC` of a new device (no --state file yet): "+emulator.RegistrationHelp+
		"; e.g. inn=7700000000,agent=subagent,tax=usn+osn,auto=false")
}

// initial is the state of a new device as --ffd and --registration make it.
func (o *kkmEmuOpts) initial(now time.Time) (*emulator.State, error) {
	st := emulator.NewState(now)
	v, err := emulator.ParseFFD(o.ffd)
	if err != nil {
		return nil, usageErrorf("--ffd %q: want 1.05 or 1.2", o.ffd)
	}
	st.FFD = v
	if err := emulator.ApplyRegistration(&st, o.registration); err != nil {
		return nil, usageErrorf("--registration %q: %v", o.registration, err)
	}
	return &st, nil
}

func (o *kkmEmuOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	if o.pty == "" && o.tcp == "" {
		return usageErrorf("%v", errNoListener)
	}
	if o.baud <= 0 {
		return usageErrorf("--baud %d out of range", o.baud)
	}
	switch o.driver {
	case "shtrih":
	case "atol":
		return o.runATOL(ctx, e)
	default:
		return usageErrorf("--driver %q: want shtrih or atol", o.driver)
	}
	initial, err := o.initial(e.now())
	if err != nil {
		return err
	}
	emu, err := emulator.New(emulator.Config{
		StatePath: o.state, TapePath: o.tape, Now: e.now, Baud: o.baud, Pace: o.pace,
		TCPFiller: o.filler, Logger: e.log, PrintTime: o.printTime, SlowDelay: o.slow, Initial: initial,
	})
	if err != nil {
		return err
	}
	defer emu.Close()
	if err := o.listen(e, emu); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "kkm-emu: running; interrupt to stop")
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "kkm-emu: stopped")
	return nil
}

// listen opens the emulator's pseudo-terminal, TCP port and control
// interface as the flags ask and says where they are.
func (o *kkmEmuOpts) listen(e *env, emu *emulator.Emulator) error {
	if o.pty != "" {
		p, err := emu.ListenPTY(o.pty)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: pty %s -> %s\n", p.Link, p.Path)
	}
	if o.tcp != "" {
		a, err := emu.ListenTCP(o.tcp)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: tcp %s (PORT tcp://%s)\n", a, a)
	}
	if o.control != "" {
		a, err := emu.ListenControl(o.control)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: control %s (send \"help\")\n", a)
	}
	if o.pace {
		fmt.Fprintf(e.stdout, "kkm-emu: pacing at %d baud\n", o.baud)
	}
	return nil
}
