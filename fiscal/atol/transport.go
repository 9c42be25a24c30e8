package atol

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"go.bug.st/serial"
)

// DefaultTCPPort is the port of the register's TCP server (docs/atol.md §1).
const DefaultTCPPort = "5555"

// DefaultBaud is used when no line speed is configured.
const DefaultBaud = 115200

// conn is what the driver closes: a serial port or a TCP connection.
type conn interface {
	Conn
	Close() error
}

// dial opens port: a device path at baud, 8N1, or tcp://host[:port].
func dial(port string, baud int, timeout time.Duration) (conn, error) {
	if addr, ok := strings.CutPrefix(port, "tcp://"); ok {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, DefaultTCPPort)
		}
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return nil, fmt.Errorf("atol: dial %s: %w", addr, err)
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		return c, nil
	}
	if baud <= 0 {
		baud = DefaultBaud
	}
	p, err := serial.Open(port, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("atol: open %s: %w", port, err)
	}
	return &serialConn{port: p}, nil
}

// serialConn gives a serial port read deadlines.
type serialConn struct {
	port     serial.Port
	deadline time.Time
}

func (c *serialConn) Read(b []byte) (int, error) {
	t := serial.NoTimeout
	if !c.deadline.IsZero() {
		if t = time.Until(c.deadline); t <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
	}
	if err := c.port.SetReadTimeout(t); err != nil {
		return 0, err
	}
	n, err := c.port.Read(b)
	if n == 0 && err == nil {
		return 0, os.ErrDeadlineExceeded
	}
	return n, err
}

func (c *serialConn) Write(b []byte) (int, error)       { return c.port.Write(b) }
func (c *serialConn) SetReadDeadline(t time.Time) error { c.deadline = t; return nil }
func (c *serialConn) Close() error                      { return c.port.Close() }
