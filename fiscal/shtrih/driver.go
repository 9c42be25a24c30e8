package shtrih

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"paydesk/fiscal"
)

// Options configure a Device. Zero values take the defaults in brackets.
type Options struct {
	// Password is the operator password for cashier commands (10h, 11h, 17h,
	// 25h, 50h, 51h, 88h, 8Dh, B0h, E0h, FF45, FF46) [30].
	Password uint32
	// AdminPassword is used for 40h, 41h and the FFxx service commands [30].
	AdminPassword uint32
	// Baud is the line speed; it lets timeouts allow for the time our own bytes
	// spend on the wire. Zero for TCP.
	Baud int
	// ByteTimeout is the longest gap inside a frame and the wait for a control
	// byte [100ms].
	ByteTimeout time.Duration
	// MaxAnswerTimeout caps the per-command answer timeouts of the spec (§3.3);
	// tests set it short [no cap].
	MaxAnswerTimeout time.Duration
	// ENQTries, SendTries and ReadTries bound the link check, command re-sends
	// after NAK and answer re-reads [10, 10, 5].
	ENQTries, SendTries, ReadTries int
	// PollInterval is the pause between status polls while the device prints
	// [150ms]; ReadyTimeout bounds the whole wait [30s].
	PollInterval, ReadyTimeout time.Duration
	// AutoShift lets Fiscalize and cash operations close a shift older than
	// 24 hours (Z report) and open a new one for the receipt's cashier instead
	// of failing with a KindZReport or shift-closed error.
	AutoShift bool
	// Location is the time zone of the device clock [time.Local].
	Location *time.Location
	// Logger receives link diagnostics [discard].
	Logger *slog.Logger
	// Sleep waits between polls; tests may replace it [timer honouring ctx].
	Sleep func(ctx context.Context, d time.Duration) error
}

// Device is a Shtrih-M register behind a Conn. It is safe for concurrent use;
// commands are serialised.
type Device struct {
	mu        sync.Mutex
	conn      Conn
	link      *link
	opt       Options
	log       *slog.Logger
	lineWidth int
	model     string
	ffd       fiscal.FFD // the register's FFD version, 0 until Info read it
	nameSize  int        // the size of table 2's name field, 0 until asked
	noQR      bool       // the register answered 37h to DDh or DEh
}

// ErrCoverOpen is reported (KindOperator) when the printer cover is open.
var ErrCoverOpen = errors.New("printer cover open")

// ErrNotFiscalized means the answer to a receipt close was lost and the fiscal
// drive shows no such receipt: nothing was registered, the receipt may be redone.
var ErrNotFiscalized = errors.New("the receipt was not fiscalized")

// New returns a driver speaking over conn. Closing the Device closes conn when
// it is an io.Closer.
func New(conn Conn, opt Options) *Device {
	if opt.Password == 0 {
		opt.Password = 30
	}
	if opt.AdminPassword == 0 {
		opt.AdminPassword = 30
	}
	if opt.ByteTimeout <= 0 {
		opt.ByteTimeout = 100 * time.Millisecond
	}
	if opt.ENQTries <= 0 {
		opt.ENQTries = 10
	}
	if opt.SendTries <= 0 {
		opt.SendTries = 10
	}
	if opt.ReadTries <= 0 {
		opt.ReadTries = 5
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = 150 * time.Millisecond
	}
	if opt.ReadyTimeout <= 0 {
		opt.ReadyTimeout = 30 * time.Second
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &link{conn: conn, byteTimeout: opt.ByteTimeout, enqTries: opt.ENQTries,
		sendTries: opt.SendTries, readTries: opt.ReadTries, log: log}
	if opt.Baud > 0 {
		l.byteTime = time.Duration(int64(10*time.Second) / int64(opt.Baud))
	}
	return &Device{conn: conn, link: l, opt: opt, log: log}
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

var _ fiscal.Register = (*Device)(nil)

// Close closes the connection.
func (d *Device) Close() error {
	if c, ok := d.conn.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// AnswerTimeout is the per-command answer timeout of the spec (§3.3).
func AnswerTimeout(c Cmd) time.Duration {
	switch c {
	case CmdShortStatus, CmdFullStatus:
		return 3 * time.Second
	case CmdFontParams:
		return 5 * time.Second
	case CmdXReport:
		return 30 * time.Second
	case CmdZReport:
		return 65 * time.Second
	case CmdOpenShift:
		return 120 * time.Second
	case 0x16:
		return 60 * time.Second
	case 0xFF61, 0xFF67:
		return 40 * time.Second
	}
	return 30 * time.Second
}

func (d *Device) timeout(c Cmd) time.Duration {
	t := AnswerTimeout(c)
	if d.opt.MaxAnswerTimeout > 0 && t > d.opt.MaxAnswerTimeout {
		t = d.opt.MaxAnswerTimeout
	}
	return t
}

func linkError(op string, c Cmd, err error) error {
	return &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindLink, Err: err}
}

// raw sends one command and returns its device code and data; link failures
// come back as *fiscal.Error of KindLink.
func (d *Device) raw(ctx context.Context, op string, c Cmd, args []byte) (fiscal.Code, []byte, error) {
	ans, err := d.link.do(ctx, Payload(c, args), d.timeout(c))
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, err
		}
		return 0, nil, linkError(op, c, err)
	}
	code, data, err := ParseAnswer(c, ans)
	if err != nil {
		return 0, nil, &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindLink, Err: err}
	}
	return code, data, nil
}

