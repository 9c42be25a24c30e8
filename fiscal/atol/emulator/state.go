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
	DocRegistration byte = 1
	DocShiftOpen    byte = 2
	DocReceipt      byte = 3
	DocShiftClose   byte = 5
	DocCorrection   byte = 31 // чек коррекции
)

// Correction reports whether receipt type t (92h) is a correction receipt:
// 7 sale, 8 sale return, 9 buy, 10 buy return (docs/atol.md §4).
func Correction(t byte) bool { return t >= 7 && t <= 10 }

// Tag is one FN TLV attribute written with E8h: its number and its
// encoded value (a structure's value is its nested TLVs).
type Tag struct {
	Num   uint16
	Value []byte
}

// Line is one item of a receipt in the journal, with its tags: 1212 and
// 1214 from EBh's fields, then those E8h wrote inside its position
// (docs/atol.md §4).
type Line struct {
	Name  string
	Price int64 // kopecks
	Qty   int64 // thousandths
	Sum   int64 // kopecks
	Tax   byte  // EBh's tax type (1…6)
	Dept  int
	Tags  []Tag
}

// Doc is one fiscal document of the journal.
type Doc struct {
	FD    uint32
	Type  byte
	Kind  byte // receipt type (1 sale, 2 sale return, 4 buy, 5 buy return; 7–10 their corrections)
	Sum   int64
	Shift int
	Time  time.Time
	Cash  int64 // receipts: paid in cash (1031)
	Card  int64 // receipts: paid electronically (1081)
	Lines []Line
	// Tags are the document's own tags written with E8h (receipt level, or
	// the cashier of a shift report).
	Tags []Tag
}

// Receipt is the receipt being formed.
type Receipt struct {
	Kind  byte
	Total int64
	Paid  int64
	Cash  int64
	Card  int64
	Lines []Line
	Tags  []Tag
	// Position is set between EAh and EBh: E8h then writes ItemTags,
	// which EBh gives the item.
	Position bool
	ItemTags []Tag
}

// CashOp is one cash in or cash out (not a fiscal document: the drawer's
// counter and the tape), with the cashier written for it.
type CashOp struct {
	In   bool
	Sum  int64
	Tags []Tag
	Time time.Time
}

// Registration is the register's registration as its fiscal drive holds
// it (answered by A4h 43h and 44h).
type Registration struct {
	INN   string
	RNM   string
	Tax   byte // 1062 bits
	Agent byte // 1057 bits
	Auto  bool
	FFD   byte // 1209: 2 = 1.05, 4 = 1.2
	Time  time.Time
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
	CashOps   []CashOp
	// DocTags are written outside a receipt (the cashier before a shift
	// report or a cash operation) and go with the next such operation.
	DocTags []Tag

	Reg       Registration
	FNNumber  string
	FNExpires time.Time // the drive's last day
	Warnings  byte      // FN warning flags (A4h 30h)
	// SentFD is the last document the OFD confirmed; OFDSince is when
	// the OFD stopped confirming (zero: it confirms at once).
	SentFD   uint32
	OFDSince time.Time
	OFDStuck bool
	// NoFNQueries is a firmware without the drive's registration,
	// expiry, status and OFD queries (A4h 43h, 32h, 30h, 20h), of E9h and
	// of register 36h: 7Ah.
	NoFNQueries bool
	// NoQR is a firmware without C1h (F2h).
	NoQR bool `json:",omitempty"`
}

// Defaults of a new register's registration (paydeskctl kkm-emu
// --registration changes them).
const (
	DefaultINN = "7700000000"
	DefaultRNM = "0000000001012345"
)

// NewState is the memory of a new register: a closed shift, paper, an
// empty journal, the default registration (FFD 1.2).
func NewState() State { return newState() }

func newState() State {
	return State{Paper: true, FNNumber: "9999078900001234",
		Reg: Registration{INN: DefaultINN, RNM: DefaultRNM, Tax: 0x01 | 0x02, Agent: 0x04 | 0x08, FFD: 4}}
}

func (s State) clone() State {
	s.Docs = slices.Clone(s.Docs)
	s.CashOps = slices.Clone(s.CashOps)
	s.DocTags = slices.Clone(s.DocTags)
	if s.Receipt != nil {
		r := *s.Receipt
		r.Lines = slices.Clone(r.Lines)
		r.Tags = slices.Clone(r.Tags)
		r.ItemTags = slices.Clone(r.ItemTags)
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

// Find returns fiscal document fd of the journal.
func (s State) Find(fd uint32) (Doc, bool) {
	for _, d := range s.Docs {
		if d.FD == fd {
			return d, true
		}
	}
	return Doc{}, false
}

// FindTag returns the first tag numbered num in tags.
func FindTag(tags []Tag, num uint16) (Tag, bool) {
	for _, t := range tags {
		if t.Num == num {
			return t, true
		}
	}
	return Tag{}, false
}
