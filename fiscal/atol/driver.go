// Package atol drives ATOL fiscal registers natively over protocol 3.x
// (docs/atol.md): every command is one task of the register's task buffer,
// sent once; a lost answer is asked for again by task id and, when the
// register lost the task, resolved from its last document and counters.
package atol

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/atol/wire"
	"paydesk/fiscal/shtrih"
)

// DriverName is the name the driver registers with fiscal.Open.
const DriverName = "atol"

func init() { fiscal.RegisterDriver(DriverName, open) }

func open(c fiscal.Config) (fiscal.Register, error) {
	dt := c.DialTimeout
	if dt == 0 {
		dt = 5 * time.Second
	}
	cn, err := dial(c.Port, c.Baud, dt)
	if err != nil {
		return nil, &fiscal.Error{Op: "connect", Kind: fiscal.KindLink, Err: err}
	}
	return New(cn, Options{Password: c.Password, AdminPassword: c.AdminPassword, ByteTimeout: c.ByteTimeout,
		MaxAnswerTimeout: c.MaxAnswerTimeout, Logger: c.Log}), nil
}

// Upper-level commands (docs/atol.md §4).
const (
	cmdStatus      byte = 0x3F
	cmdStatusCode  byte = 0x45
	cmdEnterMode   byte = 0x56
	cmdExitMode    byte = 0x48
	cmdOpenShift   byte = 0x9A
	cmdZReport     byte = 0x5A
	cmdXReport     byte = 0x67
	cmdOpenReceipt byte = 0x92
	cmdBeginItem   byte = 0xEA // begin a position: flags, 01h, 00h
	cmdItem        byte = 0xEB // end the position: its data (itemData)
	cmdPayment     byte = 0x99
	cmdClose       byte = 0x4A
	cmdCancel      byte = 0x59
	cmdCashIn      byte = 0x49
	cmdCashOut     byte = 0x4F
	cmdPrint       byte = 0x4C
	cmdCut         byte = 0x75
	cmdCash        byte = 0x4D
	cmdFN          byte = 0xA4
)

// LineWidth is the characters per line Status reports (docs/atol.md §4).
const LineWidth = 32

// Register modes.
const (
	modeSelect       byte = 0
	modeRegistration byte = 1
	modeXReport      byte = 2
	modeZReport      byte = 3
)

// Options configure a Driver; zero values take the defaults in brackets.
type Options struct {
	// Password is the cashier's access password (2 BCD bytes) [0], AdminPassword the
	// mode password of reports [30 for X and Z, 1 for registration].
	Password, AdminPassword uint32
	// ByteTimeout is the longest gap inside a packet [100ms].
	ByteTimeout time.Duration
	// AnswerTimeout is the longest wait for the answer to one buffer command [2s].
	AnswerTimeout time.Duration
	// MaxAnswerTimeout caps the time a command may take [30s].
	MaxAnswerTimeout time.Duration
	// Tries is how many unanswered buffer commands end a command [3].
	Tries int
	// Logger [discard].
	Logger *slog.Logger
}

// Driver is one ATOL register; it is safe for concurrent use (commands
// run one at a time).
type Driver struct {
	mu    sync.Mutex
	l     *link
	c     conn
	o     Options
	mode  byte
	known bool       // mode is what the register is in
	ffd   fiscal.FFD // the FFD version receipts are formed in, 0 until read
	noQR  bool       // the register refused C1h as unknown: PrintQR sends nothing
}

