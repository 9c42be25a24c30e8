package fiscal

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the people's tags (FFD tables: 1021 string of 64, 1203 12
// digits, 1008 string of 64).
const (
	MaxCashier = 64 // tag 1021
	MaxBuyer   = 64 // tag 1008
)

// CashierTag builds tag 1021 («КАССИР»: position and surname) from a
// position and a full name, within MaxCashier characters: the position,
// the surname and the initials ("Кассир Иванова А.А."); the position is
// left out when it would not fit, the surname clipped when even it does
// not. Control characters become spaces, so no name can print lines of
// its own on a receipt.
func CashierTag(position, fullName string) string {
	clean := func(s string) string {
		return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)), " ")
	}
	words := strings.Fields(clean(fullName))
	name := ""
	if len(words) > 0 {
		name = words[0]
		var initials string
		for _, w := range words[1:] {
			r, _ := utf8.DecodeRuneInString(w)
			initials += string(r) + "."
		}
		if initials != "" {
			name += " " + initials
		}
	}
	if pos := clean(position); pos != "" {
		if full := pos + " " + name; utf8.RuneCountInString(full) <= MaxCashier {
			return full
		}
	}
	if r := []rune(name); len(r) > MaxCashier {
		return string(r[:MaxCashier])
	}
	return name
}

// Errors of people's data, for the till to put into words.
var (
	ErrBadINN   = errors.New("fiscal: a person's INN is 12 digits with a valid check sum")
	ErrBadBuyer = errors.New("fiscal: a buyer's contact is a phone (+7 and 10 digits) or an e-mail address of at most 64 characters")
)

// CheckPersonINN checks a natural person's INN (tag 1203): 12 digits whose
// last two are the check digits of the tax service's algorithm.
func CheckPersonINN(inn string) error {
	if len(inn) != 12 || strings.Trim(inn, "0123456789") != "" {
		return ErrBadINN
	}
	check := func(n int, w []int) bool {
		sum := 0
		for i, k := range w {
			sum += int(inn[i]-'0') * k
		}
		return sum%11%10 == int(inn[n]-'0')
	}
	if !check(10, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) || !check(11, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) {
		return ErrBadINN
	}
	return nil
}

// Buyer normalises a buyer's contact for tag 1008: a Russian phone
// written any usual way (+7 916 123-45-67, 8 (916) 1234567, 9161234567)
// becomes +79161234567; an e-mail address is kept as written, without
// spaces or a display name. Anything else is ErrBadBuyer.
func Buyer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsRune(s, '@') {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s || len(s) > MaxBuyer || strings.ContainsAny(s, " \t\r\n") {
			return "", ErrBadBuyer
		}
		return s, nil
	}
	var digits []byte
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return "", ErrBadBuyer
		}
	}
	switch {
	case len(digits) == 10 && digits[0] == '9':
		return "+7" + string(digits), nil
	case len(digits) == 11 && (digits[0] == '7' || digits[0] == '8' && !strings.HasPrefix(s, "+")):
		return "+7" + string(digits[1:]), nil
	}
	return "", ErrBadBuyer
}
