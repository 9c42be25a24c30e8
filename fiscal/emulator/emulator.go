// Package emulator is a Shtrih-M fiscal register speaking protocol v1 over a
// pseudo-terminal or TCP, for cashier training and for testing every fault a
// real device shows. It models modes and submodes, shifts with the 24-hour
// limit, open receipts with lines and FN tags, counters, fiscal signs, X and Z
// reports, cash in and out and passwords; it keeps its state in a file and
// prints its tape to a text file.
package emulator

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync"
	"time"

	"paydesk/fiscal/shtrih"
)

// Config configures an Emulator. Zero values take the defaults in brackets.
type Config struct {
	// StatePath is the state file; empty keeps the state in memory only.
	// The fiscal documents are in a journal next to it, StatePath+".docs":
	// the two files are the device's memory and go together.
	StatePath string
	// TapePath is the printed tape (UTF-8 text, appended); empty prints nowhere
	// but Tape still returns the lines.
	TapePath string
	// Now is the device clock [time.Now]; Advance moves it further.
	Now func() time.Time
	// ByteTimeout is the longest gap inside a frame [100ms].
	ByteTimeout time.Duration
	// Baud and Pace: with Pace set, bytes leave and are taken in at the rate
	// of a Baud line (10 bits a byte) [Baud 115200].
	Baud int
	Pace bool
	// TCPFiller sends the 0xFF filler after each host ACK on TCP connections.
	TCPFiller bool
	// PrintTime is how long a printed document keeps the device busy in
	// submode 5 (4 for reports) [0].
	PrintTime time.Duration
	// SlowDelay is how late a FaultSlow answer comes [2s].
	SlowDelay time.Duration
	// LineWidth is the tape width in characters [48].
	LineWidth int
	// NoSeniorCashierReports takes from the senior cashier (operator 28)
	// the right to X reports (40h): the model parameter F7h bit 33 is then
	// clear, and only the administrators (29, 30) may take them.
	NoSeniorCashierReports bool
	// Initial is the state of a new device when there is no state file
	// [NewState(Now())].
	Initial *State
	// Logger [discard].
	Logger *slog.Logger
}

// Fault is a failure injected on demand.
type Fault int

// Faults. Link faults and power loss apply to the next command frame (of the
// given command, when one is given to Arm); the paper fault to the next
// receipt close.
const (
	FaultNAK               Fault = iota + 1 // answer the command frame with NAK, not executing it
	FaultGarble                             // corrupt the LRC of the answer (once)
	FaultLoseACK                            // send no ACK; the answer waits for ENQ
	FaultSlow                               // answer after SlowDelay
	FaultPowerLoss                          // execute, then lose power before answering
	FaultPowerLossBefore                    // ACK, then lose power before executing
	FaultPaperOutInReceipt                  // paper runs out while the receipt prints
	FaultFNNoAnswer                         // the fiscal drive does not answer (30h)
)

var faultNames = map[string]Fault{
	"nak": FaultNAK, "garble": FaultGarble, "lose-ack": FaultLoseACK, "slow": FaultSlow,
	"power-loss": FaultPowerLoss, "power-loss-before": FaultPowerLossBefore,
	"paper-out-in-receipt": FaultPaperOutInReceipt, "fn-no-answer": FaultFNNoAnswer,
}

// ParseFault returns the fault named as in the control interface.
func ParseFault(s string) (Fault, bool) { f, ok := faultNames[s]; return f, ok }