// call sends a command and turns a device code into an error. A "still
// printing" answer (50h) means nothing was executed: it waits and retries.
func (d *Device) call(ctx context.Context, op string, c Cmd, args []byte) ([]byte, error) {
	deadline := time.Now().Add(d.opt.ReadyTimeout)
	for {
		code, data, err := d.raw(ctx, op, c, args)
		if err != nil {
			return nil, err
		}
		if code == fiscal.CodeBusyPrinting && time.Now().Before(deadline) {
			if err := d.opt.Sleep(ctx, d.opt.PollInterval); err != nil {
				return nil, err
			}
			continue
		}
		if code != 0 {
			return nil, fiscal.DeviceError(op, uint16(c), code)
		}
		return data, nil
	}
}

func pwd(p uint32) []byte { return PutUint(nil, uint64(p), 4) }

// Payload is the request payload: command code, then the parameters
// (usually the password first).
func Payload(c Cmd, args []byte) []byte {
	p := c.Append(make([]byte, 0, 2+len(args)))
	return append(p, args...)
}

// Password encodes a password as the 4-byte LE first parameter.
func Password(p uint32) []byte { return pwd(p) }

// PrintLineArgs builds the 17h parameters: password, flags (0x02 receipt
// tape), text in a 40-byte windows-1251 field.
func PrintLineArgs(password uint32, flags byte, text string) []byte {
	return PutText(append(pwd(password), flags), text, 40)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("shtrih: %s: %w", op, err)
}

// ShortStatus is the decoded 10h answer.
type ShortStatus struct {
	Operator   int
	Flags      uint16
	Mode       int // low nibble of the mode byte
	ModeStatus int // high nibble
	Submode    int
	Ops        int // operations in the open receipt
}

func (s ShortStatus) paper() bool { return s.Flags&0x0002 != 0 }
func (s ShortStatus) cover() bool { return s.Flags&0x0400 != 0 }

func (d *Device) shortStatus(ctx context.Context, op string) (ShortStatus, error) {
	data, err := d.call(ctx, op, CmdShortStatus, pwd(d.opt.Password))
	if err != nil {
		return ShortStatus{}, err
	}
	s, err := ParseShortStatus(data)
	if err != nil {
		return s, &fiscal.Error{Op: op, Cmd: uint16(CmdShortStatus), Kind: fiscal.KindLink, Err: err}
	}
	return s, nil
}

