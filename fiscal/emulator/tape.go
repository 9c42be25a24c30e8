package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"paydesk/fiscal"
)

// print adds one line to the tape (e.mu held).
func (e *Emulator) print(s string) {
	e.tape = append(e.tape, s)
	if e.tapeFile != nil {
		if _, err := e.tapeFile.WriteString(s + "\n"); err != nil {
			e.log.Error("emulator: writing tape", "err", err)
		}
	}
}

func (e *Emulator) printAll(lines []string) {
	for _, l := range lines {
		e.print(l)
	}
}

// printDoc prints a document, a blank feed and remembers it for 8Ch.
func (e *Emulator) printDoc(lines []string) {
	e.printAll(lines)
	e.print("")
	e.st.LastPrinted = lines
}

func itoa(n int) string { return strconv.Itoa(n) }

// rub renders kopecks as roubles with two decimals.
func rub(k int64) string {
	sign := ""
	if k < 0 {
		sign, k = "-", -k
	}
	return fmt.Sprintf("%s%d.%02d", sign, k/100, k%100)
}

// qty renders a quantity in millionths without trailing zeros.
func qty(q int64) string {
	s := fmt.Sprintf("%d.%06d", q/1_000_000, q%1_000_000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func center(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", (w-n)/2) + s
}

// lr puts left and right on one line of width w (on two when they do not fit).
func lr(left, right string, w int) string {
	n := utf8.RuneCountInString(left) + utf8.RuneCountInString(right)
	if n+1 > w {
		return left + "\n" + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(right))) + right
	}
	return left + strings.Repeat(" ", w-n) + right
}

func (e *Emulator) header() []string {
	w := e.cfg.LineWidth
	return []string{center(e.st.UserName, w), center(e.st.Address, w), lr("МЕСТО РАСЧЕТОВ", e.st.Place, w)}
}

// footer is the fiscal block under a fiscal document.
func (e *Emulator) footer(d Doc) []string {
	w := e.cfg.LineWidth
	return []string{
		lr("РН ККТ "+e.st.RNM, "ЗН ККТ "+e.st.Serial, w),
		lr("ФН "+e.st.FN, "ФД "+strconv.FormatUint(uint64(d.FD), 10)+"  ФП "+strconv.FormatUint(uint64(d.FP), 10), w),
	}
}

var kindNames = map[fiscal.ReceiptKind]string{
	fiscal.Sale: "ПРИХОД", fiscal.SaleReturn: "ВОЗВРАТ ПРИХОДА", fiscal.Buy: "РАСХОД", fiscal.BuyReturn: "ВОЗВРАТ РАСХОДА",
}

var subjectNames = map[int]string{1: "ТОВАР", 4: "УСЛУГА", 10: "ПЛАТЕЖ", 11: "АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ"}

var taxNames = map[byte]string{0x01: "НДС 20%", 0x02: "НДС 10%", 0x04: "НДС 0%", 0x08: "НДС НЕ ОБЛАГАЕТСЯ", 0x10: "НДС 20/120", 0x20: "НДС 10/110"}

var taxSystemNames = map[byte]string{0x01: "ОСН", 0x02: "УСН доход", 0x04: "УСН доход - расход", 0x10: "ЕСХН", 0x20: "ПСН"}

func agentName(b byte) string {
	switch fiscal.AgentSign(b) {
	case fiscal.PaymentAgent:
		return "ПЛ. АГЕНТ"
	case fiscal.PaymentSubagent:
		return "ПЛ. СУБАГЕНТ"
	}
	return "АГЕНТ"
}