// New drives the register on c.
func New(c conn, o Options) *Driver {
	if o.ByteTimeout == 0 {
		o.ByteTimeout = 100 * time.Millisecond
	}
	if o.AnswerTimeout == 0 {
		o.AnswerTimeout = 2 * time.Second
	}
	if o.MaxAnswerTimeout == 0 {
		o.MaxAnswerTimeout = 30 * time.Second
	}
	if o.Tries == 0 {
		o.Tries = 3
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &link{conn: c, log: log, byteTimeout: o.ByteTimeout, poll: 50 * time.Millisecond, answer: o.AnswerTimeout,
		tries: o.Tries, sleep: sleep}
	return &Driver{l: l, c: c, o: o}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Close releases the link.
func (d *Driver) Close() error { return d.c.Close() }

// reading reports the commands that only read the register (the state,
// the drawer, a registration attribute, a register, the fiscal drive's
// queries but 46h, which moves the drive's reading on): asking one again cannot do anything twice.
func reading(code byte, data []byte) bool {
	switch code {
	case cmdStatus, cmdStatusCode, cmdCash, cmdReadTag, cmdRegister:
		return true
	case cmdFN:
		return len(data) > 0 && data[0] != fnDocTLVNext
	}
	return false
}

// errTaskLost marks a fiscal command whose task the register no longer
// holds: whether it ran is for resolve to find out.
var errTaskLost = errors.New("the register lost the task")

// run sends one command and returns its answer's data: after 55h, the
// code and its 00h for most commands; after 55h and the code for A4h,
// E9h, 91h and 99h; after 44h for 3Fh, 4Dh for 4Dh, 55h for 45h (docs/atol.md §4). A
// device code becomes its *fiscal.Error; a link failure a
// KindLink *fiscal.Error wrapping fiscal.ErrNoLink or ErrOutcomeUnknown.
func (d *Driver) run(ctx context.Context, op string, code byte, data ...byte) ([]byte, error) {
	cmd := append(wire.BCD(uint64(d.o.Password), 2), code)
	cmd = append(cmd, data...)
	ans, err := d.l.do(ctx, cmd, d.o.MaxAnswerTimeout)
	if err != nil && reading(code, data) && ctx.Err() == nil && (errors.Is(err, errNotTaken) || errors.Is(err, fiscal.ErrOutcomeUnknown)) {
		// A question changes nothing on the register: one whose answer
		// was lost (or whose task the register lost) is asked again, once.
		d.l.log.Warn("atol: a question's answer lost; asking again", "cmd", fmt.Sprintf("%02Xh", code), "err", err)
		ans, err = d.l.do(ctx, cmd, d.o.MaxAnswerTimeout)
		// The register may have restarted and left its mode: the next
		// command that needs one enters it again.
		d.known = false
	}
	if err != nil {
		d.known = false
		if errors.Is(err, errNotTaken) {
			err = fmt.Errorf("%w: %w", fiscal.ErrOutcomeUnknown, errTaskLost)
		} else if !errors.Is(err, fiscal.ErrNoLink) && !errors.Is(err, fiscal.ErrOutcomeUnknown) && !errors.Is(err, fiscal.ErrBadAnswer) {
			err = fmt.Errorf("%w: %w", fiscal.ErrOutcomeUnknown, err)
		}
		return nil, &fiscal.Error{Op: op, Cmd: uint16(code), Kind: fiscal.KindLink, Err: err}
	}
	if code == cmdStatus && len(ans) > 0 && ans[0] == wire.AnswerDev || code == cmdCash && len(ans) > 0 && ans[0] == cmdCash {
		return ans[1:], nil
	}
	if code == cmdStatusCode && len(ans) >= 3 && ans[0] == wire.AnswerOK {
		// 45h answers 55h, the mode (submode in the high nibble) and the
		// printer's flags: no error code (docs/atol.md §4).
		return ans[1:3], nil
	}
	if (code == cmdFN || code == cmdReadTag || code == cmdRegister) && len(ans) >= 2 && ans[0] == wire.AnswerOK {
		// The fiscal drive's queries, E9h and 91h answer 55h, the code,
		// then the data (docs/atol.md §4).
		if ans[1] != 0 {
			return nil, DeviceError(op, code, fiscal.Code(ans[1]))
		}
		return ans[2:], nil
	}
	if code == cmdPayment && len(ans) >= 2 && ans[0] == wire.AnswerOK && ans[1] == 0 {
		// 99h answers 55h, the code, then the remainder and the change
		// (5 BCD each) with no byte between (docs/atol.md §4).
		return ans[2:], nil
	}
	if len(ans) < 3 || ans[0] != wire.AnswerOK {
		return nil, &fiscal.Error{Op: op, Cmd: uint16(code), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: % X", fiscal.ErrBadAnswer, ans)}
	}
	if ans[1] != 0 {
		return nil, DeviceError(op, code, fiscal.Code(ans[1]))
	}
	return ans[3:], nil
}

// enter puts the register in mode m (leaving the one it is in first).
func (d *Driver) enter(ctx context.Context, op string, m byte) error {
	if !d.known {
		if _, err := d.status(ctx, op); err != nil {
			return err
		}
	}
	if d.mode == m {
		return nil
	}
	if d.mode != modeSelect {
		if _, err := d.run(ctx, op, cmdExitMode); err != nil {
			return err
		}
		d.mode, d.known = modeSelect, true
	}
	if m == modeSelect {
		return nil
	}
	pwd := d.o.AdminPassword
	if pwd == 0 {
		pwd = 30
		if m == modeRegistration {
			pwd = 1
		}
	}
	if _, err := d.run(ctx, op, cmdEnterMode, append([]byte{m}, wire.BCD(uint64(pwd), 4)...)...); err != nil {
		return err
	}
	d.mode = m
	return nil
}

// state is what 3Fh tells.
type state struct {
	fiscal.Status
	receipt    byte // 0 closed, else the open receipt's type
	receiptSum int64
}

func (d *Driver) status(ctx context.Context, op string) (state, error) {
	b, err := d.run(ctx, op, cmdStatus)
	if err != nil {
		return state{}, err
	}
	if len(b) < 29 {
		return state{}, &fiscal.Error{Op: op, Cmd: uint16(cmdStatus), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: status of %d bytes", fiscal.ErrBadAnswer, len(b))}
	}
	var s state
	s.Operator = int(b[0])
	if t, err := wire.FromDateTimeBCD(b[2:8], time.Local); err == nil {
		s.DeviceTime = t
	}
	flags := b[8]
	s.ShiftOpen = flags&0x02 != 0
	s.Paper = flags&0x08 != 0
	s.CoverOpen = flags&0x20 != 0
	rn, _ := wire.FromBCD(b[17:19])
	sh, _ := wire.FromBCD(b[19:21])
	s.ReceiptNumber, s.ShiftNumber = int(rn), int(sh)
	s.receipt = b[21]
	// The till reads fiscal.Mode (Shtrih's numbering): ATOL's own mode
	// (registration, reports, programming) is the driver's (d.mode).
	switch {
	case s.receipt != 0:
		s.Mode = fiscal.ModeDocument
	case s.ShiftOpen:
		s.Mode = fiscal.ModeShiftOpen
	default:
		s.Mode = fiscal.ModeShiftClosed
	}
	sum, _ := wire.FromBCD(b[22:27])
	s.receiptSum = int64(sum)
	s.Model = fmt.Sprintf("ATOL %d", b[13])
	// 3Fh does not say the line's width; 32 characters fit the narrowest
	// ATOL tape (57 mm), so text made for it prints on every model.
	s.LineWidth = LineWidth
	d.mode, d.known = b[16]&0x0F, true
	return s, nil
}

// Status reads the register's state and the last fiscal document.
func (d *Driver) Status(ctx context.Context) (fiscal.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.status(ctx, "status")
	if err != nil {
		return fiscal.Status{}, err
	}
	// A firmware without the drive's status (7Ah) still has a status:
	// the drive's part stays zero, taken to be fiscal (fiscal.Status.FNFiscal).
	fn, err := d.fnState(ctx, "status")
	switch {
	case fiscal.Unsupported(err):
	case err != nil:
		return fiscal.Status{}, err
	default:
		s.LastFD, s.FNPhase, s.FNWarnings, s.FNNumber = fn.LastFD, fn.Phase, fn.Warnings, fn.Number
	}
	return s.Status, nil
}

// LastDocument reads the last fiscal document from the fiscal drive
// (A4h 30h for its number, 45h and 46h for the document).
func (d *Driver) LastDocument(ctx context.Context) (fiscal.Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastDoc(ctx, "last document", false)
}

// OpenShift opens a shift.
func (d *Driver) OpenShift(ctx context.Context, c fiscal.Cashier) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "open shift"
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return err
	}
	before, err := d.lastFD(ctx, op)
	if err != nil {
		return err
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return err
	}
	if err := d.writeTags(ctx, op, cashierTags(c)); err != nil {
		return err
	}
	_, err = d.run(ctx, op, cmdOpenShift, 0x00)
	return d.resolve(ctx, op, err, before, func(s state, doc fiscal.Document) bool {
		return s.ShiftOpen && doc.Type == fiscal.DocShiftOpen
	})
}

// resolve settles a fiscal command whose answer was lost: it reads the
// register's state and last document and reports success when done says
// the command took effect (a new document after document before), the original
// error when the register clearly did not run it, or outcome unknown.
func (d *Driver) resolve(ctx context.Context, op string, err error, before uint32, done func(state, fiscal.Document) bool) error {
	if err == nil || !errors.Is(err, fiscal.ErrOutcomeUnknown) {
		return err
	}
	d.l.log.Warn("atol: answer lost; resolving from the last document", "op", op, "err", err)
	s, serr := d.status(ctx, op)
	if serr != nil {
		return err
	}
	doc, derr := d.lastDoc(ctx, op, false)
	if derr != nil {
		return err
	}
	if doc.FD > before && done(s, doc) {
		return nil
	}
	if doc.FD == before {
		return &fiscal.Error{Op: op, Kind: fiscal.KindLink, Err: fmt.Errorf("%w: the register did not run the command (no new document)", fiscal.ErrNoLink)}
	}
	return err
}

// XReport prints the shift report without closing the shift.
func (d *Driver) XReport(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.enter(ctx, "X report", modeXReport); err != nil {
		return err
	}
	_, err := d.run(ctx, "X report", cmdXReport, 0x01)
	return err
}

// ZReport closes the shift.
func (d *Driver) ZReport(ctx context.Context, c fiscal.Cashier) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "Z report"
	if err := d.enter(ctx, op, modeZReport); err != nil {
		return err
	}
	before, err := d.lastFD(ctx, op)
	if err != nil {
		return err
	}
	if err := d.enter(ctx, op, modeZReport); err != nil {
		return err
	}
	if err := d.writeTags(ctx, op, cashierTags(c)); err != nil {
		return err
	}
	_, err = d.run(ctx, op, cmdZReport)
	d.known = false // the register leaves the Z mode by itself
	return d.resolve(ctx, op, err, before, func(s state, doc fiscal.Document) bool {
		return !s.ShiftOpen && doc.Type == fiscal.DocShiftClose
	})
}

func amount5(op string, v int64) ([]byte, error) {
	if v < 0 || uint64(v) > wire.MaxBCD(5) {
		return nil, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: amount %d out of range", v)}
	}
	return wire.BCD(uint64(v), 5), nil
}

func (d *Driver) cash(ctx context.Context, op string, code byte, who fiscal.Cashier, amount int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if amount <= 0 {
		return 0, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: amount %d", amount)}
	}
	a, err := amount5(op, amount)
	if err != nil {
		return 0, err
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return 0, err
	}
	before, err := d.drawer(ctx, op)
	if err != nil {
		return 0, err
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return 0, err
	}
	if err := d.writeTags(ctx, op, cashierTags(who)); err != nil {
		return 0, err
	}
	_, err = d.run(ctx, op, code, append([]byte{0x00}, a...)...)
	// Cash in and out are not fiscal documents: they have no number of the
	// fiscal drive (0 is returned), and a lost answer is resolved from the
	// drawer's counter.
	if err == nil || !errors.Is(err, fiscal.ErrOutcomeUnknown) {
		return 0, err
	}
	after, derr := d.drawer(ctx, op)
	want := before + amount
	if code == cmdCashOut {
		want = before - amount
	}
	switch {
	case derr != nil:
		return 0, err
	case after == want:
		return 0, nil
	case after == before:
		return 0, &fiscal.Error{Op: op, Cmd: uint16(code), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: the register did not run the command (the drawer holds what it held)", fiscal.ErrNoLink)}
	}
	return 0, err
}

// drawer reads the cash in the drawer (4Dh).
func (d *Driver) drawer(ctx context.Context, op string) (int64, error) {
	b, err := d.run(ctx, op, cmdCash)
	if err != nil {
		return 0, err
	}
	v, verr := wire.FromBCD(b)
	if verr != nil || len(b) == 0 || len(b) > 9 {
		return 0, &fiscal.Error{Op: op, Cmd: uint16(cmdCash), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: cash % X", fiscal.ErrBadAnswer, b)}
	}
	return int64(v), nil
}

// CashIn registers cash put into the drawer, naming c (1021, 1203 with
// E8h before the command) when c has a name.
func (d *Driver) CashIn(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	return d.cash(ctx, "cash in", cmdCashIn, c, amount)
}

// CashOut registers cash taken out of the drawer, as CashIn.
func (d *Driver) CashOut(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	return d.cash(ctx, "cash out", cmdCashOut, c, amount)
}

// PrintText prints non-fiscal lines.
func (d *Driver) PrintText(ctx context.Context, lines []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ln := range lines {
		if _, err := d.run(ctx, "print", cmdPrint, wire.Text(ln)...); err != nil {
			return err
		}
	}
	return nil
}

// Cut cuts the tape.
func (d *Driver) Cut(ctx context.Context, partial bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := byte(0)
	if partial {
		f = 1
	}
	_, err := d.run(ctx, "cut", cmdCut, f)
	return err
}

// Continue checks that the paper is back: ATOL registers go on printing by
// themselves once it is (docs/atol.md §4).
func (d *Driver) Continue(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.run(ctx, "continue", cmdStatusCode)
	if err != nil {
		return err
	}
	if b[1]&0x01 != 0 {
		return DeviceError("continue", cmdStatusCode, CodeNoPaper)
	}
	return nil
}

// CancelReceipt cancels a receipt left open.
func (d *Driver) CancelReceipt(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.enter(ctx, "cancel", modeRegistration); err != nil {
		return err
	}
	_, err := d.run(ctx, "cancel", cmdCancel)
	return err
}

func receiptType(k fiscal.ReceiptKind) byte {
	switch k {
	case fiscal.SaleReturn:
		return 2
	case fiscal.Buy:
		return 4
	case fiscal.BuyReturn:
		return 5
	}
	return 1
}

// correctionType is the 92h type of a correction receipt of kind k
// (docs/atol.md §4).
func correctionType(k fiscal.ReceiptKind) byte {
	switch k {
	case fiscal.SaleReturn:
		return 8
	case fiscal.Buy:
		return 9
	case fiscal.BuyReturn:
		return 10
	}
	return 7
}

// docType is the fiscal document r makes.
func docType(r fiscal.Receipt) fiscal.DocType {
	if r.Correction != nil {
		return fiscal.DocCorrection
	}
	return fiscal.DocReceipt
}

// kind is the settlement sign of a receipt of kind k (zero: a sale).
func kind(k fiscal.ReceiptKind) fiscal.ReceiptKind {
	if k == 0 {
		return fiscal.Sale
	}
	return k
}

// LineTags are the tags written with E8h inside line l's position (EAh …
// EBh) in the form of FFD version v: the agent's and supplier's tags as the
// Shtrih driver sends them (shtrih.LineTags: 1222, 1223 {1073, 1074} under
// 1.2, 1224 {1225, 1171}, 1226, 2108 under 1.2). The subject (1212) and the
// payment method (1214) are EBh's own fields (itemData).
func LineTags(v fiscal.FFD, r fiscal.Receipt, l fiscal.Line) []fiscal.Tag {
	return shtrih.LineTags(v, r, l)
}

// taxType is EBh's tax type of t: 0 the department's, 1 VAT 20 (18) %,
// 2 VAT 10 %, 3 20/120, 4 10/110, 5 VAT 0 %, 6 no VAT (docs/atol.md §4);
// false for a rate the sources give no number for.
func taxType(t fiscal.Tax) (byte, bool) {
	switch t {
	case 0:
		return 0, true
	case fiscal.VAT20:
		return 1, true
	case fiscal.VAT10:
		return 2, true
	case fiscal.VAT120:
		return 3, true
	case fiscal.VAT110:
		return 4, true
	case fiscal.VAT0:
		return 5, true
	case fiscal.NoVAT:
		return 6, true
	}
	return 0, false
}

// maxItemName is the longest name EBh takes, in bytes.
const maxItemName = 128

// itemData is EBh's data for line l (docs/atol.md §4): flags, price (7
// BCD, kopecks), quantity (5 BCD, thousandths), the position's cost (7
// BCD), tax type, tax sum (7 BCD, 0: the register counts it), department
// (BCD), 1212 and 1214 (BCD), discount sign and sum (7 BCD, none), two
// reserved bytes, the name (CP866, at most 128 bytes).
func itemData(l fiscal.Line, tax byte) []byte {
	m := l.Method
	if m == 0 {
		m = fiscal.FullPayment
	}
	b := []byte{0x00}
	b = append(b, wire.BCD(uint64(l.Price), 7)...)
	b = append(b, wire.BCD(uint64(l.Quantity/1000), 5)...)
	b = append(b, wire.BCD(uint64(l.Sum()), 7)...)
	b = append(b, tax)
	b = append(b, make([]byte, 7)...)
	b = append(b, wire.BCD(uint64(l.Department), 1)...)
	b = append(b, wire.BCD(uint64(l.Subject), 1)...)
	b = append(b, wire.BCD(uint64(m), 1)...)
	b = append(b, 0x00)
	b = append(b, make([]byte, 7)...)
	b = append(b, 0x00, 0x00)
	name := wire.Text(l.Name)
	return append(b, name[:min(len(name), maxItemName)]...)
}

// ReceiptTags are the receipt's own tags written with E8h before the
// payments: the tax system (1055, which the close has no field for), then
// as the Shtrih driver sends them (shtrih.ReceiptTags: 1057, 1073, 1074,
// 1171 under 1.05; the cashier 1021, 1203; 1008, 1084 and the rest).
func ReceiptTags(v fiscal.FFD, r fiscal.Receipt) []fiscal.Tag {
	var tags []fiscal.Tag
	if r.TaxSystem != 0 {
		tags = append(tags, fiscal.Byte(1055, byte(r.TaxSystem)))
	}
	return append(tags, shtrih.ReceiptTags(v, r)...)
}

// Fiscalize forms and prints a fiscal receipt: open, for each line a
// position (EAh, its tags with E8h, EBh), the receipt's tags, payments, close. A lost
// answer to the close is resolved from the last document. A correction
// receipt (FFD 1.2 only) opens with the correction's type and carries
// 1173 and 1174 among the receipt's tags.
func (d *Driver) Fiscalize(ctx context.Context, r fiscal.Receipt) (fiscal.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "fiscalize"
	var total int64
	for _, ln := range r.Lines {
		if ln.Price < 0 || ln.Quantity <= 0 || ln.Quantity%1000 != 0 || uint64(ln.Price) > wire.MaxBCD(7) || uint64(ln.Quantity/1000) > wire.MaxBCD(5) ||
			uint64(ln.Sum()) > wire.MaxBCD(7) || ln.Department < 0 || ln.Department > 99 || ln.Subject < 0 || ln.Subject > 99 || ln.Method < 0 || ln.Method > 99 {
			return fiscal.Result{}, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: line %q: price %d, quantity %d", ln.Name, ln.Price, ln.Quantity)}
		}
		if _, known := taxType(ln.Tax); !known {
			return fiscal.Result{}, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Code: CodeNotSupported, Text: Msg(CodeNotSupported),
				Err: fmt.Errorf("%w: atol: line %q: tax %d has no ATOL number (docs/atol.md §4)", fiscal.ErrNotSupported, ln.Name, ln.Tax)}
		}
		total += ln.Sum()
	}
	cash, err := amount5(op, r.Payments.Cash)
	if err != nil {
		return fiscal.Result{}, err
	}
	card, err := amount5(op, r.Payments.Card)
	if err != nil {
		return fiscal.Result{}, err
	}
	if len(r.Lines) == 0 || r.Payments.Cash+r.Payments.Card < total {
		return fiscal.Result{}, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("atol: %d lines, total %d, paid %d", len(r.Lines), total, r.Payments.Cash+r.Payments.Card)}
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return fiscal.Result{}, err
	}
	v, err := d.format(ctx, op)
	if err != nil {
		return fiscal.Result{}, err
	}
	if r.Correction != nil && v < fiscal.FFD12 {
		return fiscal.Result{}, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Code: CodeNotSupported, Text: Msg(CodeNotSupported),
			Err: fmt.Errorf("%w: atol: FFD 1.05 correction receipts (docs/atol.md §7)", fiscal.ErrNotSupported)}
	}
	before, err := d.lastFD(ctx, op)
	if err != nil {
		return fiscal.Result{}, err
	}
	// A receipt left open (a crash, a lost answer the register did not
	// run) is no cause: it was never a fiscal document, and it is
	// cancelled before this one opens.
	s, err := d.status(ctx, op)
	if err != nil {
		return fiscal.Result{}, err
	}
	if err := d.enter(ctx, op, modeRegistration); err != nil {
		return fiscal.Result{}, err
	}
	if s.receipt != 0 {
		d.l.log.Warn("atol: cancelling a receipt left open", "type", s.receipt)
		if _, err := d.run(ctx, op, cmdCancel); err != nil {
			return fiscal.Result{}, err
		}
	}
	res, closing, err := d.fiscalize(ctx, op, r, v, before, total, cash, card)
	if err != nil && !closing && fiscal.CodeOf(err) != 0 {
		// The register refused a part of the receipt before its close:
		// cancel it, so that nothing half-made stays open.
		if _, cerr := d.run(context.WithoutCancel(ctx), op, cmdCancel); cerr != nil {
			d.l.log.Warn("atol: could not cancel the refused receipt", "err", cerr)
		}
	}
	return res, err
}

