//go:build linux

package emulator

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal the emulator serves; a driver opens Path as a
// serial port.
type PTY struct {
	Path   string
	Link   string // symlink to Path, if any
	master *os.File
	slave  *os.File // held open so that the master never reads EIO between clients
}

// Close closes both ends and removes the symlink.
func (p *PTY) Close() error {
	if p.Link != "" {
		if t, err := os.Readlink(p.Link); err == nil && t == p.Path {
			os.Remove(p.Link)
		}
	}
	p.slave.Close()
	return p.master.Close()
}

// ListenPTY creates a raw pseudo-terminal, points link at it (replacing an
// old symlink; empty: none) and serves the protocol on it.
func (e *Emulator) ListenPTY(link string) (*PTY, error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("atol emulator: %w", err)
	}
	var n int
	if err := control(m, func(fd int) (err error) {
		if err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err == nil {
			n, err = unix.IoctlGetInt(fd, unix.TIOCGPTN)
		}
		return err
	}); err != nil {
		m.Close()
		return nil, fmt.Errorf("atol emulator: unlock pty: %w", err)
	}
	path := "/dev/pts/" + strconv.Itoa(n)
	s, err := os.OpenFile(path, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("atol emulator: %w", err)
	}
	if err := control(s, raw); err != nil {
		s.Close()
		m.Close()
		return nil, fmt.Errorf("atol emulator: raw pty: %w", err)
	}
	p := &PTY{Path: path, master: m, slave: s}
	if link != "" {
		if fi, err := os.Lstat(link); err == nil {
			if fi.Mode()&os.ModeSymlink == 0 {
				p.Close()
				return nil, fmt.Errorf("atol emulator: %s exists and is not a symlink", link)
			}
			os.Remove(link)
		}
		if err := os.Symlink(path, link); err != nil {
			p.Close()
			return nil, fmt.Errorf("atol emulator: %w", err)
		}
		p.Link = link
	}
	if !e.addCloser(p) {
		return nil, os.ErrClosed
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.ServeConn(p.master); err != nil {
			e.log.Debug("atol emulator: pty ended", "err", err)
		}
	}()
	return p, nil
}

func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

func raw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8 | unix.CLOCAL | unix.CREAD
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}
