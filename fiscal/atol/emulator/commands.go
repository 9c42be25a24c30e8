package emulator

import (
	"time"

	"paydesk/fiscal/atol/wire"
)

// Error codes the emulator answers (docs/atol.md §6).
const (
	errBadMode       byte = 0x66
	errNoPaper       byte = 0x67
	errPaymentsShort byte = 0x72
	errNoCash        byte = 0x98
	errReceiptClosed byte = 0x9A
	errReceiptOpen   byte = 0x9B
	errShiftOpen     byte = 0x9C
	errBadLength     byte = 0x14
	errNoCommand     byte = 0xF2
	errShiftClosed        = errBadMode // no code of its own in the guide: "not in this mode"
)

// Upper-level commands (docs/atol.md §4).
const (
	CmdStatus      byte = 0x3F
	CmdStatusCode  byte = 0x45
	CmdEnterMode   byte = 0x56
	CmdExitMode    byte = 0x48
	CmdOpenShift   byte = 0x9A
	CmdZReport     byte = 0x5A
	CmdXReport     byte = 0x67
	CmdOpenReceipt byte = 0x92
	CmdBeginItem   byte = 0xEA // begin a position: flags, 01h, 00h
	CmdItem        byte = 0xEB // end the position: the item's data (endItem)
	CmdPayment     byte = 0x99
	CmdClose       byte = 0x4A
	CmdCancel      byte = 0x59
	CmdCashIn      byte = 0x49
	CmdCashOut     byte = 0x4F
	CmdPrint       byte = 0x4C
	CmdCut         byte = 0x75
	CmdCash        byte = 0x4D // cash in the drawer: answers 4Dh and the sum (7 BCD)
	CmdFN          byte = 0xA4 // the fiscal drive's queries (sub-commands in fn.go)
)

func ok(data ...byte) []byte { return append([]byte{wire.AnswerOK, 0, 0}, data...) }
func fail(code byte) []byte  { return []byte{wire.AnswerOK, code, 0} }

func sum5(b []byte) (int64, bool) {
	v, err := wire.FromBCD(b)
	return int64(v), err == nil
}

