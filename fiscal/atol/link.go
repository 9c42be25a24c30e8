package atol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/atol/wire"
)

// Conn is the byte stream to a register: a serial port or a TCP connection.
type Conn interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
}

// errNotTaken means the register has no task of ours under the id: the
// Add never reached it, or it lost its buffer (a restart) before
// answering. Whether the command ran is then for the caller to find out.
var errNotTaken = errors.New("the register has no such task")

// link runs commands through the register's task buffer (docs/atol.md §3).
// Each command is one task with a fresh task id; the register never runs a
// task id twice, so every question after a lost or garbled answer is a
// state request (Req) for the same id, and the command itself goes out
// exactly once.
type link struct {
	conn        Conn
	log         *slog.Logger
	byteTimeout time.Duration
	byteTime    time.Duration // time of one byte on the line, 0 on TCP
	poll        time.Duration
	answer      time.Duration // longest wait for the answer to one buffer command
	tries       int
	sleep       func(context.Context, time.Duration) error

	pid, tid byte
	started  bool
	rbuf     [256]byte
	rn, ri   int
}

// readByte reads one byte waiting at most until deadline.
func (l *link) readByte(deadline time.Time) (byte, error) {
	if l.ri < l.rn {
		l.ri++
		return l.rbuf[l.ri-1], nil
	}
	if err := l.conn.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	n, err := l.conn.Read(l.rbuf[:])
	if n > 0 {
		l.rn, l.ri = n, 1
		return l.rbuf[0], nil
	}
	if err == nil {
		err = os.ErrDeadlineExceeded
	}
	return 0, err
}

func (l *link) drop() { l.ri, l.rn = 0, 0 }

// readPacket reads the answer packet with id pid, skipping packets of
// other ids (late answers to earlier packets, asynchronous answers): the
// first byte within wait, the rest byte by byte.
func (l *link) readPacket(pid byte, wait time.Duration) (wire.Packet, error) {
	deadline := time.Now().Add(wait)
	for {
		first := true
		p, err := wire.Read(func() (byte, error) {
			d := time.Now().Add(l.byteTimeout)
			if first {
				d = deadline
				first = false
			}
			return l.readByte(d)
		})
		if err != nil {
			return p, err
		}
		if p.ID == pid {
			return p, nil
		}
		l.log.Debug("atol: packet of another id skipped", "id", p.ID, "want", pid)
		if time.Now().After(deadline) {
			return p, os.ErrDeadlineExceeded
		}
	}
}

// exchange sends one buffer command in a new packet and reads its answer.
func (l *link) exchange(data []byte, wait time.Duration) (wire.Answer, error) {
	l.pid = wire.NextID(l.pid)
	frame := wire.Encode(l.pid, data)
	if _, err := l.conn.Write(frame); err != nil {
		return wire.Answer{}, err
	}
	p, err := l.readPacket(l.pid, wait+time.Duration(len(frame))*l.byteTime)
	if err != nil {
		return wire.Answer{}, err
	}
	return wire.ParseAnswer(p.Data, data[0] == wire.Req)
}

// start empties the register's buffer once per connection: a result left
// there by an earlier session must not answer one of our task ids.
func (l *link) start() error {
	if l.started {
		return nil
	}
	for try := 0; ; try++ {
		a, err := l.exchange([]byte{wire.Abort}, l.byteTimeout*5+500*time.Millisecond)
		if err == nil {
			l.started = true
			l.log.Debug("atol: task buffer emptied", "state", wire.StateName(a.State))
			return nil
		}
		if try+1 >= l.tries || isFatal(err) {
			return fmt.Errorf("%w: %w", fiscal.ErrNoLink, err)
		}
		l.drop()
	}
}

func isFatal(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe)
}

// do runs cmd as one task and returns the command's answer. taken reports
// whether the register was seen to hold the task (then a lost answer means
// outcome unknown, never "not sent"). Errors: errNotTaken (the register has
// no such task), fiscal.ErrNoLink (nothing was answered at all before the
// command went out), fiscal.ErrOutcomeUnknown (the task went out and its
// result could not be read within timeout), a link error.
func (l *link) do(ctx context.Context, cmd []byte, timeout time.Duration) ([]byte, error) {
	if err := l.start(); err != nil {
		return nil, err
	}
	l.tid = wire.NextID(l.tid)
	tid := l.tid
	deadline := time.Now().Add(timeout)
	a, err := l.exchange(wire.AddTask(wire.NeedResult, tid, cmd), l.wait(timeout))
	taken := err == nil
	switch {
	case err != nil && isFatal(err):
		// The Add may have gone out whole before the line died.
		return nil, fmt.Errorf("%w: %w", fiscal.ErrOutcomeUnknown, err)
	case err != nil:
		l.log.Warn("atol: no answer to the task; asking its state", "tid", tid, "err", err)
	case a.State == wire.Overflow:
		return nil, fmt.Errorf("%w: the task buffer is full", fiscal.ErrNoLink)
	case a.State == wire.BadValue, a.State == wire.NotFound:
		return nil, fmt.Errorf("%w: the register refused the task: %s", fiscal.ErrBadAnswer, wire.StateName(a.State))
	case a.State == wire.Exists:
		// Our Add was taken before (an answer lost, the packet resent by
		// the line): ask for it like any other.
	}
	misses := 0
	for err != nil || !a.Done() {
		if err == nil && a.State == wire.NotFound {
			if !taken {
				return nil, errNotTaken
			}
			return nil, fmt.Errorf("%w: task %02Xh vanished from the register's buffer", fiscal.ErrOutcomeUnknown, tid)
		}
		if err == nil {
			taken = true
		}
		if err != nil {
			misses++
			l.drop()
			if isFatal(err) {
				return nil, fmt.Errorf("%w: %w", fiscal.ErrOutcomeUnknown, err)
			}
		}
		if time.Now().After(deadline) || misses > l.tries {
			return nil, fmt.Errorf("%w: task %02Xh: %v", fiscal.ErrOutcomeUnknown, tid, err)
		}
		if err == nil && a.State != wire.Exists {
			if serr := l.sleep(ctx, l.poll); serr != nil {
				return nil, fmt.Errorf("%w: %w", fiscal.ErrOutcomeUnknown, serr)
			}
		}
		a, err = l.exchange(wire.ReqTask(tid), l.wait(time.Until(deadline)))
	}
	// The result is ours; acknowledging lets the register drop it. A lost
	// acknowledgement costs nothing: the next Abort empties the buffer.
	if _, aerr := l.exchange(wire.AckTask(tid), l.byteTimeout*5+200*time.Millisecond); aerr != nil {
		l.log.Debug("atol: acknowledgement not answered", "tid", tid, "err", aerr)
		l.drop()
	}
	return a.Data, nil
}

// wait is how long to wait for one answer: at most a few seconds (the
// register answers a buffer command at once, pending or not), and at most
// half of what is left, so that an answer lost on the line leaves time to
// ask for it again (Req) within the command's time.
func (l *link) wait(left time.Duration) time.Duration {
	w := l.answer
	if left/2 < w {
		w = left / 2
	}
	if w < l.byteTimeout*3 {
		w = l.byteTimeout * 3
	}
	return w
}
