package emulator

import (
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// Commands of this file and of discount.go that fiscal/shtrih does not name.
const (
	cmdSetExchange  shtrih.Cmd = 0x14
	cmdGetExchange  shtrih.Cmd = 0x15
	cmdMoneyReg     shtrih.Cmd = 0x1A
	cmdOperReg      shtrih.Cmd = 0x1B
	cmdWriteTable   shtrih.Cmd = 0x1E
	cmdSetTime      shtrih.Cmd = 0x21
	cmdSetDate      shtrih.Cmd = 0x22
	cmdConfirmDate  shtrih.Cmd = 0x23
	cmdTableInfo    shtrih.Cmd = 0x2D
	cmdFieldInfo    shtrih.Cmd = 0x2E
	cmdDiscount     shtrih.Cmd = 0x86
	cmdMarkup       shtrih.Cmd = 0x87
	cmdVoidDiscount shtrih.Cmd = 0x8A
	cmdVoidMarkup   shtrih.Cmd = 0x8B
	cmdEAN13        shtrih.Cmd = 0xC2
	cmdBarcode      shtrih.Cmd = 0xCB
)

// Clock answer codes.
const (
	codeDateMismatch fiscal.Code = 0x7C // Не совпадает дата
	codeBadDate      fiscal.Code = 0x7D // Неверный формат даты
)

// kinds are the receipt types 0..3 of the register numbering (sale, buy,
// sale return, buy return) as settlement signs.
var kinds = [4]fiscal.ReceiptKind{fiscal.Sale, fiscal.Buy, fiscal.SaleReturn, fiscal.BuyReturn}

// shiftDocs are the receipts of the open shift (none when it is closed).
func (e *Emulator) shiftDocs() []Doc {
	if !e.st.ShiftOpen {
		return nil
	}
	var out []Doc
	for _, d := range e.st.Docs {
		if d.Type == fiscal.DocReceipt && d.Shift == e.st.ShiftNumber {
			out = append(out, d)
		}
	}
	return out
}

// byDept sums f over the lines of department dept (1..16; lines of free
// sale, department 0, count in 1) in receipts of kind k,
// the open receipt's (in receipt) or the shift's.
func (e *Emulator) byDept(inReceipt bool, dept, k int, f func(Line) int64) int64 {
	var v int64
	add := func(kind fiscal.ReceiptKind, lines []Line) {
		if kind != kinds[k] {
			return
		}
		for _, l := range lines {
			if l.Dept == dept || l.Dept == 0 && dept == 1 { // free sale (0) counts in department 1

				v += f(l)
			}
		}
	}
	if inReceipt {
		if r := e.st.Receipt; r != nil {
			add(r.Kind(), r.Lines)
		}
		return v
	}
	for _, d := range e.shiftDocs() {
		add(d.Kind, d.Lines)
	}
	return v
}

// byKind sums f over the shift's receipts of kind k.
func (e *Emulator) byKind(k int, f func(Doc) int64) int64 {
	var v int64
	for _, d := range e.shiftDocs() {
		if d.Kind == kinds[k] {
			v += f(d)
		}
	}
	return v
}

func lineSum(l Line) int64 { return l.Sum }
func lineOne(Line) int64   { return 1 }

// moneyRegister is the money register n as the vendor numbers them: 0..63
// the open receipt by department (4 a department: sale, buy, sale return,
// buy return), 64..71 its discounts and markups by kind, 121..184 the
// shift by department, 185..192 the shift's discounts and markups, 193..196
// and 197..200 its cash and non-cash (type 2) payments by kind, 241 cash
// in the drawer, 242 and 243 cash in and out in the shift, 245..248 the
// shift's totals by kind. Others are zero.
func (e *Emulator) moneyRegister(n int) int64 {
	switch k := n % 4; {
	case n < 64:
		return e.byDept(true, n/4+1, k, lineSum)
	case n < 72:
		return e.receiptAdjust(n >= 68, k)
	case n >= 121 && n < 185:
		return e.byDept(false, (n-121)/4+1, (n-121)%4, lineSum)
	case n >= 185 && n < 201:
		return e.byKind((n-185)%4, [...]func(Doc) int64{docDiscount, docMarkup, docCash, docCard}[(n-185)/4])
	case n == 241:
		return e.st.Cash
	case n == 242:
		return e.st.Totals.CashIn
	case n == 243:
		return e.st.Totals.CashOut
	case n >= 245 && n <= 248:
		return e.byKind(n-245, func(d Doc) int64 { return d.Sum })
	}
	return 0
}

func docDiscount(d Doc) int64 { return d.Discount }
func docMarkup(d Doc) int64   { return d.Markup }
func docCash(d Doc) int64     { return d.Cash }
func docCard(d Doc) int64     { return d.Card }
func docOne(Doc) int64        { return 1 }

func positive(v int64) int64 {
	if v > 0 {
		return 1
	}
	return 0
}

// operRegister is the operating register n: 0..63 and 64..127 the
// operations by department in the open receipt and in the shift, 136..143
// the shift's discounts and markups by kind, 144..147 its receipts by
// kind, 148..151 the receipt number, 152 the document number, 153 and 154
// cash ins and outs in the shift, 159 the last Z report. Others are zero.
func (e *Emulator) operRegister(n int) int {
	t := e.st.Totals
	switch {
	case n < 64:
		return int(e.byDept(true, n/4+1, n%4, lineOne))
	case n < 128:
		return int(e.byDept(false, (n-64)/4+1, n%4, lineOne))
	case n >= 136 && n < 152:
		return e.shiftCounts(n)
	case n == 152:
		return e.st.DocNumber
	case n == 153:
		return t.NCashIn
	case n == 154:
		return t.NOut
	case n == 159:
		return e.lastZ()
	}
	return 0
}

// shiftCounts are operating registers 136..151: discounts, markups and
// receipts of the shift by kind, and the receipt number.
func (e *Emulator) shiftCounts(n int) int {
	switch {
	case n < 140:
		return int(e.byKind(n%4, func(d Doc) int64 { return positive(d.Discount) }))
	case n < 144:
		return int(e.byKind(n%4, func(d Doc) int64 { return positive(d.Markup) }))
	case n < 148:
		return int(e.byKind(n-144, docOne))
	}
	return e.st.ReceiptNumber
}

// lastZ is the number of the last shift closed.
func (e *Emulator) lastZ() int {
	if e.st.ShiftOpen {
		return e.st.ShiftNumber - 1
	}
	return e.st.ShiftNumber
}

// moneyReg is 1Ah: register number (1 byte, or 2 for a K-register, which
// the emulator does not keep: 33h above 255) → operator, value (6 bytes).
func (e *Emulator) moneyReg(op int, args []byte) answer {
	if len(args) < 1 {
		return fail(fiscal.CodeBadLength)
	}
	n := int(shtrih.Uint(args[:min(2, len(args))]))
	if n > 255 {
		return fail(codeBadParams)
	}
	return ok(cat([]byte{byte(op)}, shtrih.PutUint(nil, uint64(e.moneyRegister(n)), 6))...)
}

// operReg is 1Bh: register number (1 byte) → operator, value (2 bytes).
func (e *Emulator) operReg(op int, args []byte) answer {
	if len(args) < 1 {
		return fail(fiscal.CodeBadLength)
	}
	return ok(cat([]byte{byte(op)}, u16(e.operRegister(int(args[0]))))...)
}

// setExchange is 14h: port (0..2), speed code (0..6: 2400..115200 baud),
// byte timeout code.
func (e *Emulator) setExchange(op int, args []byte) answer {
	switch {
	case op != 30:
		return fail(fiscal.CodeBadPassword)
	case len(args) < 3:
		return fail(fiscal.CodeBadLength)
	case int(args[0]) >= len(e.st.Exchange) || args[1] > 6:
		return fail(codeBadParams)
	}
	e.st.Exchange[args[0]] = Exchange{Speed: args[1], Timeout: args[2]}
	return ok()
}

// getExchange is 15h: port → speed code, byte timeout code.
func (e *Emulator) getExchange(op int, args []byte) answer {
	switch {
	case op != 30:
		return fail(fiscal.CodeBadPassword)
	case len(args) < 1:
		return fail(fiscal.CodeBadLength)
	case int(args[0]) >= len(e.st.Exchange):
		return fail(codeBadParams)
	}
	x := e.st.Exchange[args[0]]
	return ok(x.Speed, x.Timeout)
}

// clockCheck is the precondition of programming the clock: the system
// administrator, no receipt open; for the date, the shift closed too.
func (e *Emulator) clockCheck(op int, args []byte, date bool) fiscal.Code {
	switch {
	case op != 30:
		return fiscal.CodeBadPassword
	case len(args) < 3:
		return fiscal.CodeBadLength
	case e.st.Receipt != nil:
		return fiscal.CodeReceiptOpen
	case date && e.st.ShiftOpen:
		return fiscal.CodeShiftOpen
	}
	return 0
}

// setTime is 21h: HH MM SS; the device clock moves to it today.
func (e *Emulator) setTime(op int, args []byte) answer {
	if c := e.clockCheck(op, args, false); c != 0 {
		return fail(c)
	}
	if args[0] > 23 || args[1] > 59 || args[2] > 59 {
		return fail(codeBadParams)
	}
	now := e.now()
	y, m, d := now.Date()
	e.offset += time.Date(y, m, d, int(args[0]), int(args[1]), int(args[2]), 0, now.Location()).Sub(now)
	return ok()
}

// dateArg reads DD MM YY, false when it is no date.
func dateArg(b []byte, loc *time.Location) (time.Time, bool) {
	t := time.Date(2000+int(b[2]), time.Month(b[1]), int(b[0]), 0, 0, 0, 0, loc)
	return t, t.Day() == int(b[0]) && int(t.Month()) == int(b[1]) && b[1] >= 1
}

// setDate is 22h: DD MM YY, which waits for 23h (mode 6).
func (e *Emulator) setDate(op int, args []byte) answer {
	if c := e.clockCheck(op, args, true); c != 0 {
		return fail(c)
	}
	t, valid := dateArg(args, e.now().Location())
	if !valid {
		return fail(codeBadDate)
	}
	e.newDate = &t
	return ok()
}

// confirmDate is 23h: the date 22h programmed, again; the device clock
// moves to it, the time of day kept.
func (e *Emulator) confirmDate(op int, args []byte) answer {
	if c := e.clockCheck(op, args, true); c != 0 {
		return fail(c)
	}
	if e.newDate == nil {
		return fail(fiscal.CodeBadMode)
	}
	t, valid := dateArg(args, e.now().Location())
	if !valid || !t.Equal(*e.newDate) {
		e.newDate = nil
		return fail(codeDateMismatch)
	}
	now := e.now()
	y, m, d := now.Date()
	e.offset += t.Sub(time.Date(y, m, d, 0, 0, 0, 0, now.Location()))
	e.newDate = nil
	return ok()
}