// fiscalize forms the receipt on the register: open, the items with their
// tags, the receipt's tags, the payments, the close. closing reports an
// error of the close or after it, when the receipt may be a fiscal
// document already.
func (d *Driver) fiscalize(ctx context.Context, op string, r fiscal.Receipt, v fiscal.FFD, before uint32, total int64,
	cash, card []byte) (res fiscal.Result, closing bool, err error) {
	typ := receiptType(r.Kind)
	if r.Correction != nil {
		typ = correctionType(r.Kind)
	}
	if _, err := d.run(ctx, op, cmdOpenReceipt, 0x00, typ); err != nil {
		return fiscal.Result{}, false, err
	}
	for _, ln := range r.Lines {
		// A position: begin it (EAh), write its tags (E8h), end it with its
		// data (EBh) (docs/atol.md §4).
		if _, err := d.run(ctx, op, cmdBeginItem, 0x00, 0x01, 0x00); err != nil {
			return fiscal.Result{}, false, err
		}
		if err := d.writeTags(ctx, op, LineTags(v, r, ln)); err != nil {
			return fiscal.Result{}, false, err
		}
		tax, _ := taxType(ln.Tax)
		if _, err := d.run(ctx, op, cmdItem, itemData(ln, tax)...); err != nil {
			return fiscal.Result{}, false, err
		}
	}
	if err := d.writeTags(ctx, op, append(shtrih.CorrectionTags(v, r, d.loc()), ReceiptTags(v, r)...)); err != nil {
		return fiscal.Result{}, false, err
	}
	var change int64
	pay := func(kind byte, sum []byte) error {
		a, err := d.run(ctx, op, cmdPayment, append([]byte{0x00, kind}, sum...)...)
		if err == nil && len(a) >= 10 {
			c, _ := wire.FromBCD(a[5:10])
			change = int64(c)
		}
		return err
	}
	if r.Payments.Card > 0 {
		if err := pay(2, card); err != nil {
			return fiscal.Result{}, false, err
		}
	}
	if r.Payments.Cash > 0 {
		if err := pay(1, cash); err != nil {
			return fiscal.Result{}, false, err
		}
	}
	_, err = d.run(ctx, op, cmdClose, 0x00, 0x01, 0, 0, 0, 0, 0)
	recovered := false
	if err != nil {
		rerr := d.resolve(ctx, op, err, before, func(s state, doc fiscal.Document) bool {
			return s.receipt == 0 && doc.Type == docType(r) && doc.Sum == total && doc.Kind == kind(r.Kind)
		})
		if rerr != nil {
			return fiscal.Result{}, true, rerr
		}
		recovered = true
	}
	doc, err := d.lastDoc(ctx, op, true)
	if err != nil {
		return fiscal.Result{}, true, err
	}
	s, err := d.status(ctx, op)
	if err != nil {
		return fiscal.Result{}, true, err
	}
	if recovered {
		change = r.Payments.Cash + r.Payments.Card - total
	}
	return fiscal.Result{FD: doc.FD, FP: doc.FP, Shift: s.ShiftNumber, ReceiptNumber: s.ReceiptNumber - 1, Time: s.DeviceTime,
		Change: change, Recovered: recovered}, true, nil
}

var _ fiscal.Register = (*Driver)(nil)
