package shtrih

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"go.bug.st/serial"
	"go.bug.st/serial/enumerator"
)

// DefaultTCPPort is the register's TCP server port (setup table 21).
const DefaultTCPPort = "7778"

// DefaultBaud is used when no speed is configured.
const DefaultBaud = 115200

// Dial opens PORT: a device path (/dev/ttyUSB0, COM3) at baud, 8N1 without
// flow control, or tcp://host[:port] (port 7778 when omitted).
func Dial(port string, baud int, timeout time.Duration) (Conn, error) {
	if addr, ok := strings.CutPrefix(port, "tcp://"); ok {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, DefaultTCPPort)
		}
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return nil, fmt.Errorf("shtrih: dial %s: %w", addr, err)
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		return c, nil
	}
	if baud <= 0 {
		baud = DefaultBaud
	}
	return OpenSerial(port, baud)
}

// SerialConn adapts a go.bug.st/serial port to Conn.
type SerialConn struct {
	port     serial.Port
	deadline time.Time
}

// OpenSerial opens a serial port 8N1 at baud without flow control. The modem
// bits are left as the driver finds them (InitialStatusBits nil), which also
// keeps a pseudo-terminal usable.
func OpenSerial(name string, baud int) (*SerialConn, error) {
	p, err := serial.Open(name, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("shtrih: open %s: %w", name, err)
	}
	return &SerialConn{port: p}, nil
}

// Read reads with the deadline set by SetReadDeadline.
func (c *SerialConn) Read(b []byte) (int, error) {
	t := serial.NoTimeout
	if !c.deadline.IsZero() {
		t = time.Until(c.deadline)
		if t <= 0 {
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

// Write writes to the port.
func (c *SerialConn) Write(b []byte) (int, error) { return c.port.Write(b) }

// SetReadDeadline sets the deadline for following reads (zero: none).
func (c *SerialConn) SetReadDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// ResetInputBuffer drops pending input.
func (c *SerialConn) ResetInputBuffer() error { return c.port.ResetInputBuffer() }

// Close closes the port; a blocked Read returns.
func (c *SerialConn) Close() error { return c.port.Close() }

// PortInfo describes a serial port for the settings screen.
type PortInfo struct {
	Name    string
	USB     bool
	VID     string
	PID     string
	Product string
}

// Ports lists serial ports through the serial library's enumerator, falling
// back to the plain list where details are not available.
func Ports() ([]PortInfo, error) {
	det, err := enumerator.GetDetailedPortsList()
	if err == nil {
		out := make([]PortInfo, 0, len(det))
		for _, p := range det {
			out = append(out, PortInfo{Name: p.Name, USB: p.IsUSB, VID: p.VID, PID: p.PID, Product: p.Product})
		}
		return out, nil
	}
	names, err2 := serial.GetPortsList()
	if err2 != nil {
		return nil, errors.Join(err, err2)
	}
	out := make([]PortInfo, 0, len(names))
	for _, n := range names {
		out = append(out, PortInfo{Name: n})
	}
	return out, nil
}
