package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/atomicfile"
)

// State is everything a register keeps across power cycles. It is saved
// after every command that changes it: the documents to an append-only
// journal next to the state file (see Config.StatePath), the rest to the
// state file.
type State struct {
	Serial   string `json:"serial"`    // factory number (ЗН ККТ)
	FN       string `json:"fn"`        // fiscal drive number, 16 digits
	RNM      string `json:"rnm"`       // registration number (РН ККТ)
	INN      string `json:"inn"`       // user INN
	UserName string `json:"user_name"` // 1048
	Address  string `json:"address"`   // 1009
	Place    string `json:"place"`     // 1187

	Passwords [30]uint32 `json:"passwords"` // table 2: password of operator n+1
	Names     [30]string `json:"names"`     // table 2: printed operator names

	ShiftOpen     bool         `json:"shift_open"`
	ShiftNumber   int          `json:"shift_number"`
	ShiftOpened   time.Time    `json:"shift_opened"`
	ReceiptNumber int          `json:"receipt_number"` // receipts closed in this shift
	BeginOpen     bool         `json:"begin_open"`     // FF41 seen
	BeginClose    bool         `json:"begin_close"`    // FF42 seen
	ShiftTags     []fiscal.Tag `json:"shift_tags,omitempty"`

	DocNumber int    `json:"doc_number"` // KKT document counter
	LastFD    uint32 `json:"last_fd"`    // fiscal drive document counter
	Cash      int64  `json:"cash"`       // cash in the drawer, kopecks

	Paper   bool `json:"paper"`
	Cover   bool `json:"cover_open"`
	Submode int  `json:"submode"` // 0..3; printing (5) is transient

	Receipt *Receipt `json:"receipt,omitempty"` // open receipt
	Totals  Totals   `json:"totals"`            // this shift's registers
	Docs    []Doc    `json:"docs"`              // fiscal documents, newest last (the last 2000; the journal has all)
	// Interrupted is the document to print again after B0h.
	Interrupted []string `json:"interrupted,omitempty"`
	// LastPrinted is the last document for 8Ch.
	LastPrinted []string `json:"last_printed,omitempty"`

	// FFD is the fiscal document format version the register forms
	// documents in (table 17 field 17, tag 1209): FFD105 (2) or FFD12 (4).
	// A state file without it is brought up to date by upgrade.
	FFD byte `json:"ffd"`
	// Reg is the registration: what the registration report holds
	// besides the INN, RNM, user, address and place above.
	Reg Registration `json:"registration"`
	// FNExpires is the fiscal drive's last day (FF03); past it the drive
	// makes no fiscal document (12h).
	FNExpires time.Time `json:"fn_expires"`
	// FNMemory90: the drive's memory is 90 % full (warning bit 2); it
	// still makes documents, and FF63 says about 2 000 are left.
	FNMemory90 bool `json:"fn_memory_90,omitempty"`
	// FNMemoryFull: the drive's archive is full (warning bit 2, FF63 says
	// none are left), and it makes no fiscal document (12h).
	FNMemoryFull bool `json:"fn_memory_full,omitempty"`
	// NoCashOps: the firmware has no cash in/out commands (50h, 51h answer
	// 37h), as some FFD 1.2 firmware has dropped them.
	NoCashOps bool `json:"no_cash_ops,omitempty"`
	// No2D: the firmware has no 2D-barcode commands (DDh, DEh answer 37h).
	No2D bool `json:"no_2d,omitempty"`
	// FNCritical: the drive reports a critical error (warning bit 7) and
	// refuses fiscal documents (03h).
	FNCritical bool `json:"fn_critical,omitempty"`
	// SentFD is the last document the OFD confirmed: LastFD-SentFD wait
	// for it, the first of them made at OFDSince.
	SentFD   uint32    `json:"sent_fd"`
	OFDSince time.Time `json:"ofd_since,omitzero"`
	// OFDOffline: the OFD confirms nothing (set by ofd-backlog, cleared by
	// ofd-send); otherwise it confirms every document as it is made.
	OFDOffline bool `json:"ofd_offline,omitempty"`
	// Exchange holds the exchange parameters (14h) of ports 0..2: speed
	// code and byte timeout.
	Exchange [3]Exchange `json:"exchange"`
	// Tables holds the table fields written with 1Eh that no other field
	// of the state keeps, by "table.row.field".
	Tables map[string][]byte `json:"tables,omitempty"`
}

// Exchange is a port's exchange parameters (14h, 15h).
type Exchange struct {
	Speed   byte `json:"speed"`   // 0..6: 2400..115200 baud
	Timeout byte `json:"timeout"` // byte timeout code (0..150 ms, then steps of 150 ms and 15 s)
}

