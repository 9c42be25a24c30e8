// Package qr reads the payment string of GOST R 56042-2014 ("Standards of
// financial operations. Two-dimensional barcode symbols for payments by
// individuals"), which Russian utility bills print as a QR code:
//
//	ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…|Sum=…|…
//
// "ST" and version "0001" open it, then one digit names the encoding (1
// windows-1251, 2 UTF-8, 3 KOI8-R), then the separator (the character right
// after), then Key=Value pairs. The five required fields come first, in
// that order. Bank details are checked: the account numbers' control key
// with the BIC (the Bank of Russia's procedure of 8 September 1997 N 515),
// the INN's check digits.
package qr

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"paydesk/internal/i18n"
	"paydesk/money"
)

// Field is one Key=Value pair, as written.
type Field struct {
	Key, Value string
}

// Payment is a parsed payment string.
type Payment struct {
	Encoding int     // 1 windows-1251, 2 UTF-8, 3 KOI8-R
	Fields   []Field // every pair in order
	// The required fields.
	Name, PersonalAcc, BankName, BIC, CorrespAcc string
	// Sum is the amount in kopecks, 0 when the string has none.
	Sum money.Amount
	// Checks names the checks made on the bank details; Unchecked names
	// what could not be checked and why.
	Checks, Unchecked []string
}

