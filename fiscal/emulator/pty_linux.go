//go:build linux

package emulator

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal the emulator serves; clients open Path (or the
// symlink given to ListenPTY) as a serial port.
type PTY struct {
	Path   string // /dev/pts/N
	Link   string // symlink to Path, if any
	master *os.File
	slave  *os.File // kept open so the master never sees EIO between clients
}

// Close closes the pty and removes the symlink.
func (p *PTY) Close() error {
	if p.Link != "" {
		if t, err := os.Readlink(p.Link); err == nil && t == p.Path {
			os.Remove(p.Link)
		}
	}
	p.slave.Close()
	return p.master.Close()
}

// openPTY opens /dev/ptmx, unlocks the slave and puts it in raw mode.
func openPTY() (*PTY, error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("emulator: open /dev/ptmx: %w", err)
	}
	rc, err := m.SyscallConn()
	if err != nil {
		m.Close()
		return nil, err
	}
	var n int
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr != nil {
			return
		}
		n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
	})
	if err == nil {
		err = ioErr
	}
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("emulator: unlock pty: %w", err)
	}
	path := "/dev/pts/" + strconv.Itoa(n)
	s, err := os.OpenFile(path, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("emulator: open %s: %w", path, err)
	}
	if err := makeRaw(s); err != nil {
		s.Close()
		m.Close()
		return nil, err
	}
	return &PTY{Path: path, master: m, slave: s}, nil
}

func makeRaw(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			ioErr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CRTSCTS
		t.Cflag |= unix.CS8 | unix.CLOCAL | unix.CREAD
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
		ioErr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err != nil {
		return err
	}
	return ioErr
}

// ListenPTY creates a pseudo-terminal, points link at it (replacing an old
// symlink; empty link: none) and serves the protocol on it.
func (e *Emulator) ListenPTY(link string) (*PTY, error) {
	p, err := openPTY()
	if err != nil {
		return nil, err
	}
	if link != "" {
		if fi, err := os.Lstat(link); err == nil {
			if fi.Mode()&os.ModeSymlink == 0 {
				p.Close()
				return nil, fmt.Errorf("emulator: %s exists and is not a symlink", link)
			}
			os.Remove(link)
		}
		if err := os.Symlink(p.Path, link); err != nil {
			p.Close()
			return nil, fmt.Errorf("emulator: %w", err)
		}
		p.Link = link
	}
	if !e.addCloser(p) {
		return nil, os.ErrClosed
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.ServeConn(p.master, false); err != nil {
			e.log.Debug("emulator: pty ended", "err", err)
		}
	}()
	return p, nil
}
