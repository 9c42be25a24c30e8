// Package fiscal describes a fiscal register (KKT with a fiscal drive) as
// PayDesk uses it: the Register interface that device drivers implement, the
// receipt, result and status types, FN TLV tags and typed device errors.
//
// Money is always int64 kopecks; quantities are int64 millionths of a unit.
package fiscal

import (
	"context"
	"strconv"
	"time"
)

// Register is a fiscal register driven by PayDesk. Every call takes a context;
// a driver must never execute a fiscal command twice, even when the link
// fails, and reports what it could not resolve as an *Error of KindLink.
type Register interface {
	// Status reads the device state.
	Status(ctx context.Context) (Status, error)
	// OpenShift opens a shift, printing the cashier on the shift-open report.
	OpenShift(ctx context.Context, c Cashier) error
	// XReport prints the shift report without closing the shift.
	XReport(ctx context.Context) error
	// ZReport closes the shift (Z report), naming the cashier who closes
	// it (tag 1021 on the shift-close report) when c has a name.
	ZReport(ctx context.Context, c Cashier) error
	// CashIn registers cash put into the drawer, naming c on the document
	// when c has a name; it returns the document number.
	CashIn(ctx context.Context, c Cashier, amount int64) (int, error)
	// CashOut registers cash taken out of the drawer as CashIn does.
	CashOut(ctx context.Context, c Cashier, amount int64) (int, error)
	// Fiscalize forms and prints a fiscal receipt.
	Fiscalize(ctx context.Context, r Receipt) (Result, error)
	// PrintText prints non-fiscal lines on the receipt tape.
	PrintText(ctx context.Context, lines []string) error
	// Cut cuts the receipt tape (partial leaves a bridge).
	Cut(ctx context.Context, partial bool) error
	// Continue resumes printing after the paper was reloaded.
	Continue(ctx context.Context) error
	// CancelReceipt cancels a receipt left open.
	CancelReceipt(ctx context.Context) error
	// LastDocument reads the last fiscal document from the fiscal drive.
	LastDocument(ctx context.Context) (Document, error)
	// DocumentTags reads fiscal document fd back from the fiscal drive as
	// its TLV tags (the document's own STLV opened: 1000-series tags at top level).
	DocumentTags(ctx context.Context, fd uint32) ([]Tag, error)
	// Info reads what the law asks the till to check before it sells: the
	// FFD version the register is set to, its registration and the fiscal
	// drive's health.
	Info(ctx context.Context) (Info, error)
	// Close releases the link.
	Close() error
}

// Mode is the register's mode (low nibble of the Shtrih mode byte).
type Mode int

// Modes a cashier meets.
const (
	ModeShiftOpen    Mode = 2 // shift open, less than 24 hours
	ModeShiftExpired Mode = 3 // shift open for more than 24 hours: Z report needed
	ModeShiftClosed  Mode = 4 // shift closed
	ModeDocument     Mode = 8 // a document (receipt) is open
)

// String names the mode in English.
func (m Mode) String() string {
	switch m {
	case 1:
		return "data dump"
	case ModeShiftOpen:
		return "shift open"
	case ModeShiftExpired:
		return "shift over 24 h"
	case ModeShiftClosed:
		return "shift closed"
	case 5:
		return "blocked: wrong tax inspector password"
	case 6:
		return "waiting for date confirmation"
	case 7:
		return "decimal point change"
	case ModeDocument:
		return "document open"
	case 9:
		return "technological reset allowed"
	case 10:
		return "test run"
	case 11:
		return "full fiscal report printing"
	}
	return "mode " + strconv.Itoa(int(m))
}

// Submode is the printing submode.
type Submode int

// Submodes (Shtrih numbering, shared by the interface).
const (
	SubmodeIdle          Submode = 0 // paper present, idle
	SubmodePaperOut      Submode = 1 // passive paper-out
	SubmodePaperOutPrint Submode = 2 // paper ran out while printing
	SubmodeWaitContinue  Submode = 3 // paper reloaded, waiting for "continue printing"
	SubmodeReport        Submode = 4 // printing a long report
	SubmodePrinting      Submode = 5 // printing an operation
)

// String names the submode in English.
func (s Submode) String() string {
	switch s {
	case SubmodeIdle:
		return "idle"
	case SubmodePaperOut:
		return "paper out"
	case SubmodePaperOutPrint:
		return "paper out while printing"
	case SubmodeWaitContinue:
		return "waiting for continue"
	case SubmodeReport:
		return "printing report"
	case SubmodePrinting:
		return "printing"
	}
	return "submode " + strconv.Itoa(int(s))
}

