//go:build !unix && !windows

package sim

// lock does nothing where neither flock nor LockFileEx is available: state is still reloaded
// when another process replaced the file, but changes may interleave.
func (st *state) lock() {}

// unlock does nothing where flock is not available.
func (st *state) unlock() {}