// Get returns the value of key ("" when absent).
func (p *Payment) Get(key string) string {
	for _, f := range p.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// Error is a payment string that is not right; Text says why in the user's
// language.
type Error struct {
	Field string // the key at fault, "" for the string as a whole
	Text  i18n.Msg
}

// Error gives the reason in English.
func (e *Error) Error() string { return "qr: " + e.Text.In("en") }

// Msg is the error's message in the catalogue.
func (e *Error) Msg() i18n.Msg { return e.Text }

func fail(field, key string, args ...any) error {
	return &Error{Field: field, Text: i18n.M(key, append([]any{"field", field}, args...)...)}
}

// required are the fields that open every payment string, in order, with
// their longest values.
var required = []struct {
	key string
	max int
}{{"Name", 160}, {"PersonalAcc", 20}, {"BankName", 45}, {"BIC", 9}, {"CorrespAcc", 20}}

// limits are the longest values of the other fields the standard names
// (in characters).
var limits = map[string]int{
	"Sum": 18, "Purpose": 210, "PayeeINN": 12, "PayerINN": 12, "DrawerStatus": 2, "KPP": 9, "CBC": 20,
	"OKTMO": 11, "PaytReason": 2, "TaxPeriod": 10, "DocNo": 15, "DocDate": 10, "TaxPaytKind": 2,
}

// Parse reads the payment string as the scanner gives it, in bytes: the
// header's encoding digit says how its text is decoded.
func Parse(b []byte) (*Payment, error) {
	b = bytes.TrimRight(b, "\r\n")
	enc, err := header(string(b[:min(len(b), 7)]))
	if err != nil {
		return nil, err
	}
	var text string
	switch enc {
	case 1, 3:
		cm := charmap.Windows1251
		if enc == 3 {
			cm = charmap.KOI8R
		}
		d, err := cm.NewDecoder().Bytes(b)
		if err != nil {
			return nil, fail("", "qr.decode")
		}
		text = string(d)
	case 2:
		if !utf8.Valid(b) {
			return nil, fail("", "qr.decode")
		}
		text = string(b)
	}
	return parse(text, enc)
}

// ParseText reads a payment string already decoded to text, as a keyboard
// scanner types it or a user pastes it: the encoding digit is read but
// nothing is decoded.
func ParseText(s string) (*Payment, error) {
	s = strings.TrimRight(s, "\r\n")
	enc, err := header(s[:min(len(s), 7)])
	if err != nil {
		return nil, err
	}
	return parse(s, enc)
}

func header(h string) (int, error) {
	if len(h) < 7 || h[:2] != "ST" {
		return 0, fail("", "qr.not_payment")
	}
	if h[2:6] != "0001" {
		return 0, fail("", "qr.version", "version", h[2:6])
	}
	switch h[6] {
	case '1', '2', '3':
		return int(h[6] - '0'), nil
	}
	return 0, fail("", "qr.encoding", "digit", string(h[6]))
}

func parse(s string, enc int) (*Payment, error) {
	rest := s[7:]
	sep, n := utf8.DecodeRuneInString(rest)
	if n == 0 || sep == '=' || sep >= '0' && sep <= '9' || sep >= 'A' && sep <= 'Z' || sep >= 'a' && sep <= 'z' {
		return nil, fail("", "qr.no_separator")
	}
	p := &Payment{Encoding: enc}
	seen := map[string]bool{}
	for _, pair := range strings.Split(rest[n:], string(sep)) {
		if pair == "" {
			continue // a trailing separator
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fail("", "qr.bad_pair", "pair", clip(pair))
		}
		if seen[k] {
			return nil, fail(k, "qr.twice")
		}
		seen[k] = true
		p.Fields = append(p.Fields, Field{k, v})
	}
	for i, r := range required {
		if i >= len(p.Fields) || p.Fields[i].Key != r.key {
			if !seen[r.key] {
				return nil, fail(r.key, "qr.required")
			}
			return nil, fail(r.key, "qr.order", "n", i+1)
		}
		if strings.TrimSpace(p.Fields[i].Value) == "" {
			return nil, fail(r.key, "qr.required")
		}
	}
	for _, f := range p.Fields {
		max := limits[f.Key]
		for _, r := range required {
			if r.key == f.Key {
				max = r.max
			}
		}
		if max > 0 && utf8.RuneCountInString(f.Value) > max {
			return nil, fail(f.Key, "qr.too_long", "max", max)
		}
	}
	p.Name, p.PersonalAcc, p.BankName, p.BIC, p.CorrespAcc = p.Get("Name"), p.Get("PersonalAcc"), p.Get("BankName"), p.Get("BIC"), p.Get("CorrespAcc")
	if err := p.bank(); err != nil {
		return nil, err
	}
	if s := p.Get("Sum"); s != "" {
		if !digits(s) {
			return nil, fail("Sum", "qr.sum")
		}
		var k money.Amount
		for _, c := range s {
			k = k*10 + money.Amount(c-'0')
		}
		if k > money.Max {
			return nil, fail("Sum", "qr.sum")
		}
		p.Sum = k
	}
	for _, key := range []string{"PayeeINN", "PayerINN"} {
		v := p.Get(key)
		if v == "" || v == "0" {
			continue
		}
		if !validINN(v) {
			return nil, fail(key, "qr.inn")
		}
		p.Checks = append(p.Checks, key+" check digits")
	}
	if v := p.Get("KPP"); v != "" && v != "0" && len(v) != 9 {
		return nil, fail("KPP", "qr.digits", "n", 9)
	}
	return p, nil
}

// bank checks the BIC and the accounts: digits and lengths always; the
// control keys where the Bank of Russia's procedure applies.
func (p *Payment) bank() error {
	if len(p.BIC) != 9 || !digits(p.BIC) {
		return fail("BIC", "qr.digits", "n", 9)
	}
	if len(p.PersonalAcc) != 20 || !digits(p.PersonalAcc) {
		return fail("PersonalAcc", "qr.digits", "n", 20)
	}
	switch {
	case p.CorrespAcc == "0":
		// A payee with an account at the Bank of Russia itself has none.
		p.Unchecked = append(p.Unchecked, "PersonalAcc: no correspondent account (CorrespAcc=0): the key is not checked")
		return nil
	case len(p.CorrespAcc) != 20 || !digits(p.CorrespAcc):
		return fail("CorrespAcc", "qr.digits", "n", 20)
	case !strings.HasPrefix(p.CorrespAcc, "301"):
		p.Unchecked = append(p.Unchecked, "accounts: the correspondent account is not a credit organisation's (30101…): the keys are not checked")
		return nil
	}
	if !accountKey("0"+p.BIC[4:6], p.CorrespAcc) {
		return fail("CorrespAcc", "qr.account_key")
	}
	if !accountKey(p.BIC[6:9], p.PersonalAcc) {
		return fail("PersonalAcc", "qr.account_key")
	}
	p.Checks = append(p.Checks, "CorrespAcc key with BIC", "PersonalAcc key with BIC")
	return nil
}

// accountKey checks a 20-digit account against the 3-digit number it is
// keyed with: the 23 digits weighted 7, 1, 3, … sum to a multiple of 10.
func accountKey(prefix, acc string) bool {
	s := prefix + acc
	w := [3]int{7, 1, 3}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * w[i%3] % 10
	}
	return sum%10 == 0
}

// validINN checks a 10-digit (organisation) or 12-digit (person) INN's
// check digits.
func validINN(s string) bool {
	if !digits(s) {
		return false
	}
	check := func(weights []int, n int) bool {
		sum := 0
		for i, w := range weights {
			sum += int(s[i]-'0') * w
		}
		return sum%11%10 == int(s[n]-'0')
	}
	switch len(s) {
	case 10:
		return check([]int{2, 4, 10, 3, 5, 9, 4, 6, 8}, 9)
	case 12:
		return check([]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 10) && check([]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 11)
	}
	return false
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}

// String lists the fields, one "Key: value" a line.
func (p *Payment) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "encoding: %d\n", p.Encoding)
	for _, f := range p.Fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Key, f.Value)
	}
	if p.Sum != 0 {
		fmt.Fprintf(&b, "sum: %s\n", p.Sum)
	}
	return b.String()
}
