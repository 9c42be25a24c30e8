package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"paydesk/fiscal"
)

// RegistrationHelp is the grammar of a registration SPEC (paydeskctl
// kkm-emu --registration, the control command "registration").
const RegistrationHelp = `comma-separated KEY=VALUE: inn=DIGITS (10 or 12), rnm=DIGITS (up to 20), ` +
	`agent=none|agent|subagent|agent+subagent (1057), tax=osn+usn+usn-minus+eshn+psn (1062, "+"-joined), ` +
	`auto=true|false; keys left out keep the default (inn=7700000000, agent=agent+subagent, tax=osn+usn, auto=false)`

// ParseFFD returns the FFD version byte of "1.05" (2) or "1.2" (4).
func ParseFFD(s string) (byte, error) {
	switch s {
	case "1.05":
		return byte(fiscal.FFD105), nil
	case "1.2":
		return byte(fiscal.FFD12), nil
	}
	return 0, fmt.Errorf("FFD %q: want 1.05 or 1.2", s)
}

// ApplyRegistration sets the registration SPEC describes (see
// RegistrationHelp) in s; s is unchanged on error, which names the value
// at fault.
func ApplyRegistration(s *State, spec string) error {
	next := *s
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, found := strings.Cut(kv, "=")
		if !found {
			return fmt.Errorf("registration %q: want KEY=VALUE", kv)
		}
		if err := applyKey(&next, k, v); err != nil {
			return err
		}
	}
	*s = next
	return nil
}

func applyKey(s *State, k, v string) error {
	var err error
	switch k {
	case "inn":
		err = digits(k, v, 10, 12)
		s.INN = v
	case "rnm":
		err = digits(k, v, 1, 20)
		s.RNM = v
	case "agent":
		s.Reg.Agent, err = parseAgent(v)
	case "tax":
		s.Reg.TaxSystems, err = parseTaxSystems(v)
	case "auto":
		s.Reg.Auto, err = strconv.ParseBool(v)
		if err != nil {
			err = fmt.Errorf("registration auto=%q: want true or false", v)
		}
	default:
		err = fmt.Errorf("registration key %q: want inn, rnm, agent, tax or auto", k)
	}
	return err
}

func digits(k, v string, minLen, maxLen int) error {
	if len(v) < minLen || len(v) > maxLen || strings.Trim(v, "0123456789") != "" {
		return fmt.Errorf("registration %s=%q: want %d to %d digits", k, v, minLen, maxLen)
	}
	return nil
}

func parseAgent(v string) (fiscal.AgentSign, error) {
	if v == "none" {
		return 0, nil
	}
	var a fiscal.AgentSign
	for _, n := range strings.Split(v, "+") {
		switch n {
		case "agent":
			a |= fiscal.PaymentAgent
		case "subagent":
			a |= fiscal.PaymentSubagent
		default:
			return 0, fmt.Errorf("registration agent=%q: want none, agent, subagent or agent+subagent", v)
		}
	}
	return a, nil
}

func parseTaxSystems(v string) (fiscal.TaxSystem, error) {
	var t fiscal.TaxSystem
	for _, n := range strings.Split(v, "+") {
		b, ok := fiscal.TaxSystemNamed(n)
		if !ok {
			return 0, fmt.Errorf("registration tax=%q: %q is not one of %s", v, n, strings.Join(fiscal.TaxSystemNames(), ", "))
		}
		t |= b
	}
	return t, nil
}

// parseAge reads a control command's age: a Go duration (36h) or whole
// days (31d).
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

