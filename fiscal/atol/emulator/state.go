package emulator

import (
	"slices"
	"time"
)

// Modes of the register (docs/atol.md §4).
const (
	ModeSelect       byte = 0 // no mode entered
	ModeRegistration byte = 1
	ModeXReport      byte = 2
	ModeZReport      byte = 3
)

// Document types in the journal (the FFD's numbers, as the fiscal drive
// reports them).
const (
	DocShiftOpen  byte = 2
	DocReceipt    byte = 3
	DocShiftClose byte = 5
)

// Doc is one fiscal document of the journal.
type Doc struct {
	FD    uint32
	Type  byte
	Kind  byte // receipt type (1 sale, 2 sale return, 4 buy, 5 buy return)
	Sum   int64
	Shift int
	Time  time.Time
}

// Receipt is the receipt being formed.
type Receipt struct {
	Kind  byte
	Total int64
	Paid  int64
	Lines int
}

// State is the register's memory.
type State struct {
	Mode      byte
	ShiftOpen bool
	Shift     int // current or last shift number
	ShiftTime time.Time
	Receipts  int // receipts of the shift
	Receipt   *Receipt
	Cash      int64
	Paper     bool
	Docs      []Doc
}

func newState() State { return State{Paper: true} }

func (s State) clone() State {
	s.Docs = slices.Clone(s.Docs)
	if s.Receipt != nil {
		r := *s.Receipt
		s.Receipt = &r
	}
	return s
}

// LastFD is the number of the last fiscal document (0: none).
func (s State) LastFD() uint32 {
	if len(s.Docs) == 0 {
		return 0
	}
	return s.Docs[len(s.Docs)-1].FD
}