// ParseShortStatus decodes the data of a 10h answer (after the error byte).
func ParseShortStatus(data []byte) (ShortStatus, error) {
	if len(data) < 10 {
		return ShortStatus{}, fmt.Errorf("%w: 10h data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	s := ShortStatus{
		Operator:   int(data[0]),
		Flags:      uint16(Uint(data[1:3])),
		Mode:       int(data[3] & 0x0F),
		ModeStatus: int(data[3] >> 4),
		Submode:    int(data[4]),
		Ops:        int(data[5]),
	}
	if len(data) > 10 {
		s.Ops |= int(data[10]) << 8
	}
	return s, nil
}

// Status reads 10h, 11h, FF40, FF01, 26h and FCh.
func (d *Device) Status(ctx context.Context) (fiscal.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, err := d.status(ctx)
	return st, wrap("status", err)
}

func (d *Device) status(ctx context.Context) (fiscal.Status, error) {
	const op = "status"
	var st fiscal.Status
	ss, err := d.shortStatus(ctx, op)
	if err != nil {
		return st, err
	}
	st.Mode, st.ModeStatus, st.Submode = fiscal.Mode(ss.Mode), ss.ModeStatus, fiscal.Submode(ss.Submode)
	st.Operator, st.Paper, st.CoverOpen = ss.Operator, ss.paper(), ss.cover()
	full, err := d.call(ctx, op, CmdFullStatus, pwd(d.opt.Password))
	if err != nil {
		return st, err
	}
	if len(full) >= 29 {
		st.DocNumber = int(Uint(full[9:11]))
		st.DeviceTime = DateAndTime(full[23:26], full[26:29], d.opt.Location)
	}
	sp, err := d.call(ctx, op, CmdShiftParams, pwd(d.opt.AdminPassword))
	if err != nil {
		return st, err
	}
	if len(sp) >= 5 {
		st.ShiftOpen = sp[0] == 1
		st.ShiftNumber = int(Uint(sp[1:3]))
		st.ReceiptNumber = int(Uint(sp[3:5]))
	}
	fn, err := d.fnStatus(ctx, op)
	if err != nil {
		return st, err
	}
	st.LastFD, st.FNNumber, st.FNPhase, st.FNWarnings = fn.LastFD, fn.Number, fn.Phase, fn.Warnings
	if st.ShiftOpen && uint32(st.ReceiptNumber) < fn.LastFD {
		// Receipts are the only fiscal documents inside a shift here, so the
		// shift-open report is ReceiptNumber documents back; trust it only
		// when the drive confirms type and shift.
		if doc, err := d.findDoc(ctx, op, fn.LastFD-uint32(st.ReceiptNumber)); err == nil &&
			doc.Type == fiscal.DocShiftOpen && doc.Shift == st.ShiftNumber {
			st.ShiftOpened = doc.Time
		}
	}
	if d.lineWidth == 0 {
		if fp, err := d.call(ctx, op, CmdFontParams, append(pwd(d.opt.AdminPassword), 1)); err == nil && len(fp) >= 3 && fp[2] > 0 {
			d.lineWidth = int(Uint(fp[0:2])) / int(fp[2])
		}
		if dt, err := d.call(ctx, op, CmdDeviceType, nil); err == nil && len(dt) > 6 {
			d.model = Text(dt[6:])
		}
	}
	st.LineWidth, st.Model = d.lineWidth, d.model
	return st, nil
}

// FNStatus is the decoded FF01 answer.
type FNStatus struct {
	Phase     byte // life phase bits
	Document  byte // current document (04 receipt)
	DocData   byte
	ShiftOpen bool
	Warnings  byte
	Time      time.Time
	Number    string // FN serial number
	LastFD    uint32 // last fiscal document number
}

// ParseFNStatus decodes the data of an FF01 answer (after the error byte).
func ParseFNStatus(data []byte, loc *time.Location) (FNStatus, error) {
	if len(data) < 30 {
		return FNStatus{}, fmt.Errorf("%w: FF01 data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	return FNStatus{Phase: data[0], Document: data[1], DocData: data[2], ShiftOpen: data[3] == 1, Warnings: data[4],
		Time: DateTime(data[5:10], loc), Number: strings.TrimRight(string(data[10:26]), "\x00 "), LastFD: uint32(Uint(data[26:30]))}, nil
}

func (d *Device) fnStatus(ctx context.Context, op string) (FNStatus, error) {
	data, err := d.call(ctx, op, CmdFNStatus, pwd(d.opt.AdminPassword))
	if err != nil {
		return FNStatus{}, err
	}
	fn, err := ParseFNStatus(data, d.opt.Location)
	if err != nil {
		return fn, &fiscal.Error{Op: op, Cmd: uint16(CmdFNStatus), Kind: fiscal.KindLink, Err: err}
	}
	return fn, nil
}

// ready runs the readiness poll of spec §9. needShift demands an open shift
// (< 24 h); cashier is used when AutoShift opens one.
func (d *Device) ready(ctx context.Context, op string, needShift bool, cashier fiscal.Cashier) error {
	deadline := time.Now().Add(d.opt.ReadyTimeout)
	cancelled, finished := false, false
	for {
		s, err := d.shortStatus(ctx, op)
		if err != nil {
			return err
		}
		switch {
		case s.Mode == 1 && !finished:
			// A document read (FF3A) left unfinished keeps a desktop
			// register in data dump mode until it is read to its end.
			d.log.Warn("shtrih: data dump mode: reading the requested document to its end")
			if err := d.finishRead(ctx, op); err != nil {
				return err
			}
			finished = true
			continue
		case s.Submode == int(fiscal.SubmodeReport) || s.Submode == int(fiscal.SubmodePrinting) || s.Mode == 1 || s.Mode == 10 || s.Mode == 11:
			if time.Now().After(deadline) {
				return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeBusyPrinting)
			}
			if err := d.opt.Sleep(ctx, d.opt.PollInterval); err != nil {
				return err
			}
			continue
		case s.Submode == int(fiscal.SubmodeWaitContinue):
			d.log.Info("shtrih: paper reloaded, continuing print")
			if _, err := d.call(ctx, op, CmdContinue, pwd(d.opt.Password)); err != nil {
				return err
			}
			continue
		case s.Submode == int(fiscal.SubmodePaperOut) || s.Submode == int(fiscal.SubmodePaperOutPrint) || !s.paper():
			return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeNoPaper)
		case s.cover():
			return &fiscal.Error{Op: op, Cmd: uint16(CmdShortStatus), Kind: fiscal.KindOperator, Err: ErrCoverOpen}
		case s.Mode == int(fiscal.ModeDocument):
			if cancelled {
				return fiscal.DeviceError(op, uint16(CmdCancel), fiscal.CodeReceiptOpen)
			}
			d.log.Warn("shtrih: cancelling a receipt left open")
			if err := d.cancel(ctx, op); err != nil {
				return err
			}
			cancelled = true
			continue
		case s.Mode == int(fiscal.ModeShiftExpired):
			if !needShift {
				return nil // reports and printing: the device decides
			}
			if !d.opt.AutoShift {
				return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeShiftOver24h)
			}
			d.log.Warn("shtrih: shift over 24 hours: Z report and a new shift")
			if err := d.zReport(ctx, op, cashier); err != nil {
				return err
			}
			continue
		case s.Mode == int(fiscal.ModeShiftClosed):
			if !needShift {
				return nil
			}
			if !d.opt.AutoShift || cashier.Name == "" {
				return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeShiftNotOpen)
			}
			if err := d.openShift(ctx, op, cashier); err != nil {
				return err
			}
			continue
		case s.Mode == int(fiscal.ModeShiftOpen):
			return nil
		default:
			return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeBadMode)
		}
	}
}

