package shtrih

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"paydesk/fiscal"
)

// Conn is the byte link to a device: a serial port, a TCP socket, a pty or a
// net.Pipe. A Read after the read deadline fails with an error for which
// errors.Is(err, os.ErrDeadlineExceeded) holds.
type Conn interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
}

// inputResetter is implemented by serial ports that can drop pending input.
type inputResetter interface{ ResetInputBuffer() error }

// errNoSTX/errBroken are the ways reading an answer fails.
var (
	errTimeout = errors.New("timeout")
	errBroken  = errors.New("frame broken")
)

// link runs the protocol v1 exchange (spec §3.2) over a Conn.
type link struct {
	conn        Conn
	byteTimeout time.Duration
	byteTime    time.Duration // time on the wire of one byte, 0 when unknown (TCP)
	enqTries    int
	sendTries   int
	readTries   int
	log         *slog.Logger
	buf         []byte
	rb          [256]byte
	// dirty is set when an exchange ended early (timeout, unknown outcome):
	// replies to it may still be on their way.
	dirty bool
}

func (l *link) wireTime(n int) time.Duration { return time.Duration(n) * l.byteTime }

// readByte returns the next byte or errTimeout after d.
func (l *link) readByte(d time.Duration) (byte, error) {
	if len(l.buf) > 0 {
		b := l.buf[0]
		l.buf = l.buf[1:]
		return b, nil
	}
	if err := l.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return 0, err
	}
	for {
		n, err := l.conn.Read(l.rb[:])
		if n > 0 {
			l.buf = l.rb[1:n]
			return l.rb[0], nil
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return 0, errTimeout
			}
			return 0, err
		}
	}
}

// purge drops stale input.
func (l *link) purge() {
	l.buf = nil
	if r, ok := l.conn.(inputResetter); ok {
		if r.ResetInputBuffer() == nil {
			return
		}
	}
	for {
		if _, err := l.readByte(200 * time.Microsecond); err != nil {
			return
		}
	}
}

func (l *link) write(b ...byte) error {
	_, err := l.conn.Write(b)
	return err
}

// readControl waits for ACK, NAK or STX, skipping the 0xFF filler and noise.
// extra is added to the byte timeout (the time our own bytes spend on the wire).
func (l *link) readControl(extra time.Duration) (byte, error) {
	deadline := time.Now().Add(l.byteTimeout + extra)
	for {
		d := time.Until(deadline)
		if d <= 0 {
			return 0, errTimeout
		}
		b, err := l.readByte(d)
		if err != nil {
			return 0, err
		}
		switch b {
		case ACK, NAK, STX:
			return b, nil
		case Filler:
			continue
		default:
			l.log.Debug("shtrih: noise instead of a control byte", "byte", b)
		}
	}
}

// readFrame reads an answer frame. When haveSTX is false it first waits up to
// first for STX (skipping anything else). It returns errTimeout when no STX
// came, errBroken when the frame stopped midway, ErrBadLRC on a bad LRC.
func (l *link) readFrame(first time.Duration, haveSTX bool) ([]byte, error) {
	if !haveSTX {
		deadline := time.Now().Add(first)
		for {
			d := time.Until(deadline)
			if d <= 0 {
				return nil, errTimeout
			}
			b, err := l.readByte(d)
			if err != nil {
				return nil, err
			}
			if b == STX {
				break
			}
			if b != Filler {
				l.log.Debug("shtrih: skipping byte before STX", "byte", b)
			}
		}
	}
	n, err := l.readByte(l.byteTimeout)
	if err != nil {
		if err == errTimeout {
			return nil, errBroken
		}
		return nil, err
	}
	if n == 0 {
		return nil, errBroken
	}
	p := make([]byte, int(n)+1)
	for i := range p {
		c, err := l.readByte(l.byteTimeout)
		if err != nil {
			if err == errTimeout {
				return nil, errBroken
			}
			return nil, err
		}
		p[i] = c
	}
	if LRC(p[:n]) != p[n] {
		return nil, ErrBadLRC
	}
	return p[:n], nil
}

// check is the link check before a command: ENQ until NAK, reading and
// acknowledging any stale answer the device still holds.
//
// Every ENQ draws exactly one reply, but replies to earlier ENQs can still be
// on their way after a stale answer, noise or a timeout. A NAK that such a
// reply follows would be taken for a refusal of the command frame and the
// frame sent twice, so after any such event the line is drained until quiet
// and the check asks once more: the command goes out only after a clean
// ENQ -> NAK.
func (l *link) check(ctx context.Context, timeout time.Duration) error {
	dirty := false
	if l.dirty {
		l.drain()
		l.dirty = false
	}
	for i := 0; i < l.enqTries; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.write(ENQ); err != nil {
			return err
		}
		b, err := l.readControl(l.wireTime(1))
		switch {
		case err == errTimeout:
			dirty = true
			continue
		case err != nil:
			return err
		case b == NAK && !dirty:
			return nil
		case b == NAK:
			l.drain()
			dirty = false
			continue
		}
		// ACK (an answer follows) or STX (the answer started already).
		dirty = true
		p, err := l.readFrame(timeout, b == STX)
		if err == nil {
			_ = l.write(ACK)
			l.log.Warn("shtrih: discarded a stale answer", "payload", fmt.Sprintf("% X", p))
		}
	}
	return fiscal.ErrNoLink
}

