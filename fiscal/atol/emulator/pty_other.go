//go:build !linux

package emulator

import "errors"

// PTY is a pseudo-terminal the emulator serves; a driver opens Path as a
// serial port. Only Linux has them here: ListenPTY fails elsewhere and the emulator
// is reached over TCP, as the Shtrih emulator is.
type PTY struct {
	Path string
	Link string // symlink to Path, if any
}

// Close does nothing: no PTY is ever opened off Linux.
func (p *PTY) Close() error { return nil }

// ListenPTY fails: pseudo-terminals are Linux's; use ListenTCP.
func (e *Emulator) ListenPTY(link string) (*PTY, error) {
	return nil, errors.New("atol emulator: pseudo-terminals are supported on Linux only: use TCP")
}