// waitPrinted polls 10h until the device leaves submodes 4/5.
func (d *Device) waitPrinted(ctx context.Context, op string) error {
	deadline := time.Now().Add(d.opt.ReadyTimeout)
	for {
		s, err := d.shortStatus(ctx, op)
		if err != nil {
			return err
		}
		if s.Submode != int(fiscal.SubmodeReport) && s.Submode != int(fiscal.SubmodePrinting) {
			return nil
		}
		if time.Now().After(deadline) {
			return fiscal.DeviceError(op, uint16(CmdShortStatus), fiscal.CodeBusyPrinting)
		}
		if err := d.opt.Sleep(ctx, d.opt.PollInterval); err != nil {
			return err
		}
	}
}

func isOutcomeUnknown(err error) bool { return errors.Is(err, fiscal.ErrOutcomeUnknown) }

// OpenShift opens a shift: FF41, FF0C 1021 [1203], E0h.
func (d *Device) OpenShift(ctx context.Context, c fiscal.Cashier) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "open shift"
	if err := d.ready(ctx, op, false, c); err != nil {
		return wrap(op, err)
	}
	return wrap(op, d.openShift(ctx, op, c))
}

func (d *Device) openShift(ctx context.Context, op string, c fiscal.Cashier) error {
	if _, err := d.call(ctx, op, CmdBeginOpen, pwd(d.opt.AdminPassword)); err != nil {
		return err
	}
	tags := cashierTags(c)
	for _, t := range tags {
		if err := d.tag(ctx, op, CmdDocTag, t); err != nil {
			return err
		}
	}
	_, err := d.call(ctx, op, CmdOpenShift, pwd(d.opt.Password))
	if isOutcomeUnknown(err) {
		if open, rerr := d.shiftOpen(ctx, op); rerr == nil && open {
			d.log.Warn("shtrih: open shift answer lost; the shift is open")
			return nil
		}
	}
	if err != nil {
		return err
	}
	return d.waitPrinted(ctx, op)
}