// Registration is what the last registration report holds besides the
// INN and RNM (State.INN, State.RNM).
type Registration struct {
	TaxSystems fiscal.TaxSystem `json:"tax_systems"` // 1062: every tax system a receipt may name
	Agent      fiscal.AgentSign `json:"agent"`       // 1057: the agent roles; 0 = not an agent
	Auto       bool             `json:"auto,omitempty"`
	Done       int              `json:"done"` // registration reports made with this fiscal drive
	Left       int              `json:"left"` // re-registrations left
	Time       time.Time        `json:"time"` // of the report
	FD         uint32           `json:"fd"`
	FP         uint32           `json:"fp"`
}

// DefaultRegistration is the registration of NewState: ОСН and УСН доход,
// payment agent and subagent, not automatic, one report made, eleven left.
func DefaultRegistration() Registration {
	return Registration{TaxSystems: fiscal.OSN | fiscal.USNIncome,
		Agent: fiscal.PaymentAgent | fiscal.PaymentSubagent, Done: 1, Left: 11}
}

// fnLife is how long a new fiscal drive signs documents (ФН-1.1М: 15 months).
const fnLife = 15

// upgrade fills what a state file written before the FFD and registration
// fields lacks: FFD 1.2, the default registration (with the time, FD and FP
// of document 1), a drive expiring fnLife months from now and an OFD that
// has confirmed everything.
func (s *State) upgrade(now time.Time) {
	if s.FFD != 0 {
		return
	}
	s.FFD = byte(fiscal.FFD12)
	s.Reg = DefaultRegistration()
	s.Reg.FD, s.Reg.Time = 1, now
	for _, d := range s.Docs {
		if d.Type == fiscal.DocRegistration {
			s.Reg.FD, s.Reg.Time, s.Reg.FP = d.FD, d.Time, d.FP
			break
		}
	}
	if s.FNExpires.IsZero() {
		s.FNExpires = now.AddDate(0, fnLife, 0)
	}
	s.SentFD = s.LastFD
	s.Exchange = defaultExchange()
}

func defaultExchange() [3]Exchange {
	return [3]Exchange{{Speed: 6, Timeout: 100}, {Speed: 6, Timeout: 100}, {Speed: 6, Timeout: 100}}
}

// Receipt is an open receipt.
type Receipt struct {
	Type int `json:"type"` // 8Dh type: 0 sale, 1 buy, 2 return sale, 3 return buy; 80h–83h the same corrected (FFD 1.2)
	// Correction: a correction receipt of FFD 1.05's form (FF35), with no
	// lines, formed by FF4A.
	Correction bool         `json:"correction,omitempty"`
	Operator   int          `json:"operator"`
	Lines      []Line       `json:"lines"`
	Tags       []fiscal.Tag `json:"tags,omitempty"`
	// Discount and Markup are the receipt's (86h, 87h less 8Ah, 8Bh),
	// spread over the lines when it closes; Adjusts list them as printed.
	Discount int64    `json:"discount,omitempty"`
	Markup   int64    `json:"markup,omitempty"`
	Adjusts  []Adjust `json:"adjusts,omitempty"`
}

// Adjust is a discount or markup on a receipt (86h, 87h) or its cancel
// (8Ah, 8Bh).
type Adjust struct {
	Cmd  int    `json:"cmd"`
	Sum  int64  `json:"sum"`
	Text string `json:"text,omitempty"`
}

// Kind is the settlement sign (1054) of the receipt.
func (r *Receipt) Kind() fiscal.ReceiptKind {
	return [...]fiscal.ReceiptKind{fiscal.Sale, fiscal.Buy, fiscal.SaleReturn, fiscal.BuyReturn}[r.Type&3]
}

// Total is the sum of the lines, less the discount, plus the markup.
func (r *Receipt) Total() int64 {
	t := r.Markup - r.Discount
	for _, l := range r.Lines {
		t += l.Sum
	}
	return t
}

// Line is a registered receipt line.
type Line struct {
	Op      int          `json:"op"`
	Qty     int64        `json:"qty"` // millionths
	Price   int64        `json:"price"`
	Sum     int64        `json:"sum"`
	TaxBits byte         `json:"tax"`
	Dept    int          `json:"dept"`
	Method  int          `json:"method"`
	Subject int          `json:"subject"`
	Name    string       `json:"name"`
	Tags    []fiscal.Tag `json:"tags,omitempty"`
}