// fnControls are the control commands of the fiscal drive and the
// registration; each runs with e.mu held and returns its answer line.
var fnControls = map[string]func(e *Emulator, args []string) string{
	"fn-expire":    (*Emulator).ctlExpire,
	"ofd-backlog":  (*Emulator).ctlBacklog,
	"ofd-send":     func(e *Emulator, _ []string) string { e.st.SentFD, e.st.OFDOffline = e.st.LastFD, false; return "ok" },
	"fn-memory":    (*Emulator).ctlMemory,
	"fn-critical":  func(e *Emulator, a []string) string { return e.ctlFlag(a, "on", "off", &e.st.FNCritical) },
	"cash-ops":     func(e *Emulator, a []string) string { return e.ctlOff(a, &e.st.NoCashOps) },
	"barcode-2d":   func(e *Emulator, a []string) string { return e.ctlOff(a, &e.st.No2D) },
	"ffd":          (*Emulator).ctlFFD,
	"registration": (*Emulator).ctlRegistration,
}

func (e *Emulator) ctlExpire(args []string) string {
	if len(args) != 1 {
		return "error: fn-expire needs DAYS"
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return "error: fn-expire " + args[0] + ": want whole days"
	}
	y, m, d := e.now().Date()
	e.st.FNExpires = time.Date(y, m, d+n, 0, 0, 0, 0, time.UTC)
	return "ok fn_expires=" + e.st.FNExpires.Format(time.DateOnly)
}

func (e *Emulator) ctlBacklog(args []string) string {
	if len(args) != 2 {
		return "error: ofd-backlog needs N and AGE"
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || uint32(n) > e.st.LastFD {
		return fmt.Sprintf("error: ofd-backlog %s: want 0..%d (the documents made)", args[0], e.st.LastFD)
	}
	age, err := parseAge(args[1])
	if err != nil {
		return "error: " + err.Error()
	}
	e.st.OFDOffline, e.st.SentFD, e.st.OFDSince = true, e.st.LastFD-uint32(n), e.now().Add(-age)
	return "ok"
}

func (e *Emulator) ctlFlag(args []string, on, off string, flag *bool) string {
	if len(args) != 1 || args[0] != on && args[0] != off {
		return "error: want " + on + " or " + off
	}
	*flag = args[0] == on
	return "ok"
}

// ctlOff sets flag when args is "off", clears it when "on".
func (e *Emulator) ctlOff(args []string, flag *bool) string {
	if len(args) != 1 || args[0] != "on" && args[0] != "off" {
		return "error: want on or off"
	}
	*flag = args[0] == "off"
	return "ok"
}

func (e *Emulator) ctlMemory(args []string) string {
	if len(args) != 1 || args[0] != "90" && args[0] != "full" && args[0] != "ok" {
		return "error: fn-memory needs 90, full or ok"
	}
	e.st.FNMemory90, e.st.FNMemoryFull = args[0] == "90", args[0] == "full"
	return "ok"
}

func (e *Emulator) ctlFFD(args []string) string {
	if len(args) != 1 {
		return "error: ffd needs 1.05 or 1.2"
	}
	v, err := ParseFFD(args[0])
	if err != nil {
		return "error: " + err.Error()
	}
	e.st.FFD = v
	return "ok"
}

func (e *Emulator) ctlRegistration(args []string) string {
	if len(args) != 1 {
		return "error: registration needs SPEC: " + RegistrationHelp
	}
	if err := ApplyRegistration(&e.st, args[0]); err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

// fnStatusLine is the fiscal drive's part of the control status.
func (e *Emulator) fnStatusLine() string {
	oldest := "none"
	if e.unsent() > 0 {
		oldest = e.st.OFDSince.Format("2006-01-02T15:04")
	}
	return fmt.Sprintf(" ffd=%s inn=%s agent=%s tax_systems=%s auto=%t fn_expires=%s fn_warnings=0x%02X fn_memory_full=%t ofd_unsent=%d ofd_oldest=%s",
		fiscal.FFD(e.st.FFD), e.st.INN, e.st.Reg.Agent, e.st.Reg.TaxSystems, e.st.Reg.Auto,
		e.st.FNExpires.Format(time.DateOnly), e.warnings(), e.st.FNMemoryFull, e.unsent(), oldest)
}