func cashierTags(c fiscal.Cashier) []fiscal.Tag {
	var tags []fiscal.Tag
	if c.Name != "" {
		tags = append(tags, fiscal.String(1021, c.Name))
	}
	if c.INN != "" {
		tags = append(tags, fiscal.FixedString(1203, c.INN, 12))
	}
	return tags
}

func (d *Device) shiftOpen(ctx context.Context, op string) (bool, error) {
	sp, err := d.call(ctx, op, CmdShiftParams, pwd(d.opt.AdminPassword))
	if err != nil {
		return false, err
	}
	if len(sp) < 1 {
		return false, fiscal.ErrBadAnswer
	}
	return sp[0] == 1, nil
}

// XReport prints the X report (40h).
func (d *Device) XReport(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "x report"
	if err := d.ready(ctx, op, false, fiscal.Cashier{}); err != nil {
		return wrap(op, err)
	}
	if _, err := d.call(ctx, op, CmdXReport, pwd(d.opt.AdminPassword)); err != nil {
		return wrap(op, err)
	}
	return wrap(op, d.waitPrinted(ctx, op))
}

// ZReport closes the shift: with a cashier, FF42 (begin shift close),
// FF0C 1021 [1203], then 41h, as the shift-open report takes them (a
// firmware without FF42 gets 41h alone); without one, 41h.
func (d *Device) ZReport(ctx context.Context, c fiscal.Cashier) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "z report"
	if err := d.ready(ctx, op, false, fiscal.Cashier{}); err != nil {
		return wrap(op, err)
	}
	return wrap(op, d.zReport(ctx, op, c))
}

func (d *Device) zReport(ctx context.Context, op string, c fiscal.Cashier) error {
	if c.Name != "" {
		_, err := d.call(ctx, op, CmdBeginClose, pwd(d.opt.AdminPassword))
		switch {
		case unsupported(err):
		case err != nil:
			return err
		default:
			for _, t := range cashierTags(c) {
				if err := d.tag(ctx, op, CmdDocTag, t); err != nil {
					return err
				}
			}
		}
	}
	_, err := d.call(ctx, op, CmdZReport, pwd(d.opt.AdminPassword))
	if isOutcomeUnknown(err) {
		if open, rerr := d.shiftOpen(ctx, op); rerr == nil && !open {
			d.log.Warn("shtrih: Z report answer lost; the shift is closed")
			err = nil
		}
	}
	if err != nil {
		return err
	}
	return d.waitPrinted(ctx, op)
}

// CashIn registers cash put into the drawer (50h); c, when named, is the
// name the tape prints (see nameOperator).
func (d *Device) CashIn(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	n, err := d.cash(ctx, "cash in", CmdCashIn, c, amount)
	return n, wrap("cash in", err)
}

// CashOut registers cash taken from the drawer (51h), named as CashIn.
func (d *Device) CashOut(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	n, err := d.cash(ctx, "cash out", CmdCashOut, c, amount)
	return n, wrap("cash out", err)
}

// nameOperator writes c's name into table 2 (field 2, the name printed on
// documents) for operator, as the register prints on a cash document the
// name of the operator whose password made it and takes no 1021 tag there.
// A register that refuses the write (a read-only table, another password)
// keeps its own name: the document is made all the same, and logged.
func (d *Device) nameOperator(ctx context.Context, op string, operator int, c fiscal.Cashier) error {
	if c.Name == "" || operator < 1 || operator > 30 {
		return nil
	}
	if d.nameSize == 0 {
		info, err := d.call(ctx, op, CmdFieldInfo, append(pwd(d.opt.AdminPassword), 2, 2))
		switch {
		case fiscal.KindOf(err) == fiscal.KindLink:
			return err
		case err != nil || len(info) < 42 || info[40] != 1:
			d.log.Warn("shtrih: the operator's name field is not known; the tape keeps its name", "err", err)
			return nil
		}
		d.nameSize = int(info[41])
	}
	args := append(pwd(d.opt.AdminPassword), 2)
	args = PutUint(args, uint64(operator), 2)
	args = PutText(append(args, 2), c.Name, d.nameSize)
	_, err := d.call(ctx, op, CmdWriteTable, args)
	if err != nil && fiscal.KindOf(err) != fiscal.KindLink {
		d.log.Warn("shtrih: the operator's name was not written; the tape keeps its name", "err", err)
		return nil
	}
	return err
}

