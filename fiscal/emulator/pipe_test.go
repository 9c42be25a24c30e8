package emulator_test

import (
	"io"
	"os"
	"sync"
	"time"
)

// pipeConn feeds fixed input to the emulator and swallows its output; after
// the input it reports EOF.
type pipeConn struct {
	mu       sync.Mutex
	in       []byte
	deadline time.Time
}

func newPipeConn(in []byte) *pipeConn { return &pipeConn{in: in} }

func (p *pipeConn) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.in) == 0 {
		return 0, io.EOF
	}
	if !p.deadline.IsZero() && time.Now().After(p.deadline) {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(b, p.in[:1]) // one byte at a time, like a slow line
	p.in = p.in[n:]
	return n, nil
}

func (p *pipeConn) Write(b []byte) (int, error) { return len(b), nil }

func (p *pipeConn) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deadline = t
	return nil
}