// String names the fault as the control interface does.
func (f Fault) String() string {
	for n, v := range faultNames {
		if v == f {
			return n
		}
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

type armed struct {
	f   Fault
	cmd shtrih.Cmd
}

// Emulator is one emulated register. Its methods are safe for concurrent use.
type Emulator struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex
	st        State
	jr        journal       // where the journal of st.Docs stands
	offset    time.Duration // Advance
	busyUntil time.Time
	busySub   int
	faults    []armed
	epoch     int // incremented by each power cycle
	tape      []string
	tapeFile  *os.File
	executed  map[shtrih.Cmd]int
	read      *docRead // the document requested with FF3A, nil when none is being read
	// newDate is the date 22h programmed, waiting for 23h to confirm it
	// (mode 6); nil when none is.
	newDate *time.Time
	b2d     barcode2D // the 2D-barcode data DDh loaded
	closers []io.Closer
	closed  bool
	wg      sync.WaitGroup
}

// New loads the state file (or creates the device) and opens the tape.
func New(cfg Config) (*Emulator, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ByteTimeout <= 0 {
		cfg.ByteTimeout = 100 * time.Millisecond
	}
	if cfg.Baud <= 0 {
		cfg.Baud = 115200
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 2 * time.Second
	}
	if cfg.LineWidth <= 0 {
		cfg.LineWidth = 48
	}
	e := &Emulator{cfg: cfg, log: cfg.Logger, executed: map[shtrih.Cmd]int{}}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	loaded := false
	if cfg.StatePath != "" {
		if err := removeStaleTemps(cfg.StatePath); err != nil {
			e.log.Warn("emulator: removing temporary files of interrupted saves", "err", err)
		}
		st, jr, ok, err := loadState(cfg.StatePath)
		if err != nil {
			return nil, err
		}
		e.st, e.jr, loaded = st, jr, ok
		e.st.upgrade(cfg.Now())
	}
	if !loaded {
		if cfg.Initial != nil {
			e.st = *cfg.Initial
		} else {
			e.st = NewState(cfg.Now())
		}
		e.st.upgrade(cfg.Now())
		if cfg.StatePath != "" {
			e.jr = journal{pending: slices.Clone(e.st.Docs)}
		}
		if err := e.save(); err != nil {
			return nil, err
		}
	}
	if cfg.TapePath != "" {
		f, err := os.OpenFile(cfg.TapePath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		e.tapeFile = f
	}
	return e, nil
}

func (e *Emulator) save() error {
	if e.cfg.StatePath == "" {
		return nil
	}
	return saveState(e.cfg.StatePath, &e.st, &e.jr)
}

// now is the device clock; e.mu held or not, offset is read under mu by callers.
func (e *Emulator) now() time.Time { return e.cfg.Now().Add(e.offset) }

// Close stops every listener and serving goroutine and closes the tape.
func (e *Emulator) Close() error {
	e.mu.Lock()
	e.closed = true
	cl := e.closers
	e.closers = nil
	e.mu.Unlock()
	for _, c := range cl {
		c.Close()
	}
	e.wg.Wait()
	if e.tapeFile != nil {
		return e.tapeFile.Close()
	}
	return nil
}

func (e *Emulator) addCloser(c io.Closer) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		c.Close()
		return false
	}
	e.closers = append(e.closers, c)
	return true
}

// State returns a copy of the device state.
func (e *Emulator) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.st
	if s.Receipt != nil {
		r := *s.Receipt
		s.Receipt = &r
	}
	s.Docs = append([]Doc(nil), s.Docs...)
	return s
}

// Documents returns every fiscal document the device has made, oldest
// first: from the journal when the device has a state file (State().Docs
// holds only the latest), else those kept in memory.
func (e *Emulator) Documents() ([]Doc, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cfg.StatePath == "" || e.jr.count == 0 {
		return append([]Doc(nil), e.st.Docs...), nil
	}
	docs, _, err := readJournal(journalPath(e.cfg.StatePath), e.jr.count, e.jr.count)
	if err != nil {
		return nil, err
	}
	return append(docs, e.jr.pending...), nil
}

// Executed reports how many times cmd was executed since New (answered or not).
func (e *Emulator) Executed(cmd shtrih.Cmd) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.executed[cmd]
}

// Tape returns the lines printed since New.
func (e *Emulator) Tape() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.tape...)
}

// Arm injects a fault; cmd restricts it to that command (0: the next one).
func (e *Emulator) Arm(f Fault, cmd shtrih.Cmd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, armed{f, cmd})
}