// docNumber is the last document's number, from 11h.
func (d *Device) docNumber(ctx context.Context, op string) (int, error) {
	n, _, err := d.fullStatus(ctx, op)
	return n, err
}

// fullStatus is 11h's last document number and the operator the password
// is.
func (d *Device) fullStatus(ctx context.Context, op string) (doc, operator int, err error) {
	full, err := d.call(ctx, op, CmdFullStatus, pwd(d.opt.Password))
	if err != nil {
		return 0, 0, err
	}
	if len(full) < 11 {
		return 0, 0, &fiscal.Error{Op: op, Cmd: uint16(CmdFullStatus), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: 11h data of %d bytes", fiscal.ErrBadAnswer, len(full))}
	}
	return int(Uint(full[9:11])), int(full[0]), nil
}

func (d *Device) cash(ctx context.Context, op string, c Cmd, who fiscal.Cashier, amount int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if amount <= 0 || amount >= 1<<40 {
		return 0, &fiscal.Error{Op: op, Kind: fiscal.KindProgram, Err: fmt.Errorf("amount %d kopecks out of range", amount)}
	}
	if err := d.ready(ctx, op, true, fiscal.Cashier{}); err != nil {
		return 0, err
	}
	before, operator, err := d.fullStatus(ctx, op)
	if err != nil {
		return 0, err
	}
	if err := d.nameOperator(ctx, op, operator, who); err != nil {
		return 0, err
	}
	data, err := d.call(ctx, op, c, PutMoney(pwd(d.opt.Password), amount))
	if isOutcomeUnknown(err) {
		after, rerr := d.docNumber(ctx, op)
		if rerr != nil {
			return 0, err
		}
		if after != before {
			d.log.Warn("shtrih: cash answer lost; the document was made", "doc", after)
			return after, nil
		}
		return 0, &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: no document was made", fiscal.ErrOutcomeUnknown)}
	}
	if err != nil {
		return 0, err
	}
	if len(data) < 3 {
		// The device took the command (code 0) but its answer does not say
		// the document: KindLink, so the caller decides from the counters.
		return 0, &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindLink, Err: fmt.Errorf("%w: %s data of %d bytes", fiscal.ErrBadAnswer, c, len(data))}
	}
	return int(Uint(data[1:3])), d.waitPrinted(ctx, op)
}

// PrintText prints lines on the receipt tape with 17h, 40 bytes a command.
func (d *Device) PrintText(ctx context.Context, lines []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "print text"
	if err := d.ready(ctx, op, false, fiscal.Cashier{}); err != nil {
		return wrap(op, err)
	}
	for _, line := range lines {
		for _, part := range splitRunes(line, 40) {
			if _, err := d.call(ctx, op, CmdPrintLine, PrintLineArgs(d.opt.Password, 0x02, part)); err != nil {
				return wrap(op, err)
			}
		}
	}
	return nil
}

func splitRunes(s string, n int) []string {
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var out []string
	r := []rune(s)
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}

// Cut cuts the tape (25h).
func (d *Device) Cut(ctx context.Context, partial bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var t byte
	if partial {
		t = 1
	}
	_, err := d.call(ctx, "cut", CmdCut, append(pwd(d.opt.Password), t))
	return wrap("cut", err)
}

// Continue resumes printing after a paper change (B0h).
func (d *Device) Continue(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.call(ctx, "continue", CmdContinue, pwd(d.opt.Password))
	if err == nil {
		err = d.waitPrinted(ctx, "continue")
	}
	return wrap("continue", err)
}

// CancelReceipt cancels an open receipt (88h; FF08 when only the fiscal drive
// holds an open document).
func (d *Device) CancelReceipt(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return wrap("cancel receipt", d.cancel(ctx, "cancel receipt"))
}

