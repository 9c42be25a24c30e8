package emulator

import (
	"math/bits"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// Model data reported by FCh and 26h.
const (
	ModelName  = "ШТРИХ-М-01Ф (эмулятор PayDesk)"
	printWidth = 576 // dots
)

type answer struct {
	cmd  shtrih.Cmd
	code fiscal.Code
	data []byte
}

func (a answer) payload() []byte {
	p := a.cmd.Append(nil)
	p = append(p, byte(a.code))
	if a.code == 0 {
		p = append(p, a.data...)
	}
	return p
}

// Exec executes one command payload and returns the answer payload. It is
// what the link layer calls for a frame it acknowledged.
func (e *Emulator) Exec(p []byte) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	cmd, n, ok := shtrih.CmdOf(p)
	if !ok {
		return []byte{0xFF, byte(fiscal.CodeBadLength)}
	}
	e.executed[cmd]++
	before := e.st.DocNumber
	a := e.exec(cmd, p[n:])
	a.cmd = cmd
	if a.code != 0 {
		e.log.Debug("emulator: command refused", "cmd", cmd, "code", a.code)
	}
	if mutating(cmd) || e.st.DocNumber != before {
		e.saveLocked()
	}
	return a.payload()
}

// mutating reports whether a command may change what the emulator keeps
// (an unknown one is taken to).
func mutating(c shtrih.Cmd) bool {
	h, known := handlers[c]
	return !known || !h.readOnly
}

