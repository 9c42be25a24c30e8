// Package emulator is an ATOL register on a pty or a TCP socket speaking
// protocol 3.x (docs/atol.md): the task buffer of the low level and the
// upper-level commands the driver uses, with faults injected on demand.
// It shares nothing with the driver but fiscal/atol/wire.
package emulator

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"paydesk/fiscal/atol/wire"
)

// Config configures an Emulator. Zero values take the defaults in brackets.
type Config struct {
	// Now is the device clock [time.Now].
	Now func() time.Time
	// ByteTimeout is the longest gap inside a packet [100ms].
	ByteTimeout time.Duration
	// Logger [discard].
	Logger *slog.Logger
	// StatePath keeps the register's memory across restarts (Open) [none:
	// in memory]; TapePath receives the printed lines [none].
	StatePath, TapePath string
	// Initial is the state of a new register when StatePath does not exist
	// yet [a closed shift, paper, the default registration].
	Initial *State
	// Baud and Pace: with Pace set, a packet is taken in and an answer
	// sent at the time their bytes take on a line of Baud (8N1: 10 bits a
	// byte) [115200, off].
	Baud int
	Pace bool
}

// timeDuration is a saved clock offset.
func timeDuration(ns int64) time.Duration { return time.Duration(ns) }

// Fault is a failure injected on the next packet carrying a task of the
// given command (Arm), or on the next packet at all for the buffer faults.
type Fault int

// Faults.
const (
	FaultLoseAnswer        Fault = iota + 1 // run the task, send no answer to its Add
	FaultGarble                             // send the answer with a wrong CRC (once)
	FaultLoseAck                            // send no answer to the next Ack
	FaultPowerLossBefore                    // lose power before running the task: buffer emptied, no answer
	FaultPowerLossAfter                     // run the task, then lose power before answering
	FaultPaperOutInReceipt                  // the paper runs out while the receipt closes (67h, receipt stays open)
)

var faultNames = map[string]Fault{
	"lose-answer": FaultLoseAnswer, "garble": FaultGarble, "lose-ack": FaultLoseAck,
	"power-loss-before": FaultPowerLossBefore, "power-loss": FaultPowerLossAfter,
	"paper-out-in-receipt": FaultPaperOutInReceipt,
}

// ParseFault returns the fault named as in the control interface.
func ParseFault(s string) (Fault, bool) { f, ok := faultNames[s]; return f, ok }

type armed struct {
	f   Fault
	cmd byte // 0: any
	sub byte // for A4h: the sub-command (0: any)
}

type task struct {
	state byte
	ans   []byte
}

// Emulator is one emulated register; its methods are safe for concurrent use.
type Emulator struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	offset   time.Duration // Advance
	st       State
	tasks    map[byte]*task
	faults   []armed
	executed map[byte]int
	tape     []string
	closers  []io.Closer
	closed   bool
	wg       sync.WaitGroup

	tagBlocks []byte // E8h blocks received so far
	tagBlockN byte   // how many
	reading   []Tag  // the document A4h 45h opened, the tags 46h has not handed out
}

// New creates a register with a closed shift, paper and an empty journal.
func New(cfg Config) *Emulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ByteTimeout == 0 {
		cfg.ByteTimeout = 100 * time.Millisecond
	}
	if cfg.Baud <= 0 {
		cfg.Baud = 115200
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Emulator{cfg: cfg, log: log, st: newState(), tasks: map[byte]*task{}, executed: map[byte]int{}}
}

// State returns a copy of the register's state.
func (e *Emulator) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.clone()
}

// Executed says how many tasks of command cmd the register has run.
func (e *Emulator) Executed(cmd byte) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.executed[cmd]
}

// Tape returns the printed lines.
func (e *Emulator) Tape() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.tape...)
}

// Arm injects f on the next task of command cmd (0: any command; FaultLoseAck
// applies to the next Ack, FaultGarble with cmd 0 to the next packet).
func (e *Emulator) Arm(f Fault, cmd byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, armed{f: f, cmd: cmd})
}

