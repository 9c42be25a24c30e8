package emulator

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"
)

// ControlHelp lists the commands of the control interface.
const ControlHelp = `commands (one a line, answered "ok ..." or "error: ..."):
  status                   mode, shift, paper, last FD, cash, open receipt
  paper-out | paper-in     take out / load the receipt roll
  advance DURATION         move the register's clock forward (e.g. 25h)
  power-cycle              switch off and on now (the task buffer is lost)
  fault NAME [CMD]         arm a fault (CMD in hex: 4A): lose-answer garble lose-ack
                           power-loss power-loss-before paper-out-in-receipt
` + FNControlHelp + `
  help`

// Control runs one control command and returns its answer line.
func (e *Emulator) Control(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "error: empty command"
	}
	switch f[0] {
	case "help":
		return "ok " + strings.ReplaceAll(ControlHelp, "\n", " | ")
	case "status":
		s := e.State()
		rec := "none"
		if s.Receipt != nil {
			rec = fmt.Sprintf("type=%d total=%d", s.Receipt.Kind, s.Receipt.Total)
		}
		return fmt.Sprintf("ok mode=%d shift=%d shift_open=%t paper=%t last_fd=%d cash=%d receipt=%s",
			s.Mode, s.Shift, s.ShiftOpen, s.Paper, s.LastFD(), s.Cash, rec)
	case "paper-out", "paper-in":
		e.SetPaper(f[0] == "paper-in")
	case "power-cycle":
		e.PowerCycle()
	case "advance":
		if len(f) < 2 {
			return "error: advance needs a duration"
		}
		d, err := time.ParseDuration(f[1])
		if err != nil || d < 0 {
			return fmt.Sprintf("error: bad duration %q", f[1])
		}
		e.Advance(d)
	case "fault":
		if len(f) < 2 {
			return "error: fault needs a name"
		}
		flt, ok := ParseFault(f[1])
		if !ok {
			return "error: unknown fault " + f[1]
		}
		var cmd byte
		if len(f) > 2 {
			if _, err := fmt.Sscanf(strings.TrimSuffix(strings.ToUpper(f[2]), "H"), "%X", &cmd); err != nil {
				return "error: bad command code " + f[2]
			}
		}
		e.Arm(flt, cmd)
	default:
		if a, ok := e.fnControl(f); ok {
			return a
		}
		return "error: unknown command " + f[0]
	}
	return "ok"
}

// ListenControl serves the control interface on a loopback address.
func (e *Emulator) ListenControl(addr string) (net.Addr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("atol emulator: control address %s is not loopback", addr)
	}
	return e.listen(addr, func(c net.Conn) {
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			if _, err := fmt.Fprintln(c, e.Control(sc.Text())); err != nil {
				return
			}
		}
	})
}
