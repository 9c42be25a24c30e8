package emulator

import (
	"math/bits"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// Correction receipts (чек коррекции, fiscal document type 31).
//
// FFD 1.2's form is a receipt opened with 8Dh types 80h–83h: lines as a
// receipt's, FF0C 1173 and 1174 {1178[, 1179]}, FF45. FFD 1.05's form has
// no lines: FF35 opens it, FF0C gives 1173 and 1174 {1177, 1178, 1179},
// FF4A forms it from its sums. Either is refused (33h) without 1173, 1174
// or 1178, or by order (1173 = 1) without 1179.

// correctionCheck is what the tags of a correction receipt must hold.
func correctionCheck(tags []fiscal.Tag) fiscal.Code {
	typ, ok := fiscal.Find(tags, 1173)
	if !ok || len(typ.Value) != 1 || typ.Value[0] > 1 {
		return 0x33
	}
	basis, ok := fiscal.Find(tags, 1174)
	if !ok {
		return 0x33
	}
	kids, err := basis.Children()
	if err != nil {
		return 0x33
	}
	if d, ok := fiscal.Find(kids, 1178); !ok || len(d.Value) != 4 {
		return 0x33
	}
	if _, ok := fiscal.Find(kids, 1179); typ.Value[0] == 1 && !ok {
		return 0x33
	}
	return 0
}

// docType is the fiscal document type receipt r makes.
func (r *Receipt) docType() fiscal.DocType {
	if r.Type&0x80 != 0 || r.Correction {
		return fiscal.DocCorrection
	}
	return fiscal.DocReceipt
}

// beginCorrection is FF35: a correction receipt of FFD 1.05's form opens.
func (e *Emulator) beginCorrection(op int) answer {
	if c := e.shiftCheck(true); c != 0 {
		return fail(c)
	}
	if c := e.fnCheck(); c != 0 {
		return fail(c)
	}
	if e.st.Receipt != nil {
		return fail(fiscal.CodeFNState)
	}
	e.st.Receipt = &Receipt{Operator: op, Correction: true}
	return ok()
}

// correctionV2 is FF4A: the correction receipt opened by FF35 is formed
// from its type (1 byte), settlement sign (1: приход … 4: возврат
// расхода), sum, cash, electronic, prepaid, postpaid and counter parts
// (5 bytes each), six VAT sums (5 each) and the tax system (1). Answer:
// receipt number (2), FD (4), FP (4).
func (e *Emulator) correctionV2(op int, args []byte) answer {
	const n = 1 + 1 + 12*5 + 1
	if len(args) != n {
		return fail(fiscal.CodeBadLength)
	}
	r := e.st.Receipt
	if r == nil || !r.Correction {
		return fail(fiscal.CodeFNState)
	}
	sign := args[1]
	var m [12]int64
	for i := range m {
		m[i] = shtrih.Money(args[2+5*i:])
	}
	taxSystem := args[n-1]
	sum, parts := m[0], m[1]+m[2]+m[3]+m[4]+m[5]
	switch {
	case sign < 1 || sign > 4, sum <= 0, parts != sum, bits.OnesCount8(taxSystem) != 1:
		return fail(0x33)
	case args[0] > 1:
		return fail(0x33)
	}
	if c := correctionCheck(r.Tags); c != 0 {
		return fail(c)
	}
	if c := e.fnCheck(); c != 0 {
		return fail(c)
	}
	if c := e.regCheck(r, taxSystem); c != 0 {
		return fail(c)
	}
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	kind := fiscal.ReceiptKind(sign)
	e.st.ReceiptNumber++
	d := e.newDoc(Doc{Type: fiscal.DocCorrection, Kind: kind, Sum: sum, Number: e.st.ReceiptNumber,
		Tags: r.Tags, TaxSystem: taxSystem, Cash: m[1], Card: m[2]})
	signed := int64(1)
	if kind == fiscal.SaleReturn || kind == fiscal.Buy {
		signed = -1
	}
	e.st.Cash += signed * m[1]
	e.st.Receipt = nil
	e.printDoc(e.correctionText(r, d))
	e.busy(5)
	return ok(cat(u16(d.Number), u32(d.FD), u32(d.FP))...)
}

// correctionText is the tape of an FFD 1.05 correction receipt.
func (e *Emulator) correctionText(r *Receipt, d Doc) []string {
	w := e.cfg.LineWidth
	out := e.header()
	out = append(out, center("КАССОВЫЙ ЧЕК КОРРЕКЦИИ", w), center(kindNames[d.Kind], w))
	out = append(out, correctionLines(r.Tags, w)...)
	out = append(out, lr("ИТОГ", "="+rub(d.Sum), w))
	if d.Cash > 0 {
		out = append(out, lr("НАЛИЧНЫМИ", "="+rub(d.Cash), w))
	}
	if d.Card > 0 {
		out = append(out, lr("БЕЗНАЛИЧНЫМИ", "="+rub(d.Card), w))
	}
	if s, ok := taxSystemNames[d.TaxSystem]; ok {
		out = append(out, lr("СНО", s, w))
	}
	cashier := e.st.Names[r.Operator-1]
	if t, ok := fiscal.Find(r.Tags, 1021); ok {
		cashier = t.Text()
	}
	out = append(out, lr("КАССИР", cashier, w))
	return append(out, e.footer(d)...)
}

// correctionLines print a correction's type and basis (1173, 1174).
func correctionLines(tags []fiscal.Tag, w int) []string {
	var out []string
	if t, ok := fiscal.Find(tags, 1173); ok && len(t.Value) == 1 {
		kind := "САМОСТОЯТЕЛЬНО"
		if t.Value[0] == 1 {
			kind = "ПО ПРЕДПИСАНИЮ"
		}
		out = append(out, lr("ТИП КОРРЕКЦИИ", kind, w))
	}
	basis, ok := fiscal.Find(tags, 1174)
	if !ok {
		return out
	}
	kids, _ := basis.Children()
	for _, k := range kids {
		switch k.Num {
		case 1177:
			out = append(out, k.Text())
		case 1178:
			if v, ok := k.Uint(); ok {
				out = append(out, lr("ДАТА РАСЧЕТА", time.Unix(int64(v), 0).UTC().Format("02.01.06"), w))
			}
		case 1179:
			out = append(out, lr("ОСНОВАНИЕ", k.Text(), w))
		}
	}
	return out
}