func ok(data ...byte) answer    { return answer{data: data} }
func fail(c fiscal.Code) answer { return answer{code: c} }
func u16(v int) []byte          { return shtrih.PutUint(nil, uint64(v), 2) }
func u32(v uint32) []byte       { return shtrih.PutUint(nil, uint64(v), 4) }
func money(v int64) []byte      { return shtrih.PutMoney(nil, v) }
func cat(parts ...[]byte) (b []byte) {
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// operator returns the operator number (1..30) whose password this is, 0 if none.
func (e *Emulator) operator(args []byte) int {
	if len(args) < 4 {
		return 0
	}
	p := uint32(shtrih.Uint(args[:4]))
	for i, q := range e.st.Passwords {
		if q == p && p != 0 {
			return i + 1
		}
	}
	return 0
}

// mode is the mode byte (status nibble included).
func (e *Emulator) mode() byte {
	if e.read != nil && e.st.Receipt == nil {
		return 1 // data dump: a document requested with FF3A is being read
	}
	return e.shiftMode()
}

// shiftMode is the mode byte that the receipt and the shift make.
func (e *Emulator) shiftMode() byte {
	switch {
	case e.st.Receipt != nil:
		return byte(e.st.Receipt.Type)<<4 | 8
	case e.newDate != nil:
		return 6 // waiting for the date to be confirmed (23h)
	case !e.st.ShiftOpen:
		return 4
	case e.now().Sub(e.st.ShiftOpened) > 24*time.Hour:
		return 3
	}
	return 2
}

func (e *Emulator) submode() int {
	if !e.busyUntil.IsZero() && time.Now().Before(e.busyUntil) {
		return e.busySub
	}
	return e.st.Submode
}

// printCheck is the precondition of anything that prints.
func (e *Emulator) printCheck() fiscal.Code {
	switch sm := e.submode(); {
	case sm == 4 || sm == 5:
		return fiscal.CodeBusyPrinting
	case sm == 3:
		return fiscal.CodeWaitContinue
	case sm == 1 || sm == 2 || !e.st.Paper:
		return fiscal.CodeNoPaper
	case e.st.Cover:
		return fiscal.CodeCoverOpen
	}
	return 0
}

// shiftCheck demands an open shift younger than 24 hours and no open receipt.
func (e *Emulator) shiftCheck(receiptOK bool) fiscal.Code {
	switch m := e.shiftMode() & 0x0F; {
	case m == 8 && !receiptOK:
		return fiscal.CodeReceiptOpen
	case m == 8:
		return 0
	case m == 4:
		return fiscal.CodeShiftNotOpen
	case m == 3:
		return fiscal.CodeShiftOver24h
	}
	return 0
}

func (e *Emulator) busy(sub int) {
	if e.cfg.PrintTime > 0 {
		e.busyUntil, e.busySub = time.Now().Add(e.cfg.PrintTime), sub
	}
}

func (e *Emulator) fnFault(cmd shtrih.Cmd) bool {
	return e.hasFault(FaultFNNoAnswer, cmd)
}

// handler is one command of the table: what answers it, and what the
// dispatch checks first.
type handler struct {
	// run answers the command: op is the operator the password matched (0
	// for an open command), args what follows the password.
	run func(e *Emulator, cmd shtrih.Cmd, op int, args []byte) answer
	// open commands take no password: args are the command's own.
	open bool
	// readOnly commands change nothing the emulator keeps (the tape is a
	// file of its own; a document read is not kept).
	readOnly bool
}

// handlers is the command table.
var handlers map[shtrih.Cmd]handler

func init() {
	byOp := func(f func(e *Emulator, op int) answer) func(*Emulator, shtrih.Cmd, int, []byte) answer {
		return func(e *Emulator, _ shtrih.Cmd, op int, _ []byte) answer { return f(e, op) }
	}
	byArgs := func(f func(e *Emulator, args []byte) answer) func(*Emulator, shtrih.Cmd, int, []byte) answer {
		return func(e *Emulator, _ shtrih.Cmd, _ int, args []byte) answer { return f(e, args) }
	}
	byOpArgs := func(f func(e *Emulator, op int, args []byte) answer) func(*Emulator, shtrih.Cmd, int, []byte) answer {
		return func(e *Emulator, _ shtrih.Cmd, op int, args []byte) answer { return f(e, op, args) }
	}
	plain := func(f func(e *Emulator) answer) func(*Emulator, shtrih.Cmd, int, []byte) answer {
		return func(e *Emulator, _ shtrih.Cmd, _ int, _ []byte) answer { return f(e) }
	}
	handlers = map[shtrih.Cmd]handler{
		shtrih.CmdErrorText:   {run: byArgs((*Emulator).errorTextCmd), open: true, readOnly: true},
		shtrih.CmdModelParams: {run: byArgs((*Emulator).modelParams), open: true, readOnly: true},
		shtrih.CmdDeviceType:  {run: plain((*Emulator).deviceType), open: true, readOnly: true},

		shtrih.CmdShortStatus: {run: byOp((*Emulator).shortStatus), readOnly: true},
		shtrih.CmdFullStatus:  {run: byOp((*Emulator).fullStatus), readOnly: true},
		shtrih.CmdBeep:        {run: byOp(operatorOnly), readOnly: true},
		shtrih.CmdDrawer:      {run: byOp(operatorOnly), readOnly: true},
		shtrih.CmdFontParams:  {run: byArgs((*Emulator).fontParams), readOnly: true},
		shtrih.CmdPrintLine:   {run: (*Emulator).printLine, readOnly: true},
		shtrih.CmdPrintBold:   {run: (*Emulator).printLine, readOnly: true},
		shtrih.CmdPrintFont:   {run: (*Emulator).printLine, readOnly: true},
		shtrih.CmdFeed:        {run: byOpArgs((*Emulator).feed), readOnly: true},
		shtrih.CmdCut:         {run: byOp((*Emulator).cut), readOnly: true},
		shtrih.CmdXReport:     {run: byOp((*Emulator).xReportCmd)},
		shtrih.CmdZReport:     {run: byOp((*Emulator).zReport)},
		shtrih.CmdCashIn:      {run: (*Emulator).cash},
		shtrih.CmdCashOut:     {run: (*Emulator).cash},
		shtrih.CmdSale:        {run: (*Emulator).legacySale},
		0x81:                  {run: (*Emulator).legacySale},
		0x82:                  {run: (*Emulator).legacySale},
		0x83:                  {run: (*Emulator).legacySale},
		shtrih.CmdCloseLegacy: {run: byOpArgs((*Emulator).legacyClose)},
		shtrih.CmdCancel:      {run: byOp((*Emulator).cancel)},
		shtrih.CmdSubtotal:    {run: byOp((*Emulator).subtotal), readOnly: true},
		shtrih.CmdRepeat:      {run: byOp((*Emulator).repeat)},
		shtrih.CmdOpenReceipt: {run: byOpArgs((*Emulator).openReceipt)},
		shtrih.CmdContinue:    {run: byOp((*Emulator).continuePrint)},
		shtrih.CmdOpenShift:   {run: byOp((*Emulator).openShiftCmd)},

		shtrih.CmdReadTable: {run: byOpArgs((*Emulator).readTable), readOnly: true},
		cmdWriteTable:       {run: byOpArgs((*Emulator).writeTable)},
		cmdTableInfo:        {run: byOpArgs((*Emulator).tableInfo), readOnly: true},
		cmdFieldInfo:        {run: byOpArgs((*Emulator).fieldInfo), readOnly: true},
		cmdMoneyReg:         {run: byOpArgs((*Emulator).moneyReg), readOnly: true},
		cmdOperReg:          {run: byOpArgs((*Emulator).operReg), readOnly: true},
		cmdSetExchange:      {run: byOpArgs((*Emulator).setExchange)},
		cmdGetExchange:      {run: byOpArgs((*Emulator).getExchange), readOnly: true},
		cmdSetTime:          {run: byOpArgs((*Emulator).setTime)},
		cmdSetDate:          {run: byOpArgs((*Emulator).setDate)},
		cmdConfirmDate:      {run: byOpArgs((*Emulator).confirmDate)},
		cmdDiscount:         {run: (*Emulator).adjust},
		cmdMarkup:           {run: (*Emulator).adjust},
		cmdVoidDiscount:     {run: (*Emulator).adjust},
		cmdVoidMarkup:       {run: (*Emulator).adjust},
		cmdEAN13:            {run: byOpArgs((*Emulator).printEAN13), readOnly: true},
		cmdBarcode:          {run: byOpArgs((*Emulator).printerBarcode), readOnly: true},
		shtrih.CmdLoadData:  {run: byOpArgs((*Emulator).loadData), readOnly: true},
		shtrih.CmdPrint2D:   {run: byOpArgs((*Emulator).print2D), readOnly: true},

		shtrih.CmdFNOpenShift:    {run: byOp((*Emulator).fnOpenShift)},
		shtrih.CmdFNStatus:       {run: plain((*Emulator).fnStatus), readOnly: true},
		shtrih.CmdFNNumber:       {run: plain((*Emulator).fnNumber), readOnly: true},
		shtrih.CmdFNExpiry:       {run: plain((*Emulator).fnExpiry), readOnly: true},
		shtrih.CmdFNVersion:      {run: plain(fnVersion), readOnly: true},
		shtrih.CmdFNCancelDoc:    {run: plain((*Emulator).fnCancelDoc)},
		shtrih.CmdFNFindDoc:      {run: byArgs((*Emulator).findDoc), readOnly: true},
		shtrih.CmdFNDocTLV:       {run: byArgs((*Emulator).requestDocTLV), readOnly: true},
		shtrih.CmdFNReadTLV:      {run: plain((*Emulator).readDocTLV), readOnly: true},
		shtrih.CmdFNRegTag:       {run: byArgs((*Emulator).regTag), readOnly: true},
		shtrih.CmdDocTag:         {run: byArgs((*Emulator).docTag)},
		shtrih.CmdOFDStatus:      {run: plain((*Emulator).ofdStatus), readOnly: true},
		shtrih.CmdFNResource:     {run: plain((*Emulator).resource), readOnly: true},
		shtrih.CmdOFDUnsent:      {run: plain((*Emulator).ofdUnsent), readOnly: true},
		shtrih.CmdFNRegistration: {run: plain((*Emulator).registration), readOnly: true},
		shtrih.CmdShiftParams:    {run: plain((*Emulator).shiftParams), readOnly: true},
		shtrih.CmdBeginOpen:      {run: plain((*Emulator).beginOpen)},
		shtrih.CmdBeginClose:     {run: plain((*Emulator).beginClose)},
		shtrih.CmdFNCloseShift:   {run: byOp((*Emulator).fnCloseShift)},
		shtrih.CmdOperation:      {run: byOpArgs((*Emulator).operation)},
		shtrih.CmdOperationTag:   {run: byArgs((*Emulator).operationTag)},
		shtrih.CmdCloseReceipt:   {run: byOpArgs((*Emulator).closeReceiptFF45)},
		shtrih.CmdFNCorrection:   {run: byOp((*Emulator).beginCorrection)},
		shtrih.CmdCorrectionV2:   {run: byOpArgs((*Emulator).correctionV2)},
	}
}

// exec answers one command by the table: an open command at once; any
// other after its password (refused when no operator has it), with the
// fiscal drive's fault armed for FN commands; a command not in the table
// is not supported.
func (e *Emulator) exec(cmd shtrih.Cmd, args []byte) answer {
	h, known := handlers[cmd]
	if known && h.open {
		return h.run(e, cmd, 0, args)
	}
	op := e.operator(args)
	if op == 0 {
		if len(args) < 4 {
			return fail(fiscal.CodeBadLength)
		}
		return fail(fiscal.CodeBadPassword)
	}
	args = args[4:]
	if cmd.Long() && e.fnFault(cmd) {
		return fail(fiscal.CodeFNNoAnswer)
	}
	if !known {
		return fail(fiscal.CodeNotSupported)
	}
	return h.run(e, cmd, op, args)
}

// operatorOnly answers with the operator's number alone (beep, drawer).
func operatorOnly(_ *Emulator, op int) answer { return ok(byte(op)) }

func (e *Emulator) errorTextCmd(args []byte) answer {
	if len(args) < 1 {
		return fail(fiscal.CodeBadLength)
	}
	return ok(shtrih.PutText(nil, errorText(fiscal.Code(args[0])), 0)...)
}

func (e *Emulator) deviceType() answer {
	return ok(cat([]byte{0, 0, 1, 17, 19, 0}, shtrih.PutText(nil, ModelName, 0))...)
}

func (e *Emulator) fontParams(args []byte) answer {
	if len(args) < 1 || args[0] < 1 || args[0] > 2 {
		return fail(0x33)
	}
	w := byte(printWidth / e.cfg.LineWidth)
	if args[0] == 2 {
		w *= 2
	}
	return ok(cat(u16(printWidth), []byte{w, 24, 2})...)
}

func (e *Emulator) feed(op int, args []byte) answer {
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	if len(args) >= 2 {
		for i := 0; i < int(args[1]) && i < 50; i++ {
			e.print("")
		}
	}
	return ok(byte(op))
}

func (e *Emulator) cut(op int) answer {
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	e.print("- - - - - - - - - - - - - - - - - - - - - - - ✂")
	return ok(byte(op))
}

// xReportCmd is 40h: the administrators (29, 30) and, when the model
// parameters say so (F7h bit 33), the senior cashier (28).
func (e *Emulator) xReportCmd(op int) answer {
	if op < 28 || op == 28 && e.cfg.NoSeniorCashierReports {
		return fail(fiscal.CodeBadPassword)
	}
	return e.xReport(op)
}

func (e *Emulator) zReport(op int) answer {
	if op < 29 {
		return fail(fiscal.CodeBadPassword)
	}
	if a := e.closeShift(op); a.code != 0 {
		return a
	}
	return ok(byte(op))
}

func (e *Emulator) cancel(op int) answer {
	if e.st.Receipt == nil {
		return fail(fiscal.CodeReceiptClosed)
	}
	e.cancelReceipt()
	return ok(byte(op))
}

func (e *Emulator) subtotal(op int) answer {
	if e.st.Receipt == nil {
		return fail(fiscal.CodeReceiptClosed)
	}
	return ok(cat([]byte{byte(op)}, money(e.st.Receipt.Total()))...)
}

func (e *Emulator) repeat(op int) answer {
	if len(e.st.LastPrinted) == 0 {
		return fail(fiscal.CodeNothingToRepeat)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	e.print(center("ПОВТОР ДОКУМЕНТА", e.cfg.LineWidth))
	e.printAll(e.st.LastPrinted)
	return ok(byte(op))
}

func (e *Emulator) openReceipt(op int, args []byte) answer {
	if c := e.shiftCheck(false); c != 0 {
		return fail(c)
	}
	if c := e.fnCheck(); c != 0 {
		return fail(c)
	}
	if len(args) < 1 || args[0]&0x7F > 3 || args[0]&0x70 != 0 || args[0]&0x80 != 0 && !e.ffd12() {
		return fail(0x33) // 80h–83h, the correction receipts with lines, are FFD 1.2's
	}
	e.st.Receipt = &Receipt{Type: int(args[0]), Operator: op}
	return ok(byte(op))
}

func (e *Emulator) continuePrint(op int) answer {
	if e.st.Submode != 3 {
		return ok(byte(op))
	}
	e.st.Submode = 0
	e.print(center("ПРОДОЛЖЕНИЕ ПЕЧАТИ", e.cfg.LineWidth))
	e.printAll(e.st.Interrupted)
	e.st.Interrupted = nil
	e.busy(5)
	return ok(byte(op))
}

func (e *Emulator) openShiftCmd(op int) answer {
	if a := e.openShift(op); a.code != 0 {
		return a
	}
	return ok(byte(op))
}

// fnOpenShift and fnCloseShift answer with the shift's report: its
// number, FD and FP.
func (e *Emulator) fnOpenShift(op int) answer { return e.shiftReport(e.openShift(op)) }

func (e *Emulator) fnCloseShift(op int) answer { return e.shiftReport(e.closeShift(op)) }

func (e *Emulator) shiftReport(a answer) answer {
	if a.code != 0 {
		return a
	}
	d := e.st.Docs[len(e.st.Docs)-1]
	return ok(cat(u16(d.Shift), u32(d.FD), u32(d.FP))...)
}

func (e *Emulator) fnNumber() answer { return ok([]byte(pad16(e.st.FN))...) }

func fnVersion(*Emulator) answer { return ok(append([]byte(pad16("fn-emu 1.0")), 1)...) }

func (e *Emulator) fnCancelDoc() answer {
	if e.st.Receipt != nil {
		e.cancelReceipt()
	}
	e.st.BeginOpen, e.st.BeginClose, e.st.ShiftTags = false, false, nil
	return ok()
}

func ofdUnsent(*Emulator) answer { return ok(u16(0)...) }

func (e *Emulator) shiftParams() answer {
	var open byte
	if e.st.ShiftOpen {
		open = 1
	}
	return ok(cat([]byte{open}, u16(e.st.ShiftNumber), u16(e.st.ReceiptNumber))...)
}

func (e *Emulator) beginOpen() answer {
	if e.st.ShiftOpen {
		return fail(fiscal.CodeShiftOpen)
	}
	if e.st.Receipt != nil {
		return fail(fiscal.CodeReceiptOpen)
	}
	e.st.BeginOpen, e.st.ShiftTags = true, nil
	return ok()
}

func (e *Emulator) beginClose() answer {
	if !e.st.ShiftOpen {
		return fail(fiscal.CodeShiftNotOpen)
	}
	if e.st.Receipt != nil {
		return fail(fiscal.CodeReceiptOpen)
	}
	e.st.BeginClose, e.st.ShiftTags = true, nil
	return ok()
}

func pad16(s string) string {
	for len(s) < 16 {
		s += " "
	}
	return s[:16]
}

func errorText(c fiscal.Code) string {
	text := c.Msg().In("ru")
	if !c.Known() || c < 0x20 || c == 0xA4 {
		return text // unknown, or already "ФН: …"
	}
	return "ККТ: " + text
}

// modelParams is F7h type 1, the model parameters (33 bytes, as the
// vendor's captured answer): flags (8),
// font 1 and 2 widths, first graphics line, INN digits, RNM digits, long
// RNM digits, long serial digits, tax inspector's and system
// administrator's default passwords (4 each), the Bluetooth table, the
// tax calculation field of table 1, the maximum command length (2), the
// graphics line width and the graphics-512 line width (1 each) and lines
// (2), the fiscal drive's and the OFD's table numbers (1 each, 0 none; the
// vendor's newer driver reads them when present). Flags: cutter (13), 6Bh (36) and, unless
// Config.NoSeniorCashierReports, the senior cashier's reports (33).
func (e *Emulator) modelParams(args []byte) answer {
	if len(args) < 1 || args[0] != 1 {
		return fail(0x33)
	}
	var flags uint64 = 1<<13 | 1<<36 // cutter, 6Bh available
	if !e.cfg.NoSeniorCashierReports {
		flags |= 1 << 33
	}
	b := shtrih.PutUint(nil, flags, 8)
	b = append(b, byte(e.cfg.LineWidth), byte(e.cfg.LineWidth/2)) // font 1 and 2 widths
	b = append(b, 0, 12, 10, 16, 16)                              // first graphics line; INN, RNM, long RNM, long serial digits
	b = append(b, u32(0)...)                                      // default tax inspector password
	b = append(b, u32(30)...)                                     // default sysadmin password
	b = append(b, 0, 14)                                          // no Bluetooth table; table 1 field 14 tax calculation
	b = append(b, u16(shtrih.MaxPayload)...)                      // maximum command length
	b = append(b, 72, 0, 0, 0)                                    // graphics line width; no graphics-512
	b = append(b, 18, 0)                                          // fiscal drive table 18; no OFD table
	return ok(b...)
}

func (e *Emulator) flags() uint16 {
	f := uint16(0x0010 | 0x0200) // decimal point, receipt head lever down
	if e.st.Paper {
		f |= 0x0002 | 0x0080
	}
	if e.st.Cover {
		f |= 0x0400
	}
	return f
}

func (e *Emulator) ops() int {
	if e.st.Receipt == nil {
		return 0
	}
	return len(e.st.Receipt.Lines)
}

func (e *Emulator) shortStatus(op int) answer {
	ops := e.ops()
	return ok(cat([]byte{byte(op)}, u16(int(e.flags())),
		[]byte{e.mode(), byte(e.submode()), byte(ops), 0x9F, 0xE5, 0, 0, byte(ops >> 8), 0, 0, 0})...)
}

func (e *Emulator) fullStatus(op int) answer {
	now := e.now()
	b := []byte{byte(op), '1', '0'}
	b = append(b, u16(0x0101)...)              // build
	b = append(b, 26, 11, 26)                  // firmware date
	b = append(b, 1)                           // hall
	b = append(b, u16(e.st.DocNumber)...)      // current document
	b = append(b, u16(int(e.flags()))...)      // flags
	b = append(b, e.mode(), byte(e.submode())) // mode, submode
	b = append(b, 1)                           // port
	b = append(b, '1', '0')                    // FM version
	b = append(b, u16(0x0101)...)              // FM build
	b = append(b, 26, 11, 26)                  // FM date
	b = shtrih.PutDate(b, now)
	b = shtrih.PutTime(b, now)
	b = append(b, 0)                              // FM flags
	b = append(b, u32(serialLow(e.st.Serial))...) // serial
	last := e.st.ShiftNumber
	if e.st.ShiftOpen {
		last--
	}
	b = append(b, u16(last)...)
	b = append(b, u16(0xFFFF)...) // free FM records
	b = append(b, 1, 0)           // registrations done, left
	b = shtrih.PutUint(b, uint64(atoi(e.st.INN)), 6)
	return ok(b...)
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
		}
	}
	return n
}