// Status is the register's state as a cashier needs it.
type Status struct {
	Mode        Mode    // mode (low nibble)
	ModeStatus  int     // high nibble of the mode byte (document kind in mode 8)
	Submode     Submode // printing submode
	Operator    int     // operator number that matched the password
	ShiftOpen   bool    // a shift is open
	ShiftNumber int     // current (or last closed) shift number
	// ShiftOpened is when the shift was opened (from the shift-open report in
	// the fiscal drive); zero when it cannot be found.
	ShiftOpened   time.Time
	ReceiptNumber int       // receipts in the current shift
	DocNumber     int       // current KKT document number
	LastFD        uint32    // last fiscal document number in the fiscal drive
	FNNumber      string    // fiscal drive serial number
	DeviceTime    time.Time // the register's clock
	Paper         bool      // receipt paper present
	CoverOpen     bool      // printer cover open
	LineWidth     int       // characters per line in the standard font
	Model         string    // device name
	// FNPhase is the fiscal drive's life phase bits (FF01): bit 0
	// configured, bit 1 fiscal mode open, bit 2 fiscal mode closed; 0 when
	// the driver cannot read it.
	FNPhase byte
	// FNWarnings is the fiscal drive's warning flags (FF01), 0 when none.
	FNWarnings byte
}

// FNFiscal reports whether the fiscal drive is in fiscal mode (it can sign
// receipts): open and not closed. A driver that cannot read the phase
// leaves it 0 and the drive is taken to be fiscal.
func (s Status) FNFiscal() bool {
	if s.FNPhase == 0 {
		return true
	}
	return s.FNPhase&0x02 != 0 && s.FNPhase&0x04 == 0
}

// Ready reports whether a receipt may be fiscalized now.
func (s Status) Ready() bool {
	return s.Mode == ModeShiftOpen && s.Submode == SubmodeIdle && s.Paper && !s.CoverOpen
}

// Cashier is the person who takes the money (tags 1021 and 1203).
type Cashier struct {
	Name string // position and surname, at most 64 characters
	INN  string // 12 digits, optional
}

// ReceiptKind is the settlement sign (tag 1054).
type ReceiptKind int

// Receipt kinds.
const (
	Sale       ReceiptKind = 1 // приход
	SaleReturn ReceiptKind = 2 // возврат прихода
	Buy        ReceiptKind = 3 // расход
	BuyReturn  ReceiptKind = 4 // возврат расхода
)

// Tax is a tax group (1..6) as numbered by Shtrih.
type Tax int

// Tax groups: 1..6 are Shtrih's classic groups; 7..12 the rates added in
// 2025–2026 (НДС 5 % and 7 % for УСН, 22 % from 2026), numbered as the
// vendor's JavaPOS driver numbers them (see docs/fiscal.md).
const (
	VAT20  Tax = 1  // НДС 20 % (before 2026)
	VAT10  Tax = 2  // НДС 10 %
	VAT0   Tax = 3  // НДС 0 %
	NoVAT  Tax = 4  // без НДС (tag 1199 = 6)
	VAT120 Tax = 5  // НДС 20/120
	VAT110 Tax = 6  // НДС 10/110
	VAT5   Tax = 7  // НДС 5 %
	VAT7   Tax = 8  // НДС 7 %
	VAT105 Tax = 9  // НДС 5/105
	VAT107 Tax = 10 // НДС 7/107
	VAT22  Tax = 11 // НДС 22 %
	VAT122 Tax = 12 // НДС 22/122
)

// PaymentMethod is tag 1214.
type PaymentMethod int

// FullPayment is 1214 = 4 «ПОЛНЫЙ РАСЧЕТ».
const FullPayment PaymentMethod = 4

// Subject is tag 1212.
type Subject int

// Subjects a payment agent uses.
const (
	SubjectGoods    Subject = 1  // товар
	SubjectService  Subject = 4  // услуга
	SubjectPayment  Subject = 10 // платеж
	SubjectAgentFee Subject = 11 // агентское вознаграждение
)

// AgentSign is the bit register of tags 1057 and 1222.
type AgentSign byte

// Agent signs used by payment agents (103-FZ).
const (
	PaymentAgent    AgentSign = 0x04 // ПЛ. АГЕНТ
	PaymentSubagent AgentSign = 0x08 // ПЛ. СУБАГЕНТ
)

