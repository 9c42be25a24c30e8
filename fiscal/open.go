package fiscal

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Config is how to reach a register, whatever its driver: the till, the
// command line and the settings screen open a register through Open with
// it, so that each opens it the same way.
type Config struct {
	// Port is a device path (/dev/ttyUSB0, COM3) or tcp://host[:port].
	Port string
	// Baud is the serial line speed (ignored for tcp://) [the driver's].
	Baud int
	// Password is the operator's password, AdminPassword the one for
	// reports and the fiscal drive's commands [the driver's].
	Password, AdminPassword uint32
	// DialTimeout bounds connecting [5s].
	DialTimeout time.Duration
	// ByteTimeout is the longest gap inside a frame [the driver's].
	ByteTimeout time.Duration
	// MaxAnswerTimeout caps the per-command answer timeouts [no cap].
	MaxAnswerTimeout time.Duration
	// ReadyTimeout bounds waiting for a busy printer [the driver's].
	ReadyTimeout time.Duration
	// Log receives the driver's link diagnostics [discard].
	Log *slog.Logger
}

// Driver opens registers of one kind.
type Driver func(Config) (Register, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// RegisterDriver makes a driver available by name (in the driver
// package's init, as database/sql drivers do). A name registered twice is a
// programming error and panics.
func RegisterDriver(name string, d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[name]; dup || d == nil {
		panic("fiscal: RegisterDriver " + name + " twice or nil")
	}
	drivers[name] = d
}

// Drivers lists the registered driver names, sorted.
func Drivers() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	names := make([]string, 0, len(drivers))
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open connects to the register at c.Port with the named driver.
func Open(driver string, c Config) (Register, error) {
	driversMu.RLock()
	d, ok := drivers[driver]
	driversMu.RUnlock()
	if !ok {
		return nil, &Error{Op: "open", Kind: KindAdmin, Err: fmt.Errorf("fiscal: no driver %q (drivers: %v)", driver, Drivers())}
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return d(c)
}