// Totals are the shift registers printed on X and Z reports.
type Totals struct {
	Count   [5]int   `json:"count"` // receipts by settlement sign 1..4
	Sum     [5]int64 `json:"sum"`
	Cash    int64    `json:"cash"`
	Card    int64    `json:"card"`
	ByTax   [7]int64 `json:"by_tax"` // turnover by tax group 1..6
	CashIn  int64    `json:"cash_in"`
	CashOut int64    `json:"cash_out"`
	NCashIn int      `json:"n_cash_in"`
	NOut    int      `json:"n_cash_out"`
}

// Doc is a fiscal document in the fiscal drive.
type Doc struct {
	FD     uint32             `json:"fd"`
	Type   fiscal.DocType     `json:"type"`
	Time   time.Time          `json:"time"`
	FP     uint32             `json:"fp"`
	Kind   fiscal.ReceiptKind `json:"kind,omitempty"`
	Sum    int64              `json:"sum,omitempty"`
	Shift  int                `json:"shift"`
	Number int                `json:"number,omitempty"` // receipt number in the shift
	// Tags are the document's tags sent with FF0C (receipts) and the
	// cashier (1021, 1203) of shift reports.
	Tags  []fiscal.Tag `json:"tags,omitempty"`
	Lines []Line       `json:"lines,omitempty"`
	// TaxSystem (1055), Cash (1031, change deducted) and Card (1081) of a receipt.
	TaxSystem byte  `json:"tax_system,omitempty"`
	Cash      int64 `json:"cash,omitempty"`
	Card      int64 `json:"card,omitempty"`
	// Discount and Markup of a receipt (86h, 87h), spread over its lines.
	Discount int64 `json:"discount,omitempty"`
	Markup   int64 `json:"markup,omitempty"`
}

// NewState returns a registered device with an empty fiscal drive history
// (document 1 is the registration report) and a closed shift: FFD 1.2, the
// DefaultRegistration, a fiscal drive good for 15 months, the OFD
// confirming every document at once.
func NewState(now time.Time) State {
	s := State{
		Serial:    "0000000000000142",
		FN:        "9999078900011519",
		RNM:       "0000000001009224",
		INN:       "7700000000",
		UserName:  `ООО "ПРИМЕР"`,
		Address:   "г. Москва, ул. Примерная, д. 1",
		Place:     "Салон связи №5",
		Paper:     true,
		LastFD:    1,
		DocNumber: 1,
		Docs:      []Doc{{FD: 1, Type: fiscal.DocRegistration, Time: now}},
	}
	for i := range s.Passwords {
		s.Passwords[i] = uint32(i + 1)
		s.Names[i] = fmt.Sprintf("КАССИР %d", i+1)
	}
	s.Names[28] = "АДМИНИСТРАТОР"
	s.Names[29] = "СИСТЕМНЫЙ АДМИНИСТРАТОР"
	s.Docs[0].FP = fp(s.FN, 1, now, 0)
	s.upgrade(now)
	return s
}

// maxDocs bounds the fiscal document history kept in memory (State.Docs);
// the journal keeps every document.
const maxDocs = 2000

// The state is kept in two files:
//
//   - the document journal, <state file>.docs: every fiscal document ever
//     made, one JSON object a line, oldest first. It is only appended to
//     (and cut back to its committed documents).
//   - the state file: the State less its documents, plus docs_count, the
//     number of journal lines that belong to it.
//
// A save appends the documents made since the last save to the journal,
// syncs it, then replaces the state file atomically. That replacement is the
// commit point: journal lines beyond docs_count were written by a save that
// never committed (the process was killed or the power lost in between) and
// are cut off when the state is loaded. A save therefore costs the same
// however many documents the journal holds.
//
// State files written before the journal carry their documents inline
// ("docs", no "docs_count"); they load as they are, and the first save moves
// the documents to the journal.

// journalPath is the document journal of the state file path.
func journalPath(path string) string { return path + ".docs" }

// journal is what the emulator knows of its document journal.
type journal struct {
	count   int   // documents committed: docs_count of the state file
	size    int64 // bytes those documents take at the start of the journal
	pending []Doc // documents made since, appended at the next save
}

// stateFile is the JSON of the state file.
type stateFile struct {
	State
	// Docs hides State.Docs: the documents are in the journal. Only state
	// files written before the journal have it.
	Docs []Doc `json:"docs,omitempty"`
	// DocsCount is the number of journal documents that are committed; nil
	// in a state file written before the journal.
	DocsCount *int `json:"docs_count,omitempty"`
}