func (d *Device) cancel(ctx context.Context, op string) error {
	_, err := d.call(ctx, op, CmdCancel, pwd(d.opt.Password))
	if fiscal.CodeOf(err) == fiscal.CodeFNState {
		_, err = d.call(ctx, op, CmdFNCancelDoc, pwd(d.opt.AdminPassword))
	}
	if isOutcomeUnknown(err) {
		if s, rerr := d.shortStatus(ctx, op); rerr == nil && s.Mode != int(fiscal.ModeDocument) {
			return nil
		}
	}
	return err
}

// LastDocument reads the last fiscal document (FF01, FF0A).
func (d *Device) LastDocument(ctx context.Context) (fiscal.Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "last document"
	fn, err := d.fnStatus(ctx, op)
	if err != nil {
		return fiscal.Document{}, wrap(op, err)
	}
	doc, err := d.findDoc(ctx, op, fn.LastFD)
	return doc, wrap(op, err)
}

func (d *Device) findDoc(ctx context.Context, op string, fd uint32) (fiscal.Document, error) {
	data, err := d.call(ctx, op, CmdFNFindDoc, PutUint(pwd(d.opt.AdminPassword), uint64(fd), 4))
	if err != nil {
		return fiscal.Document{}, err
	}
	doc, err := ParseDocument(data, d.opt.Location)
	if err != nil {
		return doc, &fiscal.Error{Op: op, Cmd: uint16(CmdFNFindDoc), Kind: fiscal.KindLink, Err: err}
	}
	return doc, nil
}

