package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FNControlHelp lists the control commands of the fiscal drive and the
// registration.
const FNControlHelp = `  ffd 1.05|1.2             the FFD version the register is registered for (1209; register 36h)
  registration SPEC        comma-separated inn=DIGITS,rnm=DIGITS,agent=none|agent|subagent|agent+subagent,
                           tax=osn+usn+usn-minus+eshn+psn,auto=true|false (keys left out are kept)
  fn-expire DAYS           the fiscal drive's last day: today + DAYS (negative: expired)
  ofd-backlog N AGE        the OFD stops confirming: the last N documents wait, since AGE ago (31d, 36h)
  ofd-send                 the OFD confirms every document
  fn-memory 90|ok          the drive's memory 90 % full (a warning), or not
  fn-critical on|off       a critical fiscal drive error (warning bit 7)
  fn-queries on|off        off: a firmware without the drive's registration, expiry, status and OFD queries,
                           E9h and register 36h (7Ah)
  qr on|off                off: a firmware without the barcode command C1h (F2h)`

var taxNames = map[string]byte{"osn": 0x01, "usn": 0x02, "usn-minus": 0x04, "eshn": 0x10, "psn": 0x20}

// ApplyRegistration sets the registration spec describes (see
// FNControlHelp) in r; r is unchanged on error, which names the value at
// fault.
func ApplyRegistration(r *Registration, spec string) error {
	next := *r
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, found := strings.Cut(kv, "=")
		if !found {
			return fmt.Errorf("registration %q: want KEY=VALUE", kv)
		}
		switch k {
		case "inn", "rnm":
			lo, hi := 10, 12
			if k == "rnm" {
				lo, hi = 1, 20
			}
			if len(v) < lo || len(v) > hi || strings.Trim(v, "0123456789") != "" {
				return fmt.Errorf("registration %s=%q: want %d to %d digits", k, v, lo, hi)
			}
			if k == "inn" {
				next.INN = v
			} else {
				next.RNM = v
			}
		case "agent":
			next.Agent = 0
			if v != "none" {
				for _, n := range strings.Split(v, "+") {
					switch n {
					case "agent":
						next.Agent |= 0x04
					case "subagent":
						next.Agent |= 0x08
					default:
						return fmt.Errorf("registration agent=%q: want none, agent, subagent or agent+subagent", v)
					}
				}
			}
		case "tax":
			next.Tax = 0
			for _, n := range strings.Split(v, "+") {
				b, ok := taxNames[n]
				if !ok {
					return fmt.Errorf("registration tax=%q: %q is not osn, usn, usn-minus, eshn or psn", v, n)
				}
				next.Tax |= b
			}
		case "auto":
			a, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("registration auto=%q: want true or false", v)
			}
			next.Auto = a
		default:
			return fmt.Errorf("registration key %q: want inn, rnm, agent, tax or auto", k)
		}
	}
	*r = next
	return nil
}

// ParseFFD returns the version byte of "1.05" (2) or "1.2" (4).
func ParseFFD(s string) (byte, error) {
	switch s {
	case "1.05":
		return 2, nil
	case "1.2":
		return 4, nil
	}
	return 0, fmt.Errorf("FFD %q: want 1.05 or 1.2", s)
}

func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("age %q: want days (31d) or a duration (36h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	a, err := time.ParseDuration(s)
	if err != nil || a < 0 {
		return 0, fmt.Errorf("age %q: want days (31d) or a duration (36h)", s)
	}
	return a, nil
}

// fnControl runs one of the fiscal drive's control commands; handled is
// false for a command that is not one of them.
func (e *Emulator) fnControl(f []string) (answer string, handled bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := &e.st
	arg := func(i int) string {
		if len(f) > i {
			return f[i]
		}
		return ""
	}
	switch f[0] {
	case "ffd":
		v, err := ParseFFD(arg(1))
		if err != nil {
			return "error: " + err.Error(), true
		}
		st.Reg.FFD = v
	case "registration":
		if err := ApplyRegistration(&st.Reg, arg(1)); err != nil {
			return "error: " + err.Error(), true
		}
	case "fn-expire":
		n, err := strconv.Atoi(arg(1))
		if err != nil {
			return fmt.Sprintf("error: fn-expire %q: want whole days", arg(1)), true
		}
		y, m, d := e.now().Date()
		st.FNExpires = time.Date(y, m, d, 0, 0, 0, 0, e.now().Location()).AddDate(0, 0, n)
	case "ofd-backlog":
		n, err := strconv.Atoi(arg(1))
		if err != nil || n < 0 {
			return fmt.Sprintf("error: ofd-backlog %q: want a number of documents", arg(1)), true
		}
		age, err := parseAge(arg(2))
		if err != nil {
			return "error: " + err.Error(), true
		}
		last := st.LastFD()
		st.SentFD = 0
		if uint32(n) < last {
			st.SentFD = last - uint32(n)
		}
		st.OFDStuck, st.OFDSince = true, e.now().Add(-age)
	case "ofd-send":
		st.SentFD, st.OFDStuck, st.OFDSince = st.LastFD(), false, time.Time{}
	case "fn-memory":
		switch arg(1) {
		case "90":
			st.Warnings |= 0x04
		case "ok":
			st.Warnings &^= 0x04
		default:
			return "error: fn-memory: want 90 or ok", true
		}
	case "fn-queries":
		switch arg(1) {
		case "on", "off":
			st.NoFNQueries = arg(1) == "off"
		default:
			return "error: fn-queries: want on or off", true
		}
	case "qr":
		switch arg(1) {
		case "on", "off":
			st.NoQR = arg(1) == "off"
		default:
			return "error: qr: want on or off", true
		}
	case "fn-critical":
		switch arg(1) {
		case "on":
			st.Warnings |= 0x80
		case "off":
			st.Warnings &^= 0x80
		default:
			return "error: fn-critical: want on or off", true
		}
	default:
		return "", false
	}
	e.persist()
	return "ok", true
}
