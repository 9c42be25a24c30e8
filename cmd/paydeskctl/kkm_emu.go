package main

import (
	"context"
	"fmt"
	"time"

	"paydesk/fiscal/emulator"
)

func init() {
	register(&command{
		name:    "kkm-emu",
		args:    "(--pty LINK | --tcp ADDR) [--state FILE] [--tape FILE] [--baud N --pace] [--control ADDR] [--print-time D] [--slow-delay D]",
		summary: "run a Shtrih-M fiscal register emulator until interrupted",
		run:     runKKMEmu,
	})
}

func runKKMEmu(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kkm-emu")
	pty := fs.String("pty", "", "create a pseudo-terminal and a symlink to it at `LINK`")
	tcp := fs.String("tcp", "", "listen for TCP connections on `ADDR` (e.g. 127.0.0.1:7778)")
	state := fs.String("state", "", "state `FILE` (kept across restarts like a real device; default: memory only)")
	tape := fs.String("tape", "", "printed tape text `FILE` (appended)")
	baud := fs.Int("baud", 115200, "line speed for --pace")
	pace := fs.Bool("pace", false, "send and take in bytes at the --baud rate")
	control := fs.String("control", "", "loopback `ADDR` of the control interface (faults, paper, clock)")
	filler := fs.Bool("ff", true, "send the 0xFF filler after host ACKs on TCP, as real devices do")
	printTime := fs.Duration("print-time", 0, "how long each printed document keeps the device busy (submode 5)")
	slow := fs.Duration("slow-delay", 2*time.Second, "how late a \"fault slow\" answer comes")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q", pos[0])
	}
	if *pty == "" && *tcp == "" {
		return usageErrorf("%v", errNoListener)
	}
	if *baud <= 0 {
		return usageErrorf("--baud %d out of range", *baud)
	}
	emu, err := emulator.New(emulator.Config{
		StatePath: *state, TapePath: *tape, Now: e.now, Baud: *baud, Pace: *pace,
		TCPFiller: *filler, Logger: e.log, PrintTime: *printTime, SlowDelay: *slow,
	})
	if err != nil {
		return err
	}
	defer emu.Close()
	if *pty != "" {
		p, err := emu.ListenPTY(*pty)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: pty %s -> %s\n", p.Link, p.Path)
	}
	if *tcp != "" {
		a, err := emu.ListenTCP(*tcp)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: tcp %s (PORT tcp://%s)\n", a, a)
	}
	if *control != "" {
		a, err := emu.ListenControl(*control)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kkm-emu: control %s (send \"help\")\n", a)
	}
	if *pace {
		fmt.Fprintf(e.stdout, "kkm-emu: pacing at %d baud\n", *baud)
	}
	fmt.Fprintln(e.stdout, "kkm-emu: running; interrupt to stop")
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "kkm-emu: stopped")
	return nil
}