// loadState reads the state file at path and its document journal; ok is
// false when there is no state file. Journal lines beyond the committed ones
// are truncated away. State.Docs holds the last maxDocs documents.
func loadState(path string) (st State, jr journal, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, journal{}, false, nil
	}
	if err != nil {
		return State{}, journal{}, false, err
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return State{}, journal{}, false, fmt.Errorf("emulator: state file %s: %w", path, err)
	}
	st = sf.State
	if sf.DocsCount == nil {
		// Written before the journal: the next save moves the documents there.
		st.Docs = sf.Docs
		return st, journal{pending: slices.Clone(sf.Docs)}, true, nil
	}
	n := *sf.DocsCount
	if n < 0 {
		return State{}, journal{}, false, fmt.Errorf("emulator: state file %s: docs_count %d", path, n)
	}
	docs, size, err := readJournal(journalPath(path), n, maxDocs)
	if err != nil {
		return State{}, journal{}, false, err
	}
	st.Docs = docs
	return st, journal{count: n, size: size}, true, nil
}

// readJournal returns the last keep of the first count documents in the
// journal at path and the bytes those count documents take, and truncates
// the journal to them: anything after them (whole lines or a torn one) was
// never committed. A journal with fewer than count documents is an error.
// Only the documents returned are decoded.
func readJournal(path string, count, keep int) ([]Doc, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && count == 0 {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	defer f.Close()
	first := max(0, count-keep) // index of the first document returned
	var start, size int64       // where it starts; where document count-1 ends
	lines := 0
	r := bufio.NewReaderSize(f, 64<<10)
	for lines < count {
		b, err := r.ReadSlice('\n')
		size += int64(len(b))
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break // a torn line at most, not a document
		}
		if err != nil {
			return nil, 0, fmt.Errorf("emulator: document journal: %w", err)
		}
		lines++
		if lines == first {
			start = size
		}
	}
	if lines < count {
		return nil, 0, fmt.Errorf("emulator: document journal %s holds %d documents but its state file commits %d: the state is corrupt", path, lines, count)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	if fi.Size() > size {
		if err := truncate(path, size); err != nil {
			return nil, 0, fmt.Errorf("emulator: document journal: %w", err)
		}
	}
	buf := make([]byte, size-start)
	if _, err := f.ReadAt(buf, start); err != nil {
		return nil, 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	docs := make([]Doc, 0, count-first)
	for i := first; len(buf) > 0; i++ {
		line, rest, _ := bytes.Cut(buf, []byte{'\n'})
		buf = rest
		var d Doc
		if err := json.Unmarshal(line, &d); err != nil {
			return nil, 0, fmt.Errorf("emulator: document journal %s, document %d: %w", path, i+1, err)
		}
		docs = append(docs, d)
	}
	return docs, size, nil
}

// truncate cuts the file at path to size bytes, durably.
func truncate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// appendJournal writes docs to the journal at path from offset at (the end
// of its committed documents; whatever follows was never committed), syncs
// it and returns its new committed size.
func appendJournal(path string, at int64, docs []Doc) (int64, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // one line a document
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return 0, fmt.Errorf("emulator: document journal: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	if fi.Size() < at {
		return 0, fmt.Errorf("emulator: document journal %s is %d bytes, shorter than its %d committed bytes", path, fi.Size(), at)
	}
	if fi.Size() > at {
		if err := f.Truncate(at); err != nil {
			return 0, fmt.Errorf("emulator: document journal: %w", err)
		}
	}
	if _, err := f.WriteAt(buf.Bytes(), at); err != nil {
		return 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("emulator: document journal: %w", err)
	}
	return at + int64(buf.Len()), nil
}

// saveState appends the pending documents to the journal, then replaces the
// state file atomically (the commit). On failure nothing is committed and
// jr is unchanged: the next save writes the same documents again.
func saveState(path string, s *State, jr *journal) error {
	size := jr.size
	if len(jr.pending) > 0 {
		var err error
		if size, err = appendJournal(journalPath(path), jr.size, jr.pending); err != nil {
			return err
		}
	}
	n := jr.count + len(jr.pending)
	b, err := json.MarshalIndent(stateFile{State: *s, DocsCount: &n}, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return err
	}
	jr.count, jr.size, jr.pending = n, size, nil
	return nil
}

// removeStaleTemps deletes the temporary files of state file saves that a
// kill interrupted: atomicfile's, and "<base>.tmpNNN" of the emulator's
// saves before it used atomicfile.
func removeStaleTemps(path string) error {
	err := atomicfile.RemoveTemps(path)
	entries, rerr := os.ReadDir(filepath.Dir(path))
	if errors.Is(rerr, os.ErrNotExist) {
		return err
	}
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	prefix := filepath.Base(path) + ".tmp"
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		if rerr := os.Remove(filepath.Join(filepath.Dir(path), e.Name())); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	return err
}
