package fiscal_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

func TestCashierTag(t *testing.T) {
	long := strings.Repeat("Оченьдлиннаяфамилия", 5)
	for name, c := range map[string]struct{ pos, full, want string }{
		"position and initials": {"Кассир", "Иванова Анна Алексеевна", "Кассир Иванова А.А."},
		"no position":           {"", "Иванова Анна Алексеевна", "Иванова А.А."},
		"surname only":          {"Старший кассир", "Петров", "Старший кассир Петров"},
		"newline in the name":   {"Кассир", "Иванова\nИТОГ 0.00\nАнна", "Кассир Иванова И.0.А."},
		"control in position":   {"Кас\x1bсир", "Петров Пётр", "Кас сир Петров П."},
		"position left out":     {strings.Repeat("должность ", 6), "Иванова Анна", "Иванова А."},
		"surname clipped":       {"Кассир", long, string([]rune(long)[:64])},
	} {
		t.Run(name, func(t *testing.T) {
			got := fiscal.CashierTag(c.pos, c.full)
			assert.Equal(t, c.want, got)
			assert.LessOrEqual(t, utf8.RuneCountInString(got), fiscal.MaxCashier)
			assert.NotContains(t, got, "\n")
		})
	}
}

func TestCheckPersonINN(t *testing.T) {
	for inn, ok := range map[string]bool{
		"500100732259": true, "7830002293": false, "500100732250": false, "50010073225a": false, "": false, "5001007322591": false,
	} {
		if ok {
			assert.NoError(t, fiscal.CheckPersonINN(inn), inn)
		} else {
			assert.ErrorIs(t, fiscal.CheckPersonINN(inn), fiscal.ErrBadINN, inn)
		}
	}
}

func TestBuyer(t *testing.T) {
	for in, want := range map[string]string{
		"+7 916 123-45-67": "+79161234567", "8 (916) 1234567": "+79161234567", "9161234567": "+79161234567",
		"79161234567": "+79161234567", "ivan@example.ru": "ivan@example.ru", " a.b@mail.example ": "a.b@mail.example",
	} {
		got, err := fiscal.Buyer(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "12345", "+8 916 123 45 67", "Иван <ivan@example.ru>", "ivan@", "a b@example.ru",
		strings.Repeat("a", 60) + "@example.ru", "916123456x", "+79161234567\nИТОГ"} {
		_, err := fiscal.Buyer(bad)
		assert.ErrorIs(t, err, fiscal.ErrBadBuyer, bad)
	}
}
