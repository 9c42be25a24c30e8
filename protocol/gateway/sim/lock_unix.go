//go:build unix

package sim

import "syscall"

// lock takes the state file's advisory lock, so that two simulators on one
// file (two PayDesk processes in training) never interleave their changes.
func (st *state) lock() {
	if st.lockFile != nil {
		_ = syscall.Flock(int(st.lockFile.Fd()), syscall.LOCK_EX)
	}
}

// unlock releases the advisory lock.
func (st *state) unlock() {
	if st.lockFile != nil {
		_ = syscall.Flock(int(st.lockFile.Fd()), syscall.LOCK_UN)
	}
}
