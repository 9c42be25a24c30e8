package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"paydesk/fiscal"
)

// State is everything a register keeps across power cycles. It is saved to
// the state file after every command that changes it.
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
	Docs    []Doc    `json:"docs"`              // fiscal documents, newest last
	// Interrupted is the document to print again after B0h.
	Interrupted []string `json:"interrupted,omitempty"`
	// LastPrinted is the last document for 8Ch.
	LastPrinted []string `json:"last_printed,omitempty"`
}

// Receipt is an open receipt.
type Receipt struct {
	Type     int          `json:"type"` // 8Dh type: 0 sale, 1 buy, 2 return sale, 3 return buy
	Operator int          `json:"operator"`
	Lines    []Line       `json:"lines"`
	Tags     []fiscal.Tag `json:"tags,omitempty"`
}

// Kind is the settlement sign (1054) of the receipt.
func (r *Receipt) Kind() fiscal.ReceiptKind {
	return [...]fiscal.ReceiptKind{fiscal.Sale, fiscal.Buy, fiscal.SaleReturn, fiscal.BuyReturn}[r.Type&3]
}

// Total is the sum of the lines.
func (r *Receipt) Total() int64 {
	var t int64
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
	Tags   []fiscal.Tag       `json:"tags,omitempty"`   // receipt tags
	Lines  []Line             `json:"lines,omitempty"`
}

// NewState returns a registered device with an empty fiscal drive history
// (document 1 is the registration report) and a closed shift.
func NewState(now time.Time) State {
	s := State{
		Serial:    "0000000000000142",
		FN:        "9999078900011519",
		RNM:       "0000000001009224",
		INN:       "7700000000",
		UserName:  "ООО «ПРИМЕР»",
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
	return s
}

// maxDocs bounds the fiscal document history kept in the state file.
const maxDocs = 2000

func loadState(path string) (State, bool, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, false, fmt.Errorf("emulator: state file %s: %w", path, err)
	}
	return s, true, nil
}

// saveState writes the state atomically: temp file, fsync, rename, fsync dir.
func saveState(path string, s *State) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