func serialLow(s string) uint32 { return uint32(atoi(s)) }

func (e *Emulator) fnStatus() answer {
	var doc, data, shift byte
	if e.st.Receipt != nil {
		doc, data = 0x04, 1
	}
	if e.st.ShiftOpen {
		shift = 1
	}
	b := []byte{0x03, doc, data, shift, e.warnings()}
	b = shtrih.PutDateTime(b, e.now())
	b = append(b, []byte(pad16(e.st.FN))...)
	b = append(b, u32(e.st.LastFD)...)
	return ok(b...)
}

func (e *Emulator) findDoc(args []byte) answer {
	if len(args) < 4 {
		return fail(fiscal.CodeBadLength)
	}
	d, found := e.doc(uint32(shtrih.Uint(args[:4])))
	if !found {
		return fail(codeNoData)
	}
	b := []byte{byte(d.Type), 0}
	b = shtrih.PutDateTime(b, d.Time)
	b = append(b, u32(d.FD)...)
	b = append(b, u32(d.FP)...)
	switch d.Type {
	case fiscal.DocReceipt, fiscal.DocCorrection:
		b = append(b, byte(d.Kind))
		b = append(b, money(d.Sum)...)
	case fiscal.DocShiftOpen, fiscal.DocShiftClose:
		b = append(b, u16(d.Shift)...)
	}
	return ok(b...)
}

