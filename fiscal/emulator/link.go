package emulator

import (
	"errors"
	"io"
	"os"
	"runtime"
	"time"

	"paydesk/fiscal/shtrih"
)

// Conn is what the emulator serves: a pty master, a TCP socket or a net.Pipe.
type Conn interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
}

var errTimeout = errors.New("timeout")

// pacer holds bytes to the rate of a serial line.
type pacer struct {
	byteTime time.Duration
	rxFree   time.Time // when the bytes taken in so far have crossed the line
	txFree   time.Time
}

// sleepUntil sleeps until t; the last stretch is spun, because a timer
// overshoots short waits by about as much as a byte takes at 115200 baud.
func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 2*time.Millisecond {
		time.Sleep(d - time.Millisecond)
	}
	for time.Now().Before(t) {
		runtime.Gosched()
	}
}

// received accounts for n bytes that just arrived.
func (p *pacer) received(n int) {
	// Half duplex: the host's bytes cannot arrive before ours have left.
	p.rxFree = later(p.start(p.rxFree), p.txFree).Add(time.Duration(n) * p.byteTime)
	p.wait(p.rxFree)
}

// paceSlack is how far the emulator may run ahead of the line: sleeping for
// less is dominated by timer latency, and the accounting carries the
// difference, so the long-run rate stays exact.
const paceSlack = time.Millisecond

// start is when the next byte can begin: right after free, or now when the
// line has been idle. A lag of up to paceSlack (timer overshoot) is caught up
// rather than added to the line time.
func (p *pacer) start(free time.Time) time.Time {
	if now := time.Now(); free.Before(now.Add(-paceSlack)) {
		return now
	}
	return free
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// wait sleeps until t when t is more than paceSlack away.
func (p *pacer) wait(t time.Time) {
	if time.Until(t) > paceSlack {
		sleepUntil(t)
	}
}

// session is the KKT side of protocol v1 on one connection (spec §3.1).
type session struct {
	e    *Emulator
	c    Conn
	tcp  bool
	pace *pacer

	buf []byte
	rb  [512]byte

	epoch   int
	pending []byte    // answer payload not yet acknowledged
	sent    bool      // the pending answer went out at least once
	readyAt time.Time // when the pending answer is ready (slow answers)
	hold    bool      // answer only when asked with ENQ (lost ACK)
	garble  bool      // corrupt the next sending
	v2      v2state   // protocol v2, auto-detected on 8Fh
}

func (s *session) readByte(deadline time.Time) (byte, error) {
	if len(s.buf) == 0 {
		if err := s.c.SetReadDeadline(deadline); err != nil {
			return 0, err
		}
		for {
			n, err := s.c.Read(s.rb[:])
			if n > 0 {
				s.buf = s.rb[:n]
				break
			}
			if err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					return 0, errTimeout
				}
				return 0, err
			}
		}
	}
	b := s.buf[0]
	s.buf = s.buf[1:]
	if s.pace != nil {
		s.pace.received(1)
	}
	return b, nil
}

func (s *session) write(b []byte) error {
	if s.pace == nil {
		_, err := s.c.Write(b)
		return err
	}
	p := s.pace
	sleepUntil(p.rxFree) // no answer before the request has crossed the line
	p.txFree = later(p.start(p.txFree), p.rxFree)
	chunk := int(4 * time.Millisecond / p.byteTime)
	if chunk < 1 {
		chunk = 1
	}
	for len(b) > 0 {
		n := min(chunk, len(b))
		p.txFree = p.txFree.Add(time.Duration(n) * p.byteTime)
		if _, err := s.c.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		p.wait(p.txFree)
	}
	return nil
}

func (s *session) closed() bool {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.e.closed
}

// checkEpoch drops the pending answer after a power cycle.
func (s *session) checkEpoch() {
	s.e.mu.Lock()
	ep := s.e.epoch
	s.e.mu.Unlock()
	if ep != s.epoch {
		s.epoch = ep
		s.pending, s.sent, s.hold, s.garble = nil, false, false, false
		s.v2 = v2state{}
	}
}