// do sends one command payload and returns the answer payload. The context is
// honoured until the command is on the wire; after that the exchange runs to
// its end (bounded by the timeouts) so that an accepted command is never lost.
func (l *link) do(ctx context.Context, payload []byte, timeout time.Duration) ([]byte, error) {
	p, err := l.exchange(ctx, payload, timeout)
	if err != nil {
		l.dirty = true
	}
	return p, err
}

func (l *link) exchange(ctx context.Context, payload []byte, timeout time.Duration) ([]byte, error) {
	frame, err := Encode(payload)
	if err != nil {
		return nil, err
	}
	l.purge()
	if err := l.check(ctx, timeout); err != nil {
		return nil, err
	}
	accepted, haveSTX := false, false
	for i := 0; i < l.sendTries && !accepted; i++ {
		if _, err := l.conn.Write(frame); err != nil {
			return nil, err
		}
		b, err := l.readControl(l.wireTime(len(frame) + 1))
		if err != nil && err != errTimeout {
			return nil, fmt.Errorf("%w: %v", fiscal.ErrOutcomeUnknown, err)
		}
		switch {
		case err == nil && b == ACK:
			accepted = true
			continue
		case err == nil && b == STX: // the ACK was lost, the answer is coming
			accepted, haveSTX = true, true
			continue
		case err == nil && b == NAK:
			// Rejected before execution, unless this NAK is a late reply to
			// something earlier and the frame's ACK is still coming: ask
			// with ENQ before resending (below).
			l.log.Debug("shtrih: command NAKed, checking with ENQ", "try", i+1)
		}
		// No ACK: ask whether the device took the command.
		l.dirty = true
		if err := l.write(ENQ); err != nil {
			return nil, err
		}
		b, err = l.readControl(l.wireTime(1))
		switch {
		case err == nil && b == ACK:
			accepted = true
		case err == nil && b == STX:
			accepted, haveSTX = true, true
		case err == nil && b == NAK:
			// This NAK may be a late answer to the frame with the answer to
			// the ENQ still on its way: let the line fall quiet so that the
			// second NAK is not taken for a refusal of the re-sent frame.
			l.log.Debug("shtrih: command not received, resending", "try", i+1)
			l.drain()
		default:
			return nil, fmt.Errorf("%w: no ACK and no answer to ENQ", fiscal.ErrOutcomeUnknown)
		}
	}
	if !accepted {
		return nil, fmt.Errorf("%w: the device rejected the command %d times", fiscal.ErrNoLink, l.sendTries)
	}
	for i := 0; i < l.readTries; i++ {
		p, err := l.readFrame(timeout, haveSTX)
		haveSTX = false
		if err == nil {
			if err := l.write(ACK); err != nil {
				return nil, err
			}
			return p, nil
		}
		l.dirty = true
		switch err {
		case ErrBadLRC, errBroken:
			l.log.Debug("shtrih: bad answer, asking again", "err", err)
			if err == errBroken {
				l.drain() // let the rest of a broken frame pass
			}
			if err := l.write(NAK); err != nil {
				return nil, err
			}
		case errTimeout:
			l.log.Debug("shtrih: answer timeout, asking with ENQ")
		default:
			return nil, fmt.Errorf("%w: %v", fiscal.ErrOutcomeUnknown, err)
		}
		if err := l.write(ENQ); err != nil {
			return nil, err
		}
		b, err := l.readControl(l.wireTime(1))
		switch {
		case err == nil && b == ACK:
			continue
		case err == nil && b == STX:
			haveSTX = true
			continue
		case err == nil && b == NAK:
			return nil, fmt.Errorf("%w: the device holds no answer", fiscal.ErrOutcomeUnknown)
		default:
			return nil, fmt.Errorf("%w: no answer to ENQ", fiscal.ErrOutcomeUnknown)
		}
	}
	return nil, fmt.Errorf("%w: no good answer after %d tries", fiscal.ErrOutcomeUnknown, l.readTries)
}

// drain reads until the line is quiet for a byte timeout.
func (l *link) drain() {
	for {
		if _, err := l.readByte(l.byteTimeout); err != nil {
			return
		}
	}
}
