package emulator

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"

	"paydesk/fiscal/shtrih"
)

// ControlHelp lists the commands of the control interface.
const ControlHelp = `commands (one a line, answered "ok ..." or "error: ..."):
  status                       mode, submode, shift, paper, cover, counters, FFD, registration,
                               fiscal drive expiry and warnings, OFD queue
  paper-out | paper-in         take out / load the receipt roll
  cover-open | cover-close
  busy DURATION                keep printing (submode 5) for DURATION
  advance DURATION             move the device clock forward (e.g. 25h)
  power-cycle                  switch off and on now
  fn-expire DAYS               the fiscal drive's last day: today + DAYS (negative: expired)
  ofd-backlog N AGE            the OFD stops confirming; N documents wait, the first AGE old
                               (31d or a Go duration, 36h); 30 days blocks fiscal documents
  ofd-send                     the OFD confirms everything and confirms at once again
  fn-memory 90|full|ok         the fiscal drive's memory 90 % full (a warning), or full
                               (blocks fiscal documents)
  fn-critical on|off           a critical fiscal drive error (blocks fiscal documents)
  cash-ops on|off              off: the firmware has no cash in/out commands (50h, 51h: 37h)
  barcode-2d on|off            off: the firmware has no 2D-barcode commands (DDh, DEh: 37h)
  ffd 1.05|1.2                 the FFD version the register forms documents in
  registration SPEC            change the registration: ` + RegistrationHelp + `
  fault NAME [CMD]             arm a fault for the next command (CMD in hex: FF45, 10):
                               nak garble lose-ack slow power-loss power-loss-before
                               paper-out-in-receipt fn-no-answer
  help`

// Control runs one control command and returns its answer line.
func (e *Emulator) Control(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "error: empty command"
	}
	dur := func() (time.Duration, error) {
		if len(f) < 2 {
			return 0, fmt.Errorf("%s needs a duration", f[0])
		}
		return time.ParseDuration(f[1])
	}
	if run, found := fnControls[f[0]]; found {
		e.mu.Lock()
		defer e.mu.Unlock()
		ans := run(e, f[1:])
		e.saveLocked()
		return ans
	}
	switch f[0] {
	case "help":
		return "ok " + strings.ReplaceAll(ControlHelp, "\n", " | ")
	case "status":
		e.mu.Lock()
		defer e.mu.Unlock()
		return fmt.Sprintf("ok mode=%d submode=%d shift=%d shift_open=%t paper=%t cover_open=%t last_fd=%d doc=%d cash=%s",
			e.mode()&0x0F, e.submode(), e.st.ShiftNumber, e.st.ShiftOpen, e.st.Paper, e.st.Cover, e.st.LastFD, e.st.DocNumber, rub(e.st.Cash)) +
			e.fnStatusLine()
	case "paper-out":
		e.SetPaper(false)
	case "paper-in":
		e.SetPaper(true)
	case "cover-open":
		e.SetCover(true)
	case "cover-close":
		e.SetCover(false)
	case "power-cycle":
		e.PowerCycle()
	case "busy", "advance":
		d, err := dur()
		if err != nil {
			return "error: " + err.Error()
		}
		if f[0] == "busy" {
			e.Busy(d)
		} else {
			e.Advance(d)
		}
	case "fault":
		return e.ctlFault(f[1:])
	default:
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
		return nil, fmt.Errorf("emulator: control address %s is not loopback", addr)
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

// ctlFault is "fault NAME [CMD]".
func (e *Emulator) ctlFault(args []string) string {
	if len(args) < 1 {
		return "error: fault needs a name"
	}
	flt, ok := ParseFault(args[0])
	if !ok {
		return "error: unknown fault " + args[0]
	}
	var cmd shtrih.Cmd
	if len(args) > 1 {
		var v uint16
		if _, err := fmt.Sscanf(strings.TrimSuffix(strings.ToUpper(args[1]), "H"), "%X", &v); err != nil {
			return "error: bad command code " + args[1]
		}
		cmd = shtrih.Cmd(v)
	}
	e.Arm(flt, cmd)
	return "ok"
}