// run executes one upper-level command: password (2 BCD), code, data.
func (e *Emulator) run(cmd []byte) []byte {
	if len(cmd) < 3 {
		return fail(errBadLength)
	}
	code, d := cmd[2], cmd[3:]
	e.executed[code]++
	st := &e.st
	now := e.now()
	need := func(n int) bool { return len(d) >= n }
	switch code {
	case CmdStatus:
		flags := byte(0x01) // fiscalised
		if st.ShiftOpen {
			flags |= 0x02
		}
		if st.Paper {
			flags |= 0x08
		}
		out := []byte{wire.AnswerDev, 0x01, 0x01}
		out = append(out, wire.DateBCD(now)...)
		out = append(out, wire.TimeBCD(now)...)
		out = append(out, flags)
		out = append(out, wire.BCD(12345678, 4)...)
		out = append(out, 0x43, 0x03, 0x10, st.Mode)
		out = append(out, wire.BCD(uint64(st.Receipts+1), 2)...)
		out = append(out, wire.BCD(uint64(st.Shift), 2)...)
		rs, rsum := byte(0), int64(0)
		if st.Receipt != nil {
			rs, rsum = st.Receipt.Kind, st.Receipt.Total
		}
		out = append(out, rs)
		out = append(out, wire.BCD(uint64(rsum), 5)...)
		return append(out, 2, 6)
	case CmdStatusCode:
		flags := byte(0)
		if !st.Paper {
			flags |= 0x01
		}
		// 55h, the mode (submode in the high nibble), the printer's flags:
		// no error code (docs/atol.md §4).
		return []byte{wire.AnswerOK, st.Mode, flags}
	case CmdEnterMode:
		if !need(5) || d[0] > ModeZReport || d[0] == 0 {
			return fail(errBadLength)
		}
		if st.Mode != ModeSelect {
			return fail(errBadMode)
		}
		st.Mode = d[0]
		return ok()
	case CmdExitMode:
		if st.Receipt != nil {
			return fail(errReceiptOpen)
		}
		st.Mode = ModeSelect
		return ok()
	case CmdOpenShift:
		switch {
		case st.Mode != ModeRegistration:
			return fail(errBadMode)
		case st.ShiftOpen:
			return fail(errShiftOpen)
		case !st.Paper:
			return fail(errNoPaper)
		}
		if c := e.fnBlocked(now); c != 0 {
			return fail(c)
		}
		st.ShiftOpen, st.Shift, st.ShiftTime, st.Receipts = true, st.Shift+1, now, 0
		doc := e.doc(DocShiftOpen, 0, 0, now)
		doc.Tags = e.takeDocTags()
		e.print("ОТЧЁТ ОБ ОТКРЫТИИ СМЕНЫ %d", st.Shift)
		e.printCashier(doc.Tags)
		return ok()
	case CmdZReport:
		switch {
		case st.Mode != ModeZReport:
			return fail(errBadMode)
		case !st.ShiftOpen:
			return fail(errShiftClosed)
		case !st.Paper:
			return fail(errNoPaper)
		}
		if c := e.fnBlocked(now); c != 0 {
			return fail(c)
		}
		st.ShiftOpen = false
		doc := e.doc(DocShiftClose, 0, 0, now)
		doc.Tags = e.takeDocTags()
		e.print("ОТЧЁТ О ЗАКРЫТИИ СМЕНЫ %d", st.Shift)
		e.printCashier(doc.Tags)
		st.Mode = ModeSelect
		return ok()
	case CmdXReport:
		if st.Mode != ModeXReport {
			return fail(errBadMode)
		}
		if !st.Paper {
			return fail(errNoPaper)
		}
		e.print("X-ОТЧЁТ СМЕНА %d НАЛИЧНЫЕ %d", st.Shift, st.Cash)
		return ok()
	case CmdOpenReceipt:
		switch {
		case !need(2):
			return fail(errBadLength)
		case st.Mode != ModeRegistration:
			return fail(errBadMode)
		case st.Receipt != nil:
			return fail(errReceiptOpen)
		case !st.ShiftOpen:
			return fail(errShiftClosed)
		}
		if c := e.fnBlocked(now); c != 0 {
			return fail(c)
		}
		switch d[1] {
		case 1, 2, 4, 5, 7, 8, 9, 10:
		default:
			return fail(errFNBadParam)
		}
		st.Receipt = &Receipt{Kind: d[1]}
		st.DocTags = nil
		return ok()
	case CmdBeginItem:
		switch {
		case !need(3):
			return fail(errBadLength)
		case st.Receipt == nil:
			return fail(errReceiptClosed)
		case st.Receipt.Position:
			return fail(errFNBadParam) // a position is being formed already
		}
		st.Receipt.Position, st.Receipt.ItemTags = true, nil
		return ok()
	case CmdItem:
		return e.endItem(d)
	case CmdPayment:
		if !need(7) {
			return fail(errBadLength)
		}
		if st.Receipt == nil {
			return fail(errReceiptClosed)
		}
		s, okS := sum5(d[2:7])
		if !okS {
			return fail(0x08)
		}
		st.Receipt.Paid += s
		if d[1] == 1 {
			st.Receipt.Cash += s
		} else {
			st.Receipt.Card += s
		}
		rest, change := max(st.Receipt.Total-st.Receipt.Paid, 0), max(st.Receipt.Paid-st.Receipt.Total, 0)
		// 55h, the code, the remainder and the change: no byte between
		// (docs/atol.md §4).
		return append([]byte{wire.AnswerOK, 0}, append(wire.BCD(uint64(rest), 5), wire.BCD(uint64(change), 5)...)...)
	case CmdClose:
		if !need(7) {
			return fail(errBadLength)
		}
		r := st.Receipt
		if r == nil {
			return fail(errReceiptClosed)
		}
		s, okS := sum5(d[2:7])
		if !okS {
			return fail(0x08)
		}
		if r.Paid+s < r.Total {
			return fail(errPaymentsShort)
		}
		if r.Position {
			return fail(errFNBadParam) // a position begun and not ended
		}
		if Correction(r.Kind) {
			_, t1173 := FindTag(r.Tags, 1173)
			_, t1174 := FindTag(r.Tags, 1174)
			if !t1173 || !t1174 {
				return fail(errFNBadParam) // a correction without what it corrects
			}
		}
		if _, out := e.take(func(a armed) bool { return a.f == FaultPaperOutInReceipt }); out || !st.Paper {
			st.Paper = false
			return fail(errNoPaper)
		}
		r.Paid += s
		if r.Kind == 1 || r.Kind == 5 || r.Kind == 7 || r.Kind == 10 {
			st.Cash += r.Total
		} else {
			st.Cash -= r.Total
		}
		st.Receipts++
		typ := DocReceipt
		if Correction(r.Kind) {
			typ = DocCorrection
		}
		doc := e.doc(typ, r.Kind, r.Total, now)
		doc.Lines, doc.Tags, doc.Cash, doc.Card = r.Lines, r.Tags, r.Cash+s, r.Card
		if change := r.Paid - r.Total; change > 0 {
			doc.Cash -= change
		}
		e.printCashier(doc.Tags)
		e.print("ИТОГ %d.%02d ФД %d", r.Total/100, r.Total%100, st.LastFD())
		st.Receipt = nil
		return ok()
	case CmdCancel:
		if st.Receipt == nil {
			return fail(errReceiptClosed)
		}
		st.Receipt = nil
		e.print("ЧЕК АННУЛИРОВАН")
		return ok()
	case CmdCashIn, CmdCashOut:
		if !need(6) {
			return fail(errBadLength)
		}
		switch {
		case st.Mode != ModeRegistration:
			return fail(errBadMode)
		case st.Receipt != nil:
			return fail(errReceiptOpen)
		case !st.ShiftOpen:
			return fail(errShiftClosed)
		}
		s, okS := sum5(d[1:6])
		if !okS {
			return fail(0x08)
		}
		// Cash in and out are not fiscal documents: the drawer's
		// counter and the tape only.
		if code == CmdCashOut {
			if s > st.Cash {
				return fail(errNoCash)
			}
			st.Cash -= s
			e.print("ВЫПЛАТА %d.%02d", s/100, s%100)
		} else {
			st.Cash += s
			e.print("ВНЕСЕНИЕ %d.%02d", s/100, s%100)
		}
		op := CashOp{In: code == CmdCashIn, Sum: s, Tags: e.takeDocTags(), Time: now}
		st.CashOps = append(st.CashOps, op)
		e.printCashier(op.Tags)
		return ok()
	case CmdCash:
		return append([]byte{CmdCash}, wire.BCD(uint64(max(st.Cash, 0)), 7)...)
	case CmdPrint:
		if !st.Paper {
			return fail(errNoPaper)
		}
		e.print("%s", wire.FromText(d))
		return ok()
	case CmdCut:
		e.print("--- отрез ---")
		return ok()
	case CmdFN:
		return e.fn(d, now)
	case CmdWriteTag:
		return e.writeTags(d)
	case CmdReadTag:
		return e.readTag(d)
	case CmdRegister:
		return e.register(d)
	case CmdBarcode:
		return e.barcode(d)
	}
	return fail(errNoCommand)
}