// receiptText lays out a fiscal receipt as the device prints it (80 mm).
func (e *Emulator) receiptText(r *Receipt, d Doc, pays [16]int64, change int64, taxSystem byte, text string) []string {
	w := e.cfg.LineWidth
	out := e.header()
	title := "КАССОВЫЙ ЧЕК"
	if d.Type == fiscal.DocCorrection {
		title = "КАССОВЫЙ ЧЕК КОРРЕКЦИИ"
	}
	out = append(out, center(title, w), center(kindNames[d.Kind], w))
	if d.Type == fiscal.DocCorrection {
		out = append(out, correctionLines(r.Tags, w)...)
	}
	left := "ЧЕК " + itoa(d.Number)
	mid := "СМЕНА " + itoa(d.Shift)
	dt := d.Time.Format("02.01.06 15:04")
	gap := max(1, (w-utf8.RuneCountInString(left)-utf8.RuneCountInString(mid)-utf8.RuneCountInString(dt))/2)
	out = append(out, lr(left+strings.Repeat(" ", gap)+mid, dt, w))
	cashier := e.st.Names[r.Operator-1]
	if t, ok := fiscal.Find(r.Tags, 1021); ok {
		cashier = t.Text()
	}
	out = append(out, lr("КАССИР", cashier, w))
	if t, ok := fiscal.Find(r.Tags, 1203); ok {
		out = append(out, lr("ИНН КАССИРА", strings.TrimSpace(t.Text()), w))
	}
	out = append(out, lr("ИНН", e.st.INN, w))
	for _, t := range r.Tags {
		switch t.Num {
		case 1057:
			if len(t.Value) > 0 {
				out = append(out, agentName(t.Value[0]))
			}
		case 1073:
			out = append(out, lr("ТЛФ. ПЛ. АГЕНТА", t.Text(), w))
		case 1074:
			out = append(out, lr("ТЛФ. ОП. ПР. ПЛАТЕЖА", t.Text(), w))
		case 1171:
			out = append(out, lr("ТЛФ. ПОСТ.", t.Text(), w))
		case 1008:
			out = append(out, lr("ТЕЛ. ПОКУПАТЕЛЯ", t.Text(), w))
		}
	}
	rule := strings.Repeat("-", w)
	out = append(out, rule)
	for _, l := range r.Lines {
		if !strings.HasPrefix(l.Name, "//") {
			out = append(out, l.Name)
		}
		out = append(out, lr(qty(l.Qty)+" X "+rub(l.Price), "="+rub(l.Sum), w))
		if s, ok := subjectNames[l.Subject]; ok {
			out = append(out, s)
		}
		for _, t := range l.Tags {
			switch t.Num {
			case 1222:
				if len(t.Value) > 0 {
					out = append(out, agentName(t.Value[0]))
				}
			case 1224:
				subs, _ := t.Children()
				for _, s := range subs {
					switch s.Num {
					case 1225:
						out = append(out, lr("ПОСТАВЩИК", s.Text(), w))
					case 1171:
						out = append(out, lr("ТЛФ. ПОСТ.", s.Text(), w))
					}
				}
			case 1226:
				out = append(out, lr("ИНН ПОСТАВЩИКА", strings.TrimSpace(t.Text()), w))
			}
		}
		out = append(out, taxNames[l.TaxBits])
	}
	out = append(out, e.adjustLines(r)...)
	out = append(out, rule, lr("ИТОГ", "="+rub(d.Sum), w))
	var nonCash int64
	for _, p := range pays[1:] {
		nonCash += p
	}
	if pays[0] > 0 {
		out = append(out, lr("НАЛИЧНЫМИ", "="+rub(pays[0]), w))
	}
	if nonCash > 0 {
		out = append(out, lr("БЕЗНАЛИЧНЫМИ", "="+rub(nonCash), w))
	}
	if change > 0 {
		out = append(out, lr("СДАЧА", "="+rub(change), w))
	}
	var noVAT int64
	for _, l := range r.Lines {
		if l.TaxBits == 0x08 {
			noVAT += l.Sum
		}
	}
	if noVAT > 0 {
		out = append(out, lr("СУММА БЕЗ НДС", rub(noVAT), w))
	}
	if s, ok := taxSystemNames[taxSystem]; ok {
		out = append(out, lr("СНО", s, w))
	}
	if text != "" {
		out = append(out, text)
	}
	out = append(out, e.footer(d)...)
	out = append(out, lr("САЙТ ФНС", "www.nalog.gov.ru", w))
	out = append(out, center(fmt.Sprintf("[QR t=%s&s=%s&fn=%s&i=%d&fp=%d&n=%d]",
		d.Time.Format("20060102T1504"), rub(d.Sum), e.st.FN, d.FD, d.FP, int(d.Kind)), w))
	return out
}