// takeFault removes and returns the first armed link fault matching cmd.
func (e *Emulator) takeFault(cmd shtrih.Cmd) Fault {
	for i, a := range e.faults {
		if a.f == FaultPaperOutInReceipt || a.f == FaultFNNoAnswer {
			continue
		}
		if a.cmd == 0 || a.cmd == cmd {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
			return a.f
		}
	}
	return 0
}

// hasFault removes and reports an armed device fault.
func (e *Emulator) hasFault(f Fault, cmd shtrih.Cmd) bool {
	for i, a := range e.faults {
		if a.f == f && (a.cmd == 0 || a.cmd == cmd) {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
			return true
		}
	}
	return false
}

// SetPaper loads (true) or takes out (false) the receipt roll. Loading after
// a paper-out while printing goes to submode 3 (waiting for B0h).
func (e *Emulator) SetPaper(ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.Paper = ok
	switch {
	case ok && e.st.Submode == 2:
		e.st.Submode = 3
	case ok && e.st.Submode == 1:
		e.st.Submode = 0
	case !ok && e.st.Submode == 0:
		e.st.Submode = 1
	}
	e.saveLocked()
}

// SetCover opens or closes the printer cover.
func (e *Emulator) SetCover(open bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.Cover = open
	e.saveLocked()
}

// Busy keeps the device printing (submode 5) for d of real time.
func (e *Emulator) Busy(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.busyUntil, e.busySub = time.Now().Add(d), 5
}

// Advance moves the device clock forward (ages the shift).
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset += d
}

// PowerCycle switches the device off and on: a pending answer is lost, the
// state is read back from the state file, printing resumes.
func (e *Emulator) PowerCycle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.powerCycleLocked()
}

func (e *Emulator) powerCycleLocked() {
	e.epoch++
	e.busyUntil = time.Time{}
	e.read, e.newDate = nil, nil
	e.b2d = barcode2D{}
	if e.cfg.StatePath != "" {
		st, jr, ok, err := loadState(e.cfg.StatePath)
		if err != nil {
			e.log.Error("emulator: power cycle: loading state", "err", err)
		} else if ok {
			e.st, e.jr = st, jr
			e.st.upgrade(e.now())
		}
	}
	e.log.Info("emulator: power cycle")
}

func (e *Emulator) saveLocked() {
	if err := e.save(); err != nil {
		e.log.Error("emulator: saving state", "err", err)
	}
}

// fp is the deterministic fiscal sign of a document.
func fp(fn string, fd uint32, t time.Time, sum int64) uint32 {
	var b [20]byte
	binary.LittleEndian.PutUint32(b[0:], fd)
	binary.LittleEndian.PutUint64(b[4:], uint64(t.Unix()))
	binary.LittleEndian.PutUint64(b[12:], uint64(sum))
	return crc32.ChecksumIEEE(append([]byte(fn), b[:]...))
}

// ServeConn runs the protocol on one connection until it fails or the
// emulator is closed. tcp marks a TCP socket (for the 0xFF filler).
func (e *Emulator) ServeConn(c Conn, tcp bool) error {
	s := &session{e: e, c: c, tcp: tcp}
	if e.cfg.Pace {
		s.pace = &pacer{byteTime: time.Duration(int64(10*time.Second) / int64(e.cfg.Baud))}
	}
	return s.serve()
}

// ListenTCP serves the protocol on addr (":7778", "127.0.0.1:0").
func (e *Emulator) ListenTCP(addr string) (net.Addr, error) {
	return e.listen(addr, func(c net.Conn) {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		if err := e.ServeConn(c, true); err != nil {
			e.log.Debug("emulator: tcp connection ended", "err", err)
		}
	})
}

// listen accepts connections on addr until the emulator is closed and
// serves each with serve in a goroutine of its own; serve's connection is
// closed when it returns.
func (e *Emulator) listen(addr string, serve func(net.Conn)) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if !e.addCloser(ln) {
		return nil, net.ErrClosed
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !e.addCloser(c) {
				return
			}
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr(), nil
}
