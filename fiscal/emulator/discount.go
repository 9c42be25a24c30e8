package emulator

import (
	"strconv"
	"strings"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// Discounts and markups on an open receipt (86h, 87h) and their cancels
// (8Ah, 8Bh): password, sum (5), four tax groups (1 each), text (40 or
// shorter, up to the command's end) → operator. The receipt's total
// changes at once (89h); when it closes the net sum is spread over the
// lines in proportion to their sums (the last line takes the rounding), so
// the lines of the document add up to its total.

// Discount answer codes.
const (
	codeNegativeTotal    fiscal.Code = 0x5F // Отрицательный итог чека
	codeNegativeMarkup   fiscal.Code = 0x8C // Отрицательный итог надбавки в чеке
	codeNegativeDiscount fiscal.Code = 0x8D // Отрицательный итог скидки в чеке
)

var adjustNames = map[shtrih.Cmd]string{
	cmdDiscount: "СКИДКА", cmdMarkup: "НАДБАВКА", cmdVoidDiscount: "СТОРНО СКИДКИ", cmdVoidMarkup: "СТОРНО НАДБАВКИ",
}

// adjust is 86h, 87h, 8Ah and 8Bh.
func (e *Emulator) adjust(cmd shtrih.Cmd, op int, args []byte) answer {
	r := e.st.Receipt
	switch {
	case r == nil:
		return fail(fiscal.CodeReceiptClosed)
	case len(r.Lines) == 0:
		return fail(fiscal.CodeBadOperation)
	case len(args) < 5+4:
		return fail(fiscal.CodeBadLength)
	}
	sum := shtrih.Money(args[:5])
	if sum <= 0 {
		return fail(codeBadParams)
	}
	if c := r.apply(cmd, sum); c != 0 {
		return fail(c)
	}
	r.Adjusts = append(r.Adjusts, Adjust{Cmd: int(cmd), Sum: sum, Text: printable(shtrih.Text(args[9:]))})
	return ok(byte(op))
}

// apply adds sum to the receipt's discount or markup, or cancels it.
func (r *Receipt) apply(cmd shtrih.Cmd, sum int64) fiscal.Code {
	switch cmd {
	case cmdDiscount:
		if r.Total()-sum < 0 {
			return codeNegativeTotal
		}
		r.Discount += sum
	case cmdMarkup:
		r.Markup += sum
	case cmdVoidDiscount:
		if sum > r.Discount {
			return codeNegativeDiscount
		}
		r.Discount -= sum
	case cmdVoidMarkup:
		if sum > r.Markup {
			return codeNegativeMarkup
		}
		if r.Total()-sum < 0 {
			return codeNegativeTotal
		}
		r.Markup -= sum
	}
	return 0
}

// spread moves the net discount or markup into the line sums and returns
// the discount and markup it held.
func (r *Receipt) spread() (discount, markup int64) {
	discount, markup = r.Discount, r.Markup
	net := markup - discount
	r.Discount, r.Markup = 0, 0
	if net == 0 || len(r.Lines) == 0 {
		return discount, markup
	}
	base := r.Total()
	left := net
	for i := range r.Lines {
		l := &r.Lines[i]
		part := left
		if i < len(r.Lines)-1 && base != 0 {
			part = net * l.Sum / base
		}
		l.Sum += part
		left -= part
	}
	return discount, markup
}

// receiptAdjust is the open receipt's discounts (money registers 64..67)
// or markups (68..71) for kind k.
func (e *Emulator) receiptAdjust(markup bool, k int) int64 {
	r := e.st.Receipt
	if r == nil || r.Kind() != kinds[k] {
		return 0
	}
	if markup {
		return r.Markup
	}
	return r.Discount
}

// adjustLines are the receipt's discounts and markups as printed.
func (e *Emulator) adjustLines(r *Receipt) []string {
	var out []string
	for _, a := range r.Adjusts {
		if a.Text != "" {
			out = append(out, a.Text)
		}
		sign := "="
		if a.Cmd == int(cmdDiscount) || a.Cmd == int(cmdVoidMarkup) {
			sign = "=-"
		}
		out = append(out, lr(adjustNames[shtrih.Cmd(a.Cmd)], sign+rub(a.Sum), e.cfg.LineWidth))
	}
	return out
}

// ean13Bars are the L, G and R codes of the digits, 7 modules each.
var ean13Codes = [3][10]string{
	{"0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"},
	{"0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"},
	{"1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"},
}

// ean13Parity is the L/G pattern of the left half by the first digit.
var ean13Parity = [10]string{"LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"}

// ean13 is the 13 digits of the 12 given and their check digit.
func ean13(d12 string) string {
	sum := 0
	for i, c := range d12 {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return d12 + strconv.Itoa((10-sum%10)%10)
}

// ean13Modules is the 95 modules of an EAN-13 code ('1' a bar).
func ean13Modules(code string) string {
	var b strings.Builder
	b.WriteString("101")
	for i := 1; i <= 6; i++ {
		set := 0
		if ean13Parity[code[0]-'0'][i-1] == 'G' {
			set = 1
		}
		b.WriteString(ean13Codes[set][code[i]-'0'])
	}
	b.WriteString("01010")
	for i := 7; i <= 12; i++ {
		b.WriteString(ean13Codes[2][code[i]-'0'])
	}
	b.WriteString("101")
	return b.String()
}

// bars draws modules two to a character with half blocks.
func bars(modules string) string {
	if len(modules)%2 == 1 {
		modules += "0"
	}
	glyph := map[string]string{"00": " ", "10": "▌", "01": "▐", "11": "█"}
	var b strings.Builder
	for i := 0; i < len(modules); i += 2 {
		b.WriteString(glyph[modules[i:i+2]])
	}
	return b.String()
}

// printEAN13 is C2h: the barcode (5 bytes, 12 digits; the register adds
// the check digit) printed on the tape as bars over its digits.
func (e *Emulator) printEAN13(op int, args []byte) answer {
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	if len(args) < 5 {
		return fail(fiscal.CodeBadLength)
	}
	v := shtrih.Uint(args[:5])
	if v > 999_999_999_999 {
		return fail(codeBadParams)
	}
	code := ean13(strconv.FormatUint(v+1_000_000_000_000, 10)[1:])
	e.printBarcode(ean13Modules(code), code)
	return ok(byte(op))
}

func (e *Emulator) printBarcode(modules, hri string) {
	w := e.cfg.LineWidth
	line := center(bars(modules), w)
	e.printAll([]string{line, line, center(hri, w)})
}

// barcodeTypes name the CBh barcode types.
var barcodeTypes = map[byte]string{0: "UPC-A", 1: "UPC-E", 2: "EAN-13", 3: "EAN-8", 4: "CODE39", 5: "ITF",
	6: "CODABAR", 7: "CODE93", 8: "CODE128", 10: "PDF417", 11: "GS1 DATABAR", 12: "GS1 DATABAR TRUNCATED",
	13: "GS1 DATABAR LIMITED", 14: "GS1 DATABAR EXPANDED", 15: "GS1 DATABAR STACKED",
	16: "GS1 DATABAR STACKED OMNI", 17: "GS1 DATABAR EXPANDED STACKED"}

// printerBarcode is CBh: height, bar width, HRI position, HRI font, type,
// data (1..48 bytes). EAN-13 is drawn; any other type is printed as its
// name and data between bars.
func (e *Emulator) printerBarcode(op int, args []byte) answer {
	if c := e.printCheck(); c != 0 {
		return fail(c)
	}
	if len(args) < 6 || len(args) > 5+48 {
		return fail(fiscal.CodeBadLength)
	}
	name, known := barcodeTypes[args[4]]
	if !known || args[0] == 0 || args[2] > 3 || args[3] > 1 {
		return fail(codeBadParams)
	}
	data := printable(shtrih.Text(args[5:]))
	if args[4] == 2 && (len(data) == 12 || len(data) == 13) && strings.Trim(data, "0123456789") == "" {
		code := ean13(data[:12])
		e.printBarcode(ean13Modules(code), code)
		return ok(byte(op))
	}
	e.printAll([]string{center("█▌▐█ "+name+" █▌▐█", e.cfg.LineWidth), center(data, e.cfg.LineWidth)})
	return ok(byte(op))
}
