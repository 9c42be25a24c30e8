package receipts

import (
	"fmt"
	"strings"
	"time"

	"paydesk/fiscal"
	"paydesk/money"
)

// CopyMark is printed above and below a copy of a fiscal document: a copy
// is not a fiscal document of its own.
const CopyMark = "*** КОПИЯ ***"

// docNames are the fiscal documents by their STLV number.
var docNames = map[fiscal.DocType]string{
	fiscal.DocRegistration: "ОТЧЕТ О РЕГИСТРАЦИИ", fiscal.DocShiftOpen: "ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ",
	fiscal.DocReceipt: "КАССОВЫЙ ЧЕК", fiscal.DocShiftClose: "ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ",
	fiscal.DocCorrection: "КАССОВЫЙ ЧЕК КОРРЕКЦИИ",
}

// DocTypeOf tells a fiscal document's type from its tags: a correction
// receipt has its type of correction (1173), a receipt a settlement sign
// (1054), a shift report a shift number (1038) and, when
// it closes the shift, receipt counters of the shift (1118); a
// registration report neither.
func DocTypeOf(tags []fiscal.Tag) fiscal.DocType {
	has := func(n uint16) bool { _, ok := fiscal.Find(tags, n); return ok }
	switch {
	case has(1173):
		return fiscal.DocCorrection
	case has(1054):
		return fiscal.DocReceipt
	case has(1038) && has(1118):
		return fiscal.DocShiftClose
	case has(1038):
		return fiscal.DocShiftOpen
	}
	return fiscal.DocRegistration
}

// Copy lays out a copy of fiscal document typ as read back from the
// fiscal drive (its tags, fiscal.Register.DocumentTags): the user, the
// document's name and settlement sign, its lines and totals, the agent,
// cashier and buyer, and the fiscal data (ФН, ФД, ФП, date), between two
// CopyMark lines.
func Copy(typ fiscal.DocType, tags []fiscal.Tag, width int) []string {
	if width < 24 {
		width = 24
	}
	out := []string{Center(CopyMark, width)}
	add := func(lines ...string) { out = append(out, lines...) }
	text := func(n uint16) string {
		t, ok := fiscal.Find(tags, n)
		if !ok {
			return ""
		}
		return strings.TrimSpace(t.Text())
	}
	num := func(ts []fiscal.Tag, n uint16) (uint64, bool) {
		t, ok := fiscal.Find(ts, n)
		if !ok {
			return 0, false
		}
		return t.Uint()
	}
	if v := text(1048); v != "" {
		add(Wrap(v, width)...)
	}
	if v := text(1009); v != "" {
		add(Wrap(v, width)...)
	}
	name := docNames[typ]
	if name == "" {
		name = fmt.Sprintf("ДОКУМЕНТ (ТИП %d)", typ)
	}
	add(Center(name, width))
	if k, ok := num(tags, 1054); ok {
		add(Center(kindNames[fiscal.ReceiptKind(k)], width))
	}
	if k, ok := num(tags, 1173); ok {
		add(Pair("ТИП КОРРЕКЦИИ", map[bool]string{false: "САМОСТОЯТЕЛЬНО", true: "ПО ПРЕДПИСАНИЮ"}[k == 1], width)...)
		if basis, ok := fiscal.Find(tags, 1174); ok {
			if kids, err := basis.Children(); err == nil {
				if d, ok := num(kids, 1178); ok {
					add(Pair("ДАТА РАСЧЕТА", time.Unix(int64(d), 0).UTC().Format("02.01.2006"), width)...)
				}
				if n, ok := fiscal.Find(kids, 1179); ok {
					add(Pair("ОСНОВАНИЕ", strings.TrimSpace(n.Text()), width)...)
				}
			}
		}
	}
	for _, l := range tags {
		if l.Num != 1059 {
			continue
		}
		kids, err := l.Children()
		if err != nil {
			continue
		}
		name := ""
		if t, ok := fiscal.Find(kids, 1030); ok {
			name = t.Text()
		}
		add(Wrap(name, width)...)
		price, _ := num(kids, 1079)
		sum, _ := num(kids, 1043)
		add(Pair("1 x "+money.Amount(price).String(), "="+money.Amount(sum).String(), width)...)
	}
	for _, m := range []struct {
		n     uint16
		label string
	}{{1020, "ИТОГ"}, {1031, "НАЛИЧНЫМИ"}, {1081, "БЕЗНАЛИЧНЫМИ"}} {
		if v, ok := num(tags, m.n); ok && (v > 0 || m.n == 1020) {
			add(Pair(m.label, "="+money.Amount(v).String(), width)...)
		}
	}
	if v, ok := num(tags, 1055); ok {
		add(Pair("СНО", fiscal.TaxSystem(v).Printed(), width)...)
	}
	for _, m := range []struct {
		n     uint16
		label string
	}{{1021, "КАССИР"}, {1008, "ПОКУПАТЕЛЬ"}, {1018, "ИНН"}, {1037, "РН ККТ"}, {1041, "ФН"}} {
		if v := text(m.n); v != "" {
			add(Pair(m.label, v, width)...)
		}
	}
	if v, ok := num(tags, 1038); ok {
		add(Pair("СМЕНА", fmt.Sprint(v), width)...)
	}
	if v, ok := num(tags, 1040); ok {
		add(Pair("ФД", fmt.Sprint(v), width)...)
	}
	if t, ok := fiscal.Find(tags, 1077); ok && len(t.Value) >= 4 {
		fp := t.Value[len(t.Value)-4:]
		add(Pair("ФП", fmt.Sprint(uint32(fp[0])<<24|uint32(fp[1])<<16|uint32(fp[2])<<8|uint32(fp[3])), width)...)
	}
	if v, ok := num(tags, 1012); ok {
		add(Pair("ДАТА", time.Unix(int64(v), 0).UTC().Format("02.01.06 15:04"), width)...)
	}
	return append(out, Center(CopyMark, width))
}

// CopyOfText marks a receipt's text as kept in the books as a copy.
func CopyOfText(text string, width int) []string {
	if width < 24 {
		width = 24
	}
	out := []string{Center(CopyMark, width)}
	out = append(out, strings.Split(strings.TrimRight(text, "\n"), "\n")...)
	return append(out, Center(CopyMark, width))
}
