//go:build windows

package sim

import "golang.org/x/sys/windows"

// lock takes the state file's lock (LockFileEx, waiting for it), so that
// two simulators on one file (the window and paydeskctl in training) never
// interleave their changes.
func (st *state) lock() {
	if st.lockFile != nil {
		_ = windows.LockFileEx(windows.Handle(st.lockFile.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, new(windows.Overlapped))
	}
}

// unlock releases the lock.
func (st *state) unlock() {
	if st.lockFile != nil {
		_ = windows.UnlockFileEx(windows.Handle(st.lockFile.Fd()), 0, 1, 0, new(windows.Overlapped))
	}
}
