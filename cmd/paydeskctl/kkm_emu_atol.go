package main

import (
	"context"
	"fmt"
	"strings"

	atolemu "paydesk/fiscal/atol/emulator"
)

// runATOL is "kkm-emu --driver atol": the ATOL emulator on the pty, TCP
// port and control interface the flags name, registered as --ffd and
// --registration say. It keeps its state in memory.
func (o *kkmEmuOpts) runATOL(ctx context.Context, e *env) error {
	if o.state != "" || o.tape != "" || o.pace {
		return usageErrorf("--driver atol: --state, --tape and --pace are the Shtrih emulator's")
	}
	emu := atolemu.New(atolemu.Config{Now: e.now, Logger: e.log})
	defer emu.Close()
	if a := emu.Control("ffd " + o.ffd); a != "ok" {
		return usageErrorf("--ffd %q: %s", o.ffd, strings.TrimPrefix(a, "error: "))
	}
	if o.registration != "" {
		if a := emu.Control("registration " + o.registration); a != "ok" {
			return usageErrorf("--registration %q: %s", o.registration, strings.TrimPrefix(a, "error: "))
		}
	}
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
