//go:build !linux

package emulator

import "errors"

// PTY is a pseudo-terminal the emulator serves; clients open Path (or the
// symlink given to ListenPTY) as a serial port. The emulator opens them on
// Linux only: elsewhere ListenPTY fails and the emulator is reached over TCP.
type PTY struct {
	Path string // /dev/pts/N
	Link string // symlink to Path, if any
}

// Close does nothing: no PTY is ever opened here.
func (p *PTY) Close() error { return nil }

// ListenPTY fails: the emulator opens pseudo-terminals on Linux only.
func (e *Emulator) ListenPTY(link string) (*PTY, error) {
	return nil, errors.New("emulator: pseudo-terminals are supported on Linux only: use TCP")
}
