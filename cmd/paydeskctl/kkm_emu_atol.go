package main

import (
	"context"
	"fmt"

	atolemu "paydesk/fiscal/atol/emulator"
)

// runATOL is "kkm-emu --driver atol": the ATOL emulator on the pty, TCP
// port and control interface the flags name. It keeps its state in memory.
func (o *kkmEmuOpts) runATOL(ctx context.Context, e *env) error {
	if o.state != "" || o.tape != "" || o.pace || o.registration != "" {
		return usageErrorf("--driver atol: --state, --tape, --pace and --registration are the Shtrih emulator's")
	}
	emu := atolemu.New(atolemu.Config{Now: e.now, Logger: e.log})
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
	fmt.Fprintln(e.stdout, "kkm-emu: running; interrupt to stop")
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "kkm-emu: stopped")
	return nil
}