func (s *session) sendAnswer() error {
	f, err := shtrih.Encode(s.pending)
	if err != nil {
		return err
	}
	if s.garble {
		f[len(f)-1] ^= 0x5A
		s.garble = false
	}
	s.sent = true
	return s.write(f)
}

func (s *session) serve() error {
	s.e.mu.Lock()
	s.epoch = s.e.epoch
	s.e.mu.Unlock()
	for {
		if s.closed() {
			return nil
		}
		deadline := time.Now().Add(time.Second)
		auto := s.pending != nil && !s.sent && !s.hold
		if auto && s.readyAt.Before(deadline) {
			deadline = s.readyAt
		}
		b, err := s.readByte(deadline)
		s.checkEpoch()
		if err == errTimeout {
			if s.pending != nil && !s.sent && !s.hold && !time.Now().Before(s.readyAt) {
				if err := s.sendAnswer(); err != nil {
					return err
				}
			}
			continue
		}
		if err != nil {
			return err
		}
		switch b {
		case shtrih.ENQ:
			if s.pending == nil {
				err = s.write([]byte{shtrih.NAK})
				break
			}
			s.hold = false
			err = s.write([]byte{shtrih.ACK})
			if err == nil && !time.Now().Before(s.readyAt) {
				err = s.sendAnswer()
			}
		case shtrih.ACK:
			if s.pending != nil && s.sent {
				s.pending = nil
				if s.tcp && s.e.cfg.TCPFiller {
					err = s.write([]byte{shtrih.Filler})
				}
			}
		case shtrih.STX:
			err = s.frame()
		case shtrih.STX2:
			err = s.frameV2()
		default:
			// NAK keeps the answer until ENQ; anything else is noise.
		}
		if err != nil {
			return err
		}
	}
}

// frame reads a command frame after STX, acknowledges and executes it.
func (s *session) frame() error {
	bt := s.e.cfg.ByteTimeout
	n, err := s.readByte(time.Now().Add(bt))
	if err == errTimeout || (err == nil && n == 0) {
		return s.write([]byte{shtrih.NAK})
	}
	if err != nil {
		return err
	}
	p := make([]byte, int(n)+1)
	for i := range p {
		c, err := s.readByte(time.Now().Add(bt))
		if err == errTimeout {
			return s.write([]byte{shtrih.NAK})
		}
		if err != nil {
			return err
		}
		p[i] = c
	}
	payload := p[:n]
	if shtrih.LRC(payload) != p[n] {
		return s.write([]byte{shtrih.NAK})
	}
	cmd, _, _ := shtrih.CmdOf(payload)
	s.e.mu.Lock()
	fault := s.e.takeFault(cmd)
	s.e.mu.Unlock()
	if fault == FaultNAK {
		s.e.log.Info("emulator: fault: NAK instead of ACK", "cmd", cmd)
		return s.write([]byte{shtrih.NAK})
	}
	// A new command replaces an answer the host did not acknowledge.
	s.pending, s.sent, s.hold, s.garble = nil, false, false, false
	if fault == FaultLoseACK {
		s.e.log.Info("emulator: fault: ACK lost", "cmd", cmd)
		s.hold = true
	} else if err := s.write([]byte{shtrih.ACK}); err != nil {
		return err
	}
	if fault == FaultPowerLossBefore {
		s.e.log.Info("emulator: fault: power lost before executing", "cmd", cmd)
		s.e.PowerCycle()
		s.checkEpoch()
		return nil
	}
	ans := s.e.Exec(payload)
	if fault == FaultPowerLoss {
		s.e.log.Info("emulator: fault: power lost before answering", "cmd", cmd)
		s.e.PowerCycle()
		s.checkEpoch()
		return nil
	}
	s.pending = ans
	s.readyAt = time.Now()
	if fault == FaultSlow {
		s.readyAt = s.readyAt.Add(s.e.cfg.SlowDelay)
	}
	s.garble = fault == FaultGarble
	if !s.hold && fault != FaultSlow {
		return s.sendAnswer()
	}
	return nil
}