// oneTLV checks that b is exactly one well-formed TLV (structures included).
func oneTLV(b []byte) (fiscal.Tag, fiscal.Code) {
	if len(b) > 250 {
		return fiscal.Tag{}, 0x10
	}
	tags, err := fiscal.DecodeTags(b)
	if err != nil || len(tags) != 1 {
		return fiscal.Tag{}, 0x01
	}
	t := tags[0]
	if isStruct(t.Num) {
		if _, err := t.Children(); err != nil {
			return fiscal.Tag{}, 0x01
		}
	}
	return t, 0
}

func isStruct(n uint16) bool {
	switch n {
	case 1059, 1084, 1223, 1224, 1174, 1234:
		return true
	}
	return false
}

func (e *Emulator) docTag(args []byte) answer {
	t, c := oneTLV(args)
	if c != 0 {
		return fail(c)
	}
	switch {
	case e.st.Receipt != nil:
		e.st.Receipt.Tags = append(e.st.Receipt.Tags, t)
	case e.st.BeginOpen || e.st.BeginClose:
		e.st.ShiftTags = append(e.st.ShiftTags, t)
	default:
		return fail(fiscal.CodeFNState)
	}
	return ok()
}

func (e *Emulator) operationTag(args []byte) answer {
	t, c := oneTLV(args)
	if c != 0 {
		return fail(c)
	}
	r := e.st.Receipt
	if r == nil || len(r.Lines) == 0 {
		return fail(fiscal.CodeFNState)
	}
	l := &r.Lines[len(r.Lines)-1]
	l.Tags = append(l.Tags, t)
	return ok()
}