// TaxSystem is tag 1055, exactly one bit.
type TaxSystem byte

// Tax systems.
const (
	OSN            TaxSystem = 0x01 // ОСН
	USNIncome      TaxSystem = 0x02 // УСН доход
	USNIncomeMinus TaxSystem = 0x04 // УСН доход - расход
	ESHN           TaxSystem = 0x10 // ЕСХН
	PSN            TaxSystem = 0x20 // ПСН
)

// Supplier is the supplier of a line sold by an agent (tags 1224, 1225, 1171, 1226).
type Supplier struct {
	Name   string   // 1225
	INN    string   // 1226, padded to 12 with spaces
	Phones []string // 1171 inside 1224
}

// Line is one receipt line (tag 1059).
type Line struct {
	Name       string        // 1030, at most 128 characters
	Price      int64         // 1079, kopecks
	Quantity   int64         // 1023, millionths (1 000 000 = 1)
	Tax        Tax           // tax group
	Method     PaymentMethod // 1214; zero means full payment
	Subject    Subject       // 1212
	Department int           // department 0..16
	Agent      AgentSign     // 1222, zero for own goods
	Supplier   *Supplier     // supplier data, for agent lines
	Tags       []Tag         // further line tags
}

// Sum is price × quantity in kopecks, rounded half up.
func (l Line) Sum() int64 {
	return (l.Price*l.Quantity + 500_000) / 1_000_000
}

// Agent is the receipt-level agent data (tags 1057, 1073, 1074).
type Agent struct {
	Sign           AgentSign // 1057
	AgentPhones    []string  // 1073
	OperatorPhones []string  // 1074
}

// Payments are the sums paid, in kopecks.
type Payments struct {
	Cash int64 // 1031
	Card int64 // 1081
}

// Receipt is a receipt to fiscalize.
type Receipt struct {
	Kind           ReceiptKind // zero means Sale
	Lines          []Line
	Payments       Payments
	TaxSystem      TaxSystem
	Agent          *Agent   // receipt-level agent data, nil for own sales
	SupplierPhones []string // 1171 at receipt level
	Tags           []Tag    // further receipt tags (1084, 1008, ...)
	Cashier        Cashier
	Text           string // printed after the totals
	// Correction, when set, makes this a correction receipt (чек
	// коррекции, document type 31): a settlement made earlier whose
	// receipt was not made at the time.
	Correction *Correction
}

// Correction says what a correction receipt corrects (1173, 1174).
type Correction struct {
	// Date is when the corrected settlement was made (1178; the date is
	// what counts).
	Date time.Time
	// Order is the tax authority's order number (1179) when the
	// correction is made by order (1173 = 1); "" for one the user makes
	// on its own (1173 = 0).
	Order string
	// Basis names the user's own basis document (FFD 1.05 1179 when there
	// is no order: an act, the payment's number).
	Basis string
	// Description is FFD 1.05's 1177 (описание коррекции).
	Description string
}

// Total is the sum of the lines.
func (r Receipt) Total() int64 {
	var t int64
	for _, l := range r.Lines {
		t += l.Sum()
	}
	return t
}

// Result identifies a fiscalized receipt.
type Result struct {
	FD            uint32    // fiscal document number
	FP            uint32    // fiscal sign
	Shift         int       // shift number
	ReceiptNumber int       // receipt number in the shift
	Time          time.Time // date and time of the document
	Change        int64     // change, kopecks
	// Recovered is set when the answer was lost and the result was read back
	// from the fiscal drive.
	Recovered bool
	// PrintPending is set when the receipt is registered but paper ran out
	// while printing it: load paper and call Continue to print it again.
	PrintPending bool
}

// DocType is a fiscal document type as the fiscal drive stores it.
type DocType int

// Document types.
const (
	DocRegistration DocType = 1
	DocShiftOpen    DocType = 2
	DocReceipt      DocType = 3
	DocShiftClose   DocType = 5
	DocCorrection   DocType = 31 // чек коррекции
)

// IsReceipt reports whether documents of type t are receipts (a receipt
// or a correction receipt): they have a settlement sign and a sum.
func (t DocType) IsReceipt() bool { return t == DocReceipt || t == DocCorrection }

// Document is a fiscal document read back from the fiscal drive.
type Document struct {
	FD    uint32
	Type  DocType
	Time  time.Time
	FP    uint32
	Kind  ReceiptKind // receipts only
	Sum   int64       // receipts only, kopecks
	Shift int         // shift reports only
}
