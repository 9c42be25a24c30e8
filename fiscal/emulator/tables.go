package emulator

import (
	"fmt"
	"strings"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// The register's settings tables, read and written as the vendor's drivers
// do: 1Fh reads a field (table 1 byte, row 2 bytes, field 1 byte → its
// value), 1Eh writes one, 2Dh answers a table's structure (name 40 bytes
// cp1251, rows 2, fields 1) and 2Eh a field's (name 40, type 0 number or
// 1 string, size 1, then for a number its minimum and maximum of that
// size). A number is little-endian of its field's size, a string cp1251
// zero-padded to it. Every command takes the system administrator's
// password.
//
// The tables held, laid out as a current Shtrih firmware lays them out:
//
//	1  type and mode: 1 row, fields 1..20, all one-byte numbers; 14 is tax
//	   calculation ("НАЧИСЛЕНИЕ НАЛОГОВ", 0..3, the field F7h names)
//	2  operators: 30 rows, 1 password (4 bytes, 0..99999999), 2 name
//	   (string 64); they are State.Passwords and State.Names
//	17 regional settings: 1 row, fields 1..17; 17 is the FFD version (1
//	   byte, 1..4: 2 = 1.05, 4 = 1.2, State.FFD), writable with the shift
//	   closed (C7h otherwise) to 2 or 4 (33h otherwise)
//	18 fiscal storage (registration data): 1 row, 1 serial (string 21),
//	   2 INN (17), 3 RNM (21), 4 FN number (17), 5 tax systems (1062, 1
//	   byte), 6 work mode (1 byte, bit 2 automatic), 7 user (128), 8
//	   operator (64), 9 address (128), 10 OFD name (128), 11 OFD site (64),
//	   12 OFD INN (17), 13 tax office site (64), 14 place (128), 15 sender
//	   e-mail (64), 16 agent sign (1057, 1 byte). Fields 1..6 and 16 come
//	   from the registration and are read-only (7Ah); 7, 9 and 14 are
//	   State.UserName, Address and Place (what documents print and carry).
//
// Refusals: a table there is not 5Dh (table not defined); a row or field
// out of range, a number out of the field's range or a value longer than
// the field 33h; a read-only field 7Ah (field not editable).

// Table answer codes.
const (
	codeBadParams     fiscal.Code = 0x33 // Некорректные параметры в команде
	codeNoTable       fiscal.Code = 0x5D // Таблица не определена
	codeReadOnly      fiscal.Code = 0x7A // Поле не редактируется
	codeNotInThisMode fiscal.Code = 0xC7 // Поле не редактируется в данном режиме
)

// tableField is one field of a settings table.
type tableField struct {
	name     string
	text     bool // a string (CHAR); else a number (BIN)
	size     int
	min, max uint64
	def      string // default: the number in decimal or the text
	readOnly bool
	// get and set bind the field to the state (row numbered from 1);
	// nil keeps it in State.Tables.
	get func(e *Emulator, row int) string
	set func(e *Emulator, row int, v string) fiscal.Code
}

type settingsTable struct {
	name   string
	rows   int
	fields []tableField
}

func num(name string, min, max uint64, def string) tableField {
	return tableField{name: name, size: 1, min: min, max: max, def: def}
}

func text(name string, size int, def string) tableField {
	return tableField{name: name, text: true, size: size, def: def}
}

// bound is f read from and written to the state.
func bound(f tableField, get func(e *Emulator, row int) string, set func(e *Emulator, row int, v string) fiscal.Code) tableField {
	f.get, f.set = get, set
	return f
}

// fixed is f read from the state and read-only.
func fixed(f tableField, get func(e *Emulator) string) tableField {
	f.get, f.readOnly = func(e *Emulator, _ int) string { return get(e) }, true
	return f
}

func itoa64(v uint64) string { return fmt.Sprint(v) }

var tables = map[byte]*settingsTable{
	1: {name: "ТИП И РЕЖИМ КАССЫ", rows: 1, fields: []tableField{
		num("НОМЕР КАССЫ В МАГАЗИНЕ", 1, 99, "1"), num("АВТООБНУЛЕНИЕ НАЛИЧНОСТИ", 0, 1, "0"),
		num("ПЕЧАТЬ РЕКЛАМНОГО ТЕКСТА", 0, 3, "0"), num("РЕЗЕРВ", 0, 1, "0"), num("РЕЗЕРВ", 0, 2, "1"),
		num("РАБОТА С ДЕНЕЖНЫМ ЯЩИКОМ", 0, 1, "1"), num("ОТРЕЗКА ЧЕКА", 0, 2, "0"),
		num("ПЕЧАТЬ ДРОБНОГО КОЛИЧЕСТВА", 0, 1, "0"), num("УРОВЕНЬ ДАТЧИКА ЯЩИКА", 0, 1, "0"),
		num("ДЛИТЕЛЬНОСТЬ ИМПУЛЬСА ЯЩИКА", 0, 255, "10"), num("ПАУЗА ЯЩИКА", 0, 255, "1"),
		num("КОЛИЧЕСТВО ИМПУЛЬСОВ ЯЩИКА", 0, 255, "1"), num("ВЕСОВЫЕ ДАТЧИКИ", 0, 1, "0"),
		num("НАЧИСЛЕНИЕ НАЛОГОВ", 0, 3, "0"), num("АВТОМАТИЧЕСКИЙ ПЕРЕВОД ВРЕМЕНИ", 0, 0, "0"),
		num("ПЕЧАТЬ НАЛОГОВ", 1, 4, "3"), num("ПЕЧАТЬ ЗАГОЛОВКА", 0, 1, "1"),
		num("ПЕЧАТЬ ЕДИНИЧНОГО КОЛИЧЕСТВА", 1, 1, "1"), num("СОХРАНЯТЬ СТРОКИ В БУФЕРЕ ЧЕКА", 1, 1, "1"),
		num("ПЕЧАТЬ ЧЕКА ПО ЗАКРЫТИЮ", 1, 1, "1"),
	}},
	2: {name: "ПАРОЛИ КАССИРОВ И АДМИНИСТРАТОРОВ", rows: 30, fields: []tableField{
		bound(tableField{name: "ПАРОЛЬ", size: 4, max: 99999999},
			func(e *Emulator, row int) string { return itoa64(uint64(e.st.Passwords[row-1])) },
			func(e *Emulator, row int, v string) fiscal.Code {
				e.st.Passwords[row-1] = uint32(atoi(v))
				return 0
			}),
		bound(text("ФАМИЛИЯ", 64, ""),
			func(e *Emulator, row int) string { return e.st.Names[row-1] },
			func(e *Emulator, row int, v string) fiscal.Code { e.st.Names[row-1] = v; return 0 }),
	}},
	17: {name: "РЕГИОНАЛЬНЫЕ НАСТРОЙКИ", rows: 1, fields: []tableField{
		num("KZ БИН/ИИН", 0, 1, "0"), num("KZ ТРЕБОВАТЬ ОТКРЫВАТЬ СМЕНУ", 0, 1, "1"),
		num("RUS РЕЖИМ ИСЧИСЛЕНИЯ СКИДОК", 0, 2, "2"), num("RUS МИН РАЗМ МОДУЛЯ QR", 4, 7, "4"),
		num("RUS МИН КОРР ОШИБОК QR", 0, 3, "1"), num("RUS МИН РАЗМЕР QR", 161, 255, "161"),
		num("RUS НЕ ПЕЧАТАТЬ ДОКУМЕНТ", 0, 3, "0"), num("RUS ОГРАНИЧИТЬ ВРЕМЯ СМЕНЫ", 0, 60, "1"),
		num("RUS ПЕЧАТАТЬ СКВОЗНОЙ НОМЕР", 0, 2, "1"), num("RUS ПЕЧАТЬ ПАРАМЕТРОВ ОФД", 0, 1, "0"),
		num("RUS ПРОВЕРЯТЬ КС ИНН", 0, 7, "7"),
		{name: "RUS ПЕЧАТЬ РЕКВИЗИТОВ ПОЛЬЗОВАТЕЛЯ", size: 4, max: 524287, def: "63"},
		text("RUS НАИМЕНОВАНИЕ РЕКВИЗИТА", 64, "Код"), num("RUS ПЕЧАТЬ РЕКВИЗИТА ПОЛЬЗОВАТЕЛЯ", 0, 1, "1"),
		num("RUS ПЕЧАТЬ ОТМЕНЕННЫХ ДОКУМЕНТОВ", 0, 1, "0"), num("RUS ПЕЧАТЬ НАЛОГА В ОПЕРАЦИИ", 0, 3, "2"),
		bound(num("RUS ФОРМАТ ФД", 1, 4, "4"),
			func(e *Emulator, _ int) string { return itoa64(uint64(e.st.FFD)) }, (*Emulator).setFFD),
	}},
	18: {name: "ФИСКАЛЬНЫЙ НАКОПИТЕЛЬ", rows: 1, fields: []tableField{
		fixed(text("ЗАВОДСКОЙ НОМЕР", 21, ""), func(e *Emulator) string { return e.st.Serial }),
		fixed(text("ИНН", 17, ""), func(e *Emulator) string { return fmt.Sprintf("%-12s", e.st.INN) }),
		fixed(text("РНМ", 21, ""), func(e *Emulator) string { return e.st.RNM }),
		fixed(text("НОМЕР ФН", 17, ""), func(e *Emulator) string { return e.st.FN }),
		fixed(num("СИСТЕМА НАЛОГООБЛОЖЕНИЯ", 0, 255, ""), func(e *Emulator) string { return itoa64(uint64(e.st.Reg.TaxSystems)) }),
		fixed(num("РЕЖИМ РАБОТЫ", 0, 255, ""), func(e *Emulator) string { return itoa64(uint64(e.workMode())) }),
		bound(text("ПОЛЬЗОВАТЕЛЬ", 128, ""), func(e *Emulator, _ int) string { return e.st.UserName },
			func(e *Emulator, _ int, v string) fiscal.Code { e.st.UserName = v; return 0 }),
		text("ОПЕРАТОР", 64, ""),
		bound(text("АДРЕС", 128, ""), func(e *Emulator, _ int) string { return e.st.Address },
			func(e *Emulator, _ int, v string) fiscal.Code { e.st.Address = v; return 0 }),
		text("НАИМЕНОВАНИЕ ОФД", 128, "ООО «ОФД-ЭМУЛЯТОР»"), text("САЙТ ОФД", 64, "ofd.invalid"),
		text("ИНН ОФД", 17, "7700000001  "), text("САЙТ ФНС", 64, "www.nalog.gov.ru"),
		bound(text("МЕСТО РАСЧЕТОВ", 128, ""), func(e *Emulator, _ int) string { return e.st.Place },
			func(e *Emulator, _ int, v string) fiscal.Code { e.st.Place = v; return 0 }),
		text("ЭЛ. АДРЕС ОТПРАВИТЕЛЯ", 64, ""),
		fixed(num("ПРИЗНАК АГЕНТА", 0, 127, ""), func(e *Emulator) string { return itoa64(uint64(e.st.Reg.Agent)) }),
	}},
}

func (e *Emulator) setFFD(_ int, v string) fiscal.Code {
	if e.st.ShiftOpen {
		return codeNotInThisMode
	}
	if v != "2" && v != "4" {
		return codeBadParams
	}
	e.st.FFD = byte(atoi(v))
	return 0
}

// tableArgs reads table (1), row (2) and field (1) after the password and
// finds the field; rest is what follows.
func tableArgs(args []byte) (f *tableField, t byte, row, n int, rest []byte, c fiscal.Code) {
	if len(args) < 4 {
		return nil, 0, 0, 0, nil, fiscal.CodeBadLength
	}
	t, row, n = args[0], int(shtrih.Uint(args[1:3])), int(args[3])
	tb, known := tables[t]
	switch {
	case !known:
		return nil, 0, 0, 0, nil, codeNoTable
	case row < 1 || row > tb.rows || n < 1 || n > len(tb.fields):
		return nil, 0, 0, 0, nil, codeBadParams
	}
	return &tb.fields[n-1], t, row, n, args[4:], 0
}

func tableKey(t byte, row, n int) string { return fmt.Sprintf("%d.%d.%d", t, row, n) }

// value is the field's value as text (a number in decimal).
func (e *Emulator) fieldValue(f *tableField, t byte, row, n int) string {
	if f.get != nil {
		return f.get(e, row)
	}
	if b, found := e.st.Tables[tableKey(t, row, n)]; found {
		if f.text {
			return shtrih.Text(b)
		}
		return itoa64(shtrih.Uint(b))
	}
	return f.def
}

// encode is v as the field holds it.
func (f *tableField) encode(v string) []byte {
	if f.text {
		return shtrih.PutText(nil, v, f.size)
	}
	return shtrih.PutUint(nil, uint64(atoi(v)), f.size)
}

// readTable is 1Fh.
func (e *Emulator) readTable(op int, args []byte) answer {
	if op != 30 {
		return fail(fiscal.CodeBadPassword)
	}
	f, t, row, n, _, c := tableArgs(args)
	if c != 0 {
		return fail(c)
	}
	return ok(f.encode(e.fieldValue(f, t, row, n))...)
}

// writeTable is 1Eh.
func (e *Emulator) writeTable(op int, args []byte) answer {
	if op != 30 {
		return fail(fiscal.CodeBadPassword)
	}
	f, t, row, n, v, c := tableArgs(args)
	switch {
	case c != 0:
		return fail(c)
	case f.readOnly:
		return fail(codeReadOnly)
	case len(v) == 0 || len(v) > f.size:
		return fail(codeBadParams)
	}
	s := shtrih.Text(v)
	if !f.text {
		x := shtrih.Uint(v)
		if x < f.min || x > f.max {
			return fail(codeBadParams)
		}
		s = itoa64(x)
	} else {
		s = dropControls(s)
	}
	if f.set != nil {
		return fail(f.set(e, row, s))
	}
	if e.st.Tables == nil {
		e.st.Tables = map[string][]byte{}
	}
	e.st.Tables[tableKey(t, row, n)] = f.encode(s)
	return ok()
}

// dropControls removes the characters 1..31, which a written text ignores.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 32 {
			return -1
		}
		return r
	}, s)
}