func (e *Emulator) printLine(cmd shtrih.Cmd, op int, args []byte) answer {
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	if len(args) < 1 {
		return fail(fiscal.CodeBadLength)
	}
	flags, text := args[0], args[1:]
	if cmd == shtrih.CmdPrintFont {
		if len(text) < 1 {
			return fail(fiscal.CodeBadLength)
		}
		text = text[1:]
	}
	if flags&0x02 != 0 || flags == 0 {
		s := []rune(printable(shtrih.Text(text)))
		if cmd == shtrih.CmdPrintBold {
			s = []rune(spaced(string(s)))
		}
		for len(s) > e.cfg.LineWidth {
			e.print(string(s[:e.cfg.LineWidth]))
			s = s[e.cfg.LineWidth:]
		}
		e.print(string(s))
	}
	return ok(byte(op))
}

func printable(s string) string {
	r := []rune(s)
	out := r[:0]
	for _, c := range r {
		if c >= 32 {
			out = append(out, c)
		}
	}
	return string(out)
}

func spaced(s string) string {
	var out []rune
	for i, c := range s {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, c)
	}
	return string(out)
}

func (e *Emulator) cash(cmd shtrih.Cmd, op int, args []byte) answer {
	if e.st.NoCashOps {
		return fail(fiscal.CodeNotSupported)
	}
	if c := e.shiftCheck(false); c != 0 {
		return fail(c)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	if len(args) < 5 {
		return fail(fiscal.CodeBadLength)
	}
	sum := shtrih.Money(args[:5])
	if sum <= 0 {
		return fail(0x33)
	}
	title := "ВНЕСЕНИЕ"
	if cmd == shtrih.CmdCashOut {
		if sum > e.st.Cash {
			return fail(fiscal.CodeNoCash)
		}
		e.st.Cash -= sum
		e.st.Totals.CashOut += sum
		e.st.Totals.NOut++
		title = "ВЫПЛАТА"
	} else {
		e.st.Cash += sum
		e.st.Totals.CashIn += sum
		e.st.Totals.NCashIn++
	}
	e.st.DocNumber++
	doc := e.header()
	doc = append(doc, center(title, e.cfg.LineWidth),
		lr(e.docLine(), e.now().Format("02.01.06 15:04"), e.cfg.LineWidth),
		lr("КАССИР", e.st.Names[op-1], e.cfg.LineWidth),
		lr("СУММА", "="+rub(sum), e.cfg.LineWidth),
		lr("НАЛИЧНЫХ В КАССЕ", "="+rub(e.st.Cash), e.cfg.LineWidth))
	e.printDoc(doc)
	e.busy(5)
	return ok(cat([]byte{byte(op)}, u16(e.st.DocNumber))...)
}

func (e *Emulator) docLine() string { return "ДОК. " + itoa(e.st.DocNumber) }

// newDoc adds a fiscal document to the fiscal drive.
func (e *Emulator) newDoc(d Doc) Doc {
	e.st.LastFD++
	d.FD = e.st.LastFD
	d.Time = e.now().Truncate(time.Minute)
	d.Shift = e.st.ShiftNumber
	d.FP = fp(e.st.FN, d.FD, d.Time, d.Sum)
	e.st.Docs = append(e.st.Docs, d)
	e.docMade(d)
	if e.cfg.StatePath != "" {
		e.jr.pending = append(e.jr.pending, d) // journaled at the next save
	}
	if len(e.st.Docs) > maxDocs {
		e.st.Docs = append([]Doc(nil), e.st.Docs[len(e.st.Docs)-maxDocs:]...)
	}
	e.st.DocNumber++
	return d
}

func (e *Emulator) openShift(op int) answer {
	if e.st.ShiftOpen {
		return fail(fiscal.CodeShiftOpen)
	}
	if e.st.Receipt != nil {
		return fail(fiscal.CodeReceiptOpen)
	}
	if c := e.fnCheck(); c != 0 {
		return fail(c)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	cashier := e.st.Names[op-1]
	if t, ok := fiscal.Find(e.st.ShiftTags, 1021); ok {
		cashier = t.Text()
	}
	e.st.ShiftOpen = true
	e.st.ShiftNumber++
	e.st.ShiftOpened = e.now()
	e.st.ReceiptNumber = 0
	e.st.Totals = Totals{}
	d := e.newDoc(Doc{Type: fiscal.DocShiftOpen, Tags: docCashier(e.st.ShiftTags, cashier)})
	e.st.BeginOpen, e.st.ShiftTags = false, nil
	doc := e.header()
	doc = append(doc, center("ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ", e.cfg.LineWidth),
		lr("СМЕНА "+itoa(e.st.ShiftNumber), d.Time.Format("02.01.06 15:04"), e.cfg.LineWidth),
		lr("КАССИР", cashier, e.cfg.LineWidth))
	doc = append(doc, e.footer(d)...)
	e.printDoc(doc)
	e.busy(5)
	return ok()
}

func (e *Emulator) report(title string) []string {
	w := e.cfg.LineWidth
	t := e.st.Totals
	doc := e.header()
	doc = append(doc, center(title, w),
		lr("СМЕНА "+itoa(e.st.ShiftNumber), e.now().Format("02.01.06 15:04"), w),
		lr("ЧЕКОВ ПРИХОДА", itoa(t.Count[1]), w), lr("ПРИХОД", "="+rub(t.Sum[1]), w),
		lr("ЧЕКОВ ВОЗВРАТА ПРИХОДА", itoa(t.Count[2]), w), lr("ВОЗВРАТ ПРИХОДА", "="+rub(t.Sum[2]), w),
		lr("НАЛИЧНЫМИ", "="+rub(t.Cash), w), lr("БЕЗНАЛИЧНЫМИ", "="+rub(t.Card), w),
		lr("ВНЕСЕНИЙ "+itoa(t.NCashIn), "="+rub(t.CashIn), w),
		lr("ВЫПЛАТ "+itoa(t.NOut), "="+rub(t.CashOut), w),
		lr("СУММА БЕЗ НДС", rub(t.ByTax[4]), w),
		lr("НАЛИЧНЫХ В КАССЕ", "="+rub(e.st.Cash), w))
	return doc
}

func (e *Emulator) xReport(op int) answer {
	if e.st.Receipt != nil {
		return fail(fiscal.CodeReceiptOpen)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	e.st.DocNumber++
	e.printDoc(e.report("ОТЧЕТ БЕЗ ГАШЕНИЯ"))
	e.busy(4)
	return ok(byte(op))
}

func (e *Emulator) closeShift(op int) answer {
	if e.st.Receipt != nil {
		return fail(fiscal.CodeReceiptOpen)
	}
	if !e.st.ShiftOpen {
		return fail(fiscal.CodeShiftNotOpen)
	}
	if c := e.fnCheck(); c != 0 {
		return fail(c)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	doc := e.report("ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ")
	cashier := e.st.Names[op-1]
	if t, ok := fiscal.Find(e.st.ShiftTags, 1021); ok {
		cashier = t.Text()
	}
	d := e.newDoc(Doc{Type: fiscal.DocShiftClose, Tags: docCashier(e.st.ShiftTags, cashier)})
	doc = append(doc, lr("КАССИР", cashier, e.cfg.LineWidth))
	doc = append(doc, e.footer(d)...)
	e.st.ShiftOpen, e.st.BeginClose, e.st.ShiftTags = false, false, nil
	e.printDoc(doc)
	e.busy(4)
	return ok()
}

func (e *Emulator) cancelReceipt() {
	e.st.Receipt = nil
	if e.st.Paper && e.st.Submode == 0 {
		e.printDoc([]string{center("ЧЕК АННУЛИРОВАН", e.cfg.LineWidth)})
	}
}

// operation is FF46: one receipt line.
func (e *Emulator) operation(op int, args []byte) answer {
	if c := e.lineCheck(); c != 0 {
		return fail(c)
	}
	if r := e.st.Receipt; r != nil && r.Correction {
		return fail(fiscal.CodeFNState) // FFD 1.05's correction has no lines
	}
	if len(args) < 26 {
		return fail(fiscal.CodeBadLength)
	}
	kind := int(args[0])
	qty := int64(shtrih.Uint(args[1:7]))
	price := shtrih.Money(args[7:12])
	taxBits, dept, method, subject := args[22], int(args[23]), int(args[24]), int(args[25])
	name := shtrih.Text(args[26:])
	if kind < 1 || kind > 4 || qty <= 0 || bits.OnesCount8(taxBits&0x3F) != 1 || taxBits&0xC0 != 0 ||
		method < 1 || method > 7 || len(args)-26 > 128 || (dept > 16 && dept != 255) {
		return fail(0x33)
	}
	sum := (price*qty + 500_000) / 1_000_000
	if given := args[12:17]; !isNoValue(given) {
		g := shtrih.Money(given)
		if g-sum > 1 || sum-g > 1 {
			return fail(0x33)
		}
		sum = g
	}
	types := [...]int{0, 0, 2, 1, 3}
	r := e.st.Receipt
	if r == nil {
		r = &Receipt{Type: types[kind], Operator: op}
		e.st.Receipt = r
	} else if r.Type&3 != types[kind] {
		return fail(fiscal.CodeBadOperation)
	}
	r.Lines = append(r.Lines, Line{Op: kind, Qty: qty, Price: price, Sum: sum, TaxBits: taxBits,
		Dept: dept, Method: method, Subject: subject, Name: name})
	return ok()
}

// lineCheck is the precondition of a receipt line: the shift open and
// young, the fiscal drive ready, the printer too.
func (e *Emulator) lineCheck() fiscal.Code {
	if c := e.shiftCheck(true); c != 0 {
		return c
	}
	if c := e.fnCheck(); c != 0 {
		return c
	}
	return e.printCheck()
}

func isNoValue(b []byte) bool {
	for _, c := range b {
		if c != 0xFF {
			return false
		}
	}
	return true
}

// agentCheck returns the missing tag when agent data are incomplete.
func agentCheck(r *Receipt) uint16 {
	_, receiptAgent := fiscal.Find(r.Tags, 1057)
	for _, l := range r.Lines {
		_, lineAgent := fiscal.Find(l.Tags, 1222)
		if !lineAgent && !(receiptAgent && l.Subject == int(fiscal.SubjectPayment)) {
			continue
		}
		if _, ok := fiscal.Find(l.Tags, 1226); !ok {
			return 1226
		}
	}
	return 0
}

// closeReceipt closes the open receipt; it answers change, FD, FP.
func (e *Emulator) closeReceipt(op int, pays [16]int64, taxSystem byte, text string) answer {
	r := e.st.Receipt
	if r == nil {
		return fail(fiscal.CodeReceiptClosed)
	}
	total := r.Total()
	paid, nonCash, c := e.closeCheck(r, pays, taxSystem)
	if c != 0 {
		return fail(c)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	change := paid - total
	cash := pays[0] - change
	kind := r.Kind()
	e.st.ReceiptNumber++
	discount, markup := r.spread()
	d := e.newDoc(Doc{Type: r.docType(), Kind: kind, Sum: total, Number: e.st.ReceiptNumber,
		Tags: r.Tags, Lines: r.Lines, TaxSystem: taxSystem, Cash: cash, Card: nonCash, Discount: discount, Markup: markup})
	t := &e.st.Totals
	t.Count[kind]++
	t.Sum[kind] += total
	sign := int64(1)
	if kind == fiscal.SaleReturn || kind == fiscal.Buy {
		sign = -1
	}
	t.Cash += sign * cash
	t.Card += sign * nonCash
	for _, l := range r.Lines {
		t.ByTax[bits.TrailingZeros8(l.TaxBits)+1] += sign * l.Sum
	}
	e.st.Cash += sign * cash
	doc := e.receiptText(r, d, pays, change, taxSystem, text)
	e.st.Receipt = nil
	if e.hasFault(FaultPaperOutInReceipt, shtrih.CmdCloseReceipt) {
		cut := len(doc) / 2
		e.printAll(doc[:cut])
		e.print(center("****ДОКУМЕНТ НЕДЕЙСТВИТЕЛЕН!****", e.cfg.LineWidth))
		e.st.Paper, e.st.Submode = false, 2
		e.st.Interrupted = doc
		e.st.LastPrinted = doc
		return answer{code: fiscal.CodeNoPaper}
	}
	e.printDoc(doc)
	e.busy(5)
	return ok(cat(money(change), u32(d.FD), u32(d.FP))...)
}

// closeCheck is what closing receipt r with pays and taxSystem demands:
// the fiscal drive ready, payments covering the total (the non-cash ones
// not beyond it), one tax system of the registration, agent roles of the
// registration, the tags the FFD demands; it returns the sum paid and the
// non-cash part.
func (e *Emulator) closeCheck(r *Receipt, pays [16]int64, taxSystem byte) (paid, nonCash int64, c fiscal.Code) {
	if c := e.fnCheck(); c != 0 {
		return 0, 0, c
	}
	total := r.Total()
	if total == 0 {
		return 0, 0, fiscal.CodeZeroTotal
	}
	for i, p := range pays {
		paid += p
		if i > 0 {
			nonCash += p
		}
	}
	switch {
	case paid < total:
		return 0, 0, fiscal.CodePaymentsShort
	case nonCash > total, taxSystem != 0 && bits.OnesCount8(taxSystem) != 1:
		return 0, 0, 0x33
	}
	if c := e.regCheck(r, taxSystem); c != 0 {
		return 0, 0, c
	}
	if c := e.ffdCheck(r); c != 0 {
		return 0, 0, c
	}
	if agentCheck(r) != 0 {
		return 0, 0, fiscal.CodeTagsMissing
	}
	if r.docType() == fiscal.DocCorrection {
		if c := correctionCheck(r.Tags); c != 0 {
			return 0, 0, c
		}
	}
	return paid, nonCash, 0
}

func (e *Emulator) closeReceiptFF45(op int, args []byte) answer {
	if len(args) < 16*5+1+6*5+1 {
		return fail(fiscal.CodeBadLength)
	}
	var pays [16]int64
	for i := range pays {
		pays[i] = shtrih.Money(args[i*5:])
	}
	taxSystem := args[16*5+1+6*5]
	text := shtrih.Text(args[16*5+1+6*5+1:])
	if len(args) > 16*5+1+6*5+1+64 {
		return fail(fiscal.CodeBadLength)
	}
	return e.closeReceipt(op, pays, taxSystem, text)
}

// legacySale is 80h–83h: quantity in thousandths, tax group numbers.
func (e *Emulator) legacySale(cmd shtrih.Cmd, op int, args []byte) answer {
	if len(args) < 5+5+1+4 { // the text may be shorter than 40 bytes, or none
		return fail(fiscal.CodeBadLength)
	}
	kinds := map[shtrih.Cmd]byte{0x80: 1, 0x81: 3, 0x82: 2, 0x83: 4}
	var taxBits byte
	if g := args[11]; g >= 1 && g <= 6 {
		taxBits = 1 << (g - 1)
	} else {
		taxBits = 0x08
	}
	b := []byte{kinds[cmd]}
	b = shtrih.PutUint(b, shtrih.Uint(args[0:5])*1000, 6)
	b = append(b, args[5:10]...)
	b = append(b, shtrih.NoValue...)
	b = append(b, shtrih.NoValue...)
	b = append(b, taxBits, args[10], 4, 1)
	b = append(b, []byte(trimZero(args[15:]))...)
	a := e.operation(op, b)
	if a.code == 0 {
		a.data = []byte{byte(op)}
		if e.ffd12() { // the register gives the legacy line its measure: pieces
			l := &e.st.Receipt.Lines[len(e.st.Receipt.Lines)-1]
			l.Tags = append(l.Tags, fiscal.Byte(2108, 0))
		}
	}
	return a
}

func trimZero(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func (e *Emulator) legacyClose(op int, args []byte) answer {
	if len(args) < 20+2+4 { // the text may be shorter than 40 bytes, or none
		return fail(fiscal.CodeBadLength)
	}
	var pays [16]int64
	for i := 0; i < 4; i++ {
		pays[i] = shtrih.Money(args[i*5:])
	}
	a := e.closeReceipt(op, pays, 0, shtrih.Text(args[26:]))
	if a.code == 0 {
		a.data = append([]byte{byte(op)}, a.data[:5]...)
	}
	return a
}