// ParseDocument decodes the data of an FF0A answer (after the error byte).
func ParseDocument(data []byte, loc *time.Location) (fiscal.Document, error) {
	if len(data) < 2 {
		return fiscal.Document{}, fmt.Errorf("%w: FF0A data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	doc := fiscal.Document{Type: fiscal.DocType(data[0])}
	b := data[2:]
	if len(b) >= 13 {
		doc.Time = DateTime(b[0:5], loc)
		doc.FD = uint32(Uint(b[5:9]))
		doc.FP = uint32(Uint(b[9:13]))
	}
	switch {
	case doc.Type.IsReceipt() && len(b) >= 19:
		doc.Kind = fiscal.ReceiptKind(b[13])
		doc.Sum = Money(b[14:19])
	case (doc.Type == fiscal.DocShiftOpen || doc.Type == fiscal.DocShiftClose) && len(b) >= 15:
		doc.Shift = int(Uint(b[13:15]))
	}
	return doc, nil
}

// maxDocumentBlocks bounds the FF3Bh answers one document read takes. A
// document is at most 65535 bytes (its FF3Ah length is 2 bytes) and a drive
// hands it out a TLV or a frame's worth at a time, so a read that needs more
// blocks is a device answering garbage.
const maxDocumentBlocks = 4096

// DocumentHeader is the decoded FF3A answer: the document's STLV tag number
// (fiscal.DocType for the common documents: 3 for a receipt) and the number
// of TLV bytes FF3B hands out.
type DocumentHeader struct {
	Type   uint16
	Length int
}

// ParseDocumentHeader decodes the data of an FF3A answer (after the error
// byte): document type 2 bytes, document length 2 bytes, little-endian.
func ParseDocumentHeader(data []byte) (DocumentHeader, error) {
	if len(data) < 4 {
		return DocumentHeader{}, fmt.Errorf("%w: FF3A data of %d bytes", fiscal.ErrBadAnswer, len(data))
	}
	return DocumentHeader{Type: uint16(Uint(data[0:2])), Length: int(Uint(data[2:4]))}, nil
}

// DecodeDocument splits the TLV bytes of a document read with FF3B into its
// top-level tags. A drive that hands out the document's own STLV (tag
// h.Type around everything) has it opened, so the result is always the
// 1000-series tags. Structures inside (1059, 1084) are left closed.
func DecodeDocument(h DocumentHeader, tlv []byte) ([]fiscal.Tag, error) {
	tags, err := fiscal.DecodeTags(tlv)
	if err != nil {
		return nil, fmt.Errorf("%w: document TLV: %v", fiscal.ErrBadAnswer, err)
	}
	if len(tags) == 1 && tags[0].Num == h.Type && h.Type < 1000 {
		if tags, err = tags[0].Children(); err != nil {
			return nil, fmt.Errorf("%w: document STLV %d: %v", fiscal.ErrBadAnswer, h.Type, err)
		}
	}
	return tags, nil
}

// codeNoData is the fiscal drive's 08h "no requested data": FF3A for a
// document the drive does not hold, FF3B after the end of the document or
// without FF3A.
const codeNoData fiscal.Code = 0x08

// badAnswer is the KindLink error for an answer to c that does not decode.
func badAnswer(op string, c Cmd, format string, a ...any) error {
	return &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindLink,
		Err: fmt.Errorf("%w: %s", fiscal.ErrBadAnswer, fmt.Sprintf(format, a...))}
}

// DocumentTags reads fiscal document fd from the fiscal drive as its TLV
// tags (FF3A, then FF3B until the drive says the document has ended).
func (d *Device) DocumentTags(ctx context.Context, fd uint32) ([]fiscal.Tag, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	const op = "document tags"
	tags, err := d.documentTags(ctx, op, fd)
	return tags, wrap(op, err)
}

func (d *Device) documentTags(ctx context.Context, op string, fd uint32) ([]fiscal.Tag, error) {
	data, err := d.call(ctx, op, CmdFNDocTLV, PutUint(pwd(d.opt.AdminPassword), uint64(fd), 4))
	if err != nil {
		return nil, err
	}
	h, err := ParseDocumentHeader(data)
	if err != nil {
		return nil, &fiscal.Error{Op: op, Cmd: uint16(CmdFNDocTLV), Kind: fiscal.KindLink, Err: err}
	}
	if h.Length == 0 {
		return nil, badAnswer(op, CmdFNDocTLV, "document %d of type %d has no TLV bytes", fd, h.Type)
	}
	// Read until the drive answers an error: a desktop register stays in
	// mode 1 (data dump) until the document has been read to its end.
	tlv := make([]byte, 0, h.Length)
	for blocks := 0; ; blocks++ {
		if blocks > maxDocumentBlocks {
			return nil, badAnswer(op, CmdFNReadTLV, "document %d: %d of %d bytes after %d blocks", fd, len(tlv), h.Length, blocks)
		}
		block, err := d.call(ctx, op, CmdFNReadTLV, pwd(d.opt.AdminPassword))
		if code := fiscal.CodeOf(err); code != 0 {
			if len(tlv) == h.Length {
				break // the end of the document (08h, no requested data)
			}
			if code == codeNoData {
				return nil, badAnswer(op, CmdFNReadTLV, "document %d ended after %d of %d bytes", fd, len(tlv), h.Length)
			}
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if len(block) == 0 {
			if len(tlv) == h.Length {
				break
			}
			return nil, badAnswer(op, CmdFNReadTLV, "document %d: empty block after %d of %d bytes", fd, len(tlv), h.Length)
		}
		if len(tlv)+len(block) > h.Length {
			return nil, badAnswer(op, CmdFNReadTLV, "document %d: more than the %d bytes announced", fd, h.Length)
		}
		tlv = append(tlv, block...)
	}
	tags, err := DecodeDocument(h, tlv)
	if err != nil {
		return nil, &fiscal.Error{Op: op, Cmd: uint16(CmdFNReadTLV), Kind: fiscal.KindLink, Err: err}
	}
	return tags, nil
}

// finishRead reads a document left half read (mode 1) to its end with FF3B,
// so the register leaves the data dump mode. A device code ends it; only
// link failures are errors.
func (d *Device) finishRead(ctx context.Context, op string) error {
	for range maxDocumentBlocks + 1 {
		block, err := d.call(ctx, op, CmdFNReadTLV, pwd(d.opt.AdminPassword))
		if fiscal.CodeOf(err) != 0 || err == nil && len(block) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tag sends one TLV with FF0C or FF4D.
func (d *Device) tag(ctx context.Context, op string, c Cmd, t fiscal.Tag) error {
	if t.Len() > maxTLVPerCommand {
		return &fiscal.Error{Op: op, Cmd: uint16(c), Kind: fiscal.KindProgram, Err: fmt.Errorf("tag %d is %d bytes, more than %d", t.Num, t.Len(), maxTLVPerCommand)}
	}
	_, err := d.call(ctx, op, c, t.Append(pwd(d.opt.AdminPassword)))
	return err
}
