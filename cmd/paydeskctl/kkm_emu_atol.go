package main

import (
	"context"
	"fmt"

	atolemu "paydesk/fiscal/atol/emulator"
)

// runATOL is "kkm-emu --driver atol": the ATOL emulator on the pty, TCP
// port and control interface the flags name, its state in --state and its
// tape in --tape, paced at --baud with --pace; a new device is registered
// as --ffd and --registration say.
func (o *kkmEmuOpts) runATOL(ctx context.Context, e *env) error {
	st := atolemu.NewState()
	v, err := atolemu.ParseFFD(o.ffd)
	if err != nil {
		return usageErrorf("--ffd %q: %v", o.ffd, err)
	}
	st.Reg.FFD = v
	if err := atolemu.ApplyRegistration(&st.Reg, o.registration); err != nil {
		return usageErrorf("--registration %q: %v", o.registration, err)
	}
	emu, err := atolemu.Open(atolemu.Config{Now: e.now, Logger: e.log, StatePath: o.state, TapePath: o.tape, Initial: &st,
		Baud: o.baud, Pace: o.pace})
	if err != nil {
		return err
	}
	defer emu.Close()
	if o.pty != "" {
		p, err := emu.ListenPTY(o.pty)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: atol pty %s -> %s\n", p.Link, p.Path)
	}
	if o.tcp != "" {
		a, err := emu.ListenTCP(o.tcp)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: atol tcp %s (PORT tcp://%s)\n", a, a)
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
	fmt.Fprintln(e.stdout, "kkm-emu: running; interrupt to stop")
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "kkm-emu: stopped")
	return nil
}
