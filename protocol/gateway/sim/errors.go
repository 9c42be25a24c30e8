package sim

import "fmt"

// Kind is the class of a simulator error.
type Kind int

// Kinds of simulator errors.
const (
	// KindConfig: the Config is incomplete or inconsistent.
	KindConfig Kind = iota + 1
	// KindState: the state file cannot be read or written.
	KindState
	// KindKeys: a training key set cannot be made, read or written.
	KindKeys
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindConfig:
		return "configuration"
	case KindState:
		return "state file"
	case KindKeys:
		return "training keys"
	}
	return "unknown"
}

// Error is a failure of the simulator outside request handling (requests
// are always answered as the network would, never with a Go error).
type Error struct {
	Op   string // what was being done, such as "new" or "load state"
	Kind Kind
	Err  error
}

// Error formats the error as "gateway sim: op: kind: cause".
func (e *Error) Error() string {
	return fmt.Sprintf("gateway sim: %s: %s: %v", e.Op, e.Kind, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func errorf(op string, kind Kind, format string, a ...any) error {
	return &Error{Op: op, Kind: kind, Err: fmt.Errorf(format, a...)}
}