// tableInfo is 2Dh: the table's name (40), rows (2), fields (1).
func (e *Emulator) tableInfo(op int, args []byte) answer {
	if op != 30 {
		return fail(fiscal.CodeBadPassword)
	}
	if len(args) < 1 {
		return fail(fiscal.CodeBadLength)
	}
	tb, known := tables[args[0]]
	if !known {
		return fail(codeNoTable)
	}
	return ok(cat(shtrih.PutText(nil, tb.name, 40), u16(tb.rows), []byte{byte(len(tb.fields))})...)
}

// fieldInfo is 2Eh: the field's name (40), type, size, and a number's
// minimum and maximum.
func (e *Emulator) fieldInfo(op int, args []byte) answer {
	if op != 30 {
		return fail(fiscal.CodeBadPassword)
	}
	if len(args) < 2 {
		return fail(fiscal.CodeBadLength)
	}
	tb, known := tables[args[0]]
	switch {
	case !known:
		return fail(codeNoTable)
	case args[1] < 1 || int(args[1]) > len(tb.fields):
		return fail(codeBadParams)
	}
	f := tb.fields[args[1]-1]
	b := shtrih.PutText(nil, f.name, 40)
	if f.text {
		return ok(append(b, 1, byte(f.size))...)
	}
	b = append(b, 0, byte(f.size))
	return ok(cat(b, shtrih.PutUint(nil, f.min, f.size), shtrih.PutUint(nil, f.max, f.size))...)
}