// ArmFN injects f on the next A4h task of sub-command sub (46h: the next
// TLV of a document).
func (e *Emulator) ArmFN(f Fault, sub byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, armed{f: f, cmd: CmdFN, sub: sub})
}

// SetPaper puts paper in or takes it out.
func (e *Emulator) SetPaper(ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.Paper = ok
	e.persist()
}

// readOnly reports the commands that change nothing of the saved state.
func readOnly(code byte) bool {
	switch code {
	case CmdStatus, CmdStatusCode, CmdCash, CmdFN, CmdReadTag, CmdRegister:
		return true
	}
	return false
}

// Advance moves the register's clock forward by d.
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset += d
	e.persist()
}

func (e *Emulator) now() time.Time { return e.cfg.Now().Add(e.offset) }

// PowerCycle turns the register off and on: the task buffer and the mode
// are lost, the shift, the open receipt and the journal are kept.
func (e *Emulator) PowerCycle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.powerCycle()
}

func (e *Emulator) powerCycle() {
	e.tasks = map[byte]*task{}
	e.st.Mode = 0
}

func (e *Emulator) take(want func(armed) bool) (Fault, bool) {
	for i, a := range e.faults {
		if want(a) {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
			return a.f, true
		}
	}
	return 0, false
}

// Close stops serving and closes every listener and connection.
func (e *Emulator) Close() error {
	e.mu.Lock()
	e.closed = true
	cs := e.closers
	e.closers = nil
	e.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
	e.wg.Wait()
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

// Conn is a byte stream the emulator serves.
type Conn interface {
	io.ReadWriter
	SetReadDeadline(time.Time) error
}

// ServeConn runs the protocol on c until it fails or the emulator closes.
func (e *Emulator) ServeConn(c Conn) error {
	var buf [256]byte
	var n, i int
	first := true
	next := func() (byte, error) {
		if i < n {
			i++
			return buf[i-1], nil
		}
		d := time.Time{}
		if !first {
			d = time.Now().Add(e.cfg.ByteTimeout)
		}
		if err := c.SetReadDeadline(d); err != nil {
			return 0, err
		}
		m, err := c.Read(buf[:])
		if m == 0 {
			if err == nil {
				err = os.ErrDeadlineExceeded
			}
			return 0, err
		}
		n, i = m, 1
		first = false
		return buf[0], nil
	}
	for {
		first = true
		p, err := wire.Read(next)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, wire.ErrFrame), errors.Is(err, wire.ErrCRC), errors.Is(err, wire.ErrTooLong):
			e.log.Debug("atol emulator: packet dropped", "err", err)
			i, n = 0, 0
			continue
		case err != nil:
			return err
		}
		e.pace(len(wire.Encode(p.ID, p.Data)))
		ans, garble, ok := e.handle(p.Data)
		if !ok {
			continue
		}
		var async []byte
		if a, isAsync := asyncAnswer(p.Data, ans); isAsync {
			ans, async = []byte{wire.Pending}, a
		}
		f := wire.Encode(p.ID, ans)
		if garble {
			f[len(f)-1] ^= 0x5A
			if f[len(f)-1] == wire.STX || f[len(f)-1] == wire.ESC {
				f[len(f)-1] ^= 0x01
			}
		}
		if async != nil {
			f = append(f, wire.Encode(wire.AsyncID, async)...)
		}
		e.pace(len(f))
		if _, err := c.Write(f); err != nil {
			return err
		}
	}
}

// pace waits the time n bytes take on the line, when pacing.
func (e *Emulator) pace(n int) {
	if e.cfg.Pace {
		time.Sleep(time.Duration(n) * 10 * time.Second / time.Duration(e.cfg.Baud))
	}
}