// itemLen is the shortest EBh: flags, price (7), quantity (5), cost (7),
// tax type, tax sum (7), department, 1212, 1214, discount sign, discount
// (7), two reserved bytes; the name follows (docs/atol.md §4).
const itemLen = 41

// endItem runs EBh: it ends the position EAh began, with its data and the
// tags E8h wrote inside it.
func (e *Emulator) endItem(d []byte) []byte {
	r := e.st.Receipt
	switch {
	case len(d) < itemLen:
		return fail(errBadLength)
	case r == nil:
		return fail(errReceiptClosed)
	case !r.Position:
		return fail(errFNBadParam) // no EAh before
	}
	price, ok1 := sum5(d[1:8])
	qty, ok2 := sum5(d[8:13])
	cost, ok3 := sum5(d[13:20])
	dept, ok4 := sum5(d[28:29])
	subject, ok5 := sum5(d[29:30])
	method, ok6 := sum5(d[30:31])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || qty == 0 || cost > (price*qty+500)/1000 {
		return fail(0x08)
	}
	if d[20] > 6 || method == 0 || method > 7 {
		return fail(errFNBadParam)
	}
	var tags []Tag
	if subject != 0 {
		tags = append(tags, Tag{1212, []byte{byte(subject)}})
	}
	tags = append(tags, Tag{1214, []byte{byte(method)}})
	name := wire.FromText(d[itemLen:])
	r.Total += cost
	r.Lines = append(r.Lines, Line{Name: name, Price: price, Qty: qty, Sum: cost, Tax: d[20], Dept: int(dept),
		Tags: append(tags, r.ItemTags...)})
	r.Position, r.ItemTags = false, nil
	e.print("%s %d.%03d x %d.%02d = %d.%02d", name, qty/1000, qty%1000, price/100, price%100, cost/100, cost%100)
	return ok()
}

func (e *Emulator) doc(t, kind byte, sum int64, now time.Time) *Doc {
	st := &e.st
	st.Docs = append(st.Docs, Doc{FD: st.LastFD() + 1, Type: t, Kind: kind, Sum: sum, Shift: st.Shift, Time: now})
	return &st.Docs[len(st.Docs)-1]
}

// printCashier prints the cashier of a document (1021) when one was
// written for it.
func (e *Emulator) printCashier(tags []Tag) {
	if t, ok := FindTag(tags, 1021); ok {
		e.print("КАССИР %s", wire.FromText(t.Value))
	}
}