// asyncAnswer turns the answer to an Add with the Async flag into the
// asynchronous packet's data (A6h or A7h, the task id, the command's
// answer); the Add itself is answered "pending" (docs/atol.md §3).
func asyncAnswer(req, ans []byte) ([]byte, bool) {
	if len(req) < 4 || req[0] != wire.Add || req[1]&wire.Async == 0 || len(ans) == 0 {
		return nil, false
	}
	st := wire.AsyncResult
	switch ans[0] {
	case wire.Result:
	case wire.Error:
		st = wire.AsyncError
	default:
		return nil, false // a buffer error is answered at once
	}
	return append([]byte{st, req[2]}, ans[1:]...), true
}

// handle runs one buffer command and returns the answer to send (ok false:
// none).
func (e *Emulator) handle(data []byte) (ans []byte, garble, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(data) == 0 {
		return []byte{wire.BadValue}, false, true
	}
	_, garble = e.take(func(a armed) bool {
		return a.f == FaultGarble && (a.cmd == 0 || len(data) > 5 && data[0] == wire.Add && data[5] == a.cmd)
	})
	switch data[0] {
	case wire.Abort:
		e.tasks = map[byte]*task{}
		return []byte{wire.Result}, garble, true
	case wire.Ack:
		if len(data) != 2 {
			return []byte{wire.BadValue}, garble, true
		}
		if _, lose := e.take(func(a armed) bool { return a.f == FaultLoseAck }); lose {
			delete(e.tasks, data[1])
			return nil, false, false
		}
		if _, ok := e.tasks[data[1]]; !ok {
			return []byte{wire.NotFound}, garble, true
		}
		delete(e.tasks, data[1])
		return []byte{wire.Result}, garble, true
	case wire.Req:
		if len(data) != 2 {
			return []byte{wire.BadValue}, garble, true
		}
		t, ok := e.tasks[data[1]]
		if !ok {
			return []byte{wire.NotFound}, garble, true
		}
		return append([]byte{t.state, data[1]}, t.ans...), garble, true
	case wire.Add:
		if len(data) < 4 {
			return []byte{wire.BadValue}, garble, true
		}
		tid, cmd := data[2], data[3:]
		if tid > wire.MaxID {
			return []byte{wire.BadValue}, garble, true
		}
		if _, dup := e.tasks[tid]; dup {
			return []byte{wire.Exists}, garble, true
		}
		code := byte(0)
		if len(cmd) > 2 {
			code = cmd[2]
		}
		f, _ := e.take(func(a armed) bool {
			return (a.f == FaultLoseAnswer || a.f == FaultPowerLossBefore || a.f == FaultPowerLossAfter) && (a.cmd == 0 || a.cmd == code) &&
				(a.sub == 0 || len(cmd) > 3 && cmd[3] == a.sub)
		})
		if f == FaultPowerLossBefore {
			e.powerCycle()
			return nil, false, false
		}
		res := e.run(cmd)
		if !readOnly(code) {
			e.persist()
		}
		state := wire.Result
		if len(res) >= 2 && res[0] == wire.AnswerOK && res[1] != 0 {
			state = wire.Error
		}
		switch f {
		case FaultPowerLossAfter:
			e.powerCycle()
			return nil, false, false
		case FaultLoseAnswer:
			e.tasks[tid] = &task{state, res}
			return nil, false, false
		}
		if data[1]&wire.NeedResult != 0 {
			e.tasks[tid] = &task{state, res}
		}
		return append([]byte{state}, res...), garble, true
	}
	return []byte{wire.BadValue}, garble, true
}

// ListenTCP serves the protocol on addr ("127.0.0.1:0", ":5555").
func (e *Emulator) ListenTCP(addr string) (net.Addr, error) {
	return e.listen(addr, func(c net.Conn) {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		if err := e.ServeConn(c); err != nil {
			e.log.Debug("atol emulator: connection ended", "err", err)
		}
	})
}

// listen accepts connections on addr until the emulator closes and serves
// each in its own goroutine, closing it when serve returns.
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

func (e *Emulator) print(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	e.tape = append(e.tape, line)
	e.appendTape(line)
}
