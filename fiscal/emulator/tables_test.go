package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

func field(table byte, row uint16, f byte) []byte {
	return shtrih.ReadTableArgs(30, table, row, f)[4:]
}

func TestReadTable(t *testing.T) {
	tests := []struct {
		name   string
		pwd    uint32
		args   []byte
		code   fiscal.Code
		want   []byte
		prefix string // a string field's text
	}{
		{name: "FFD", pwd: 30, args: field(17, 1, 17), want: []byte{4}},
		{name: "tax calculation", pwd: 30, args: field(1, 1, 14), want: []byte{0}},
		{name: "password of 29", pwd: 30, args: field(2, 29, 1), want: []byte{29, 0, 0, 0}},
		{name: "name of 1", pwd: 30, args: field(2, 1, 2), prefix: "КАССИР 1"},
		{name: "INN", pwd: 30, args: field(18, 1, 2), prefix: "7700000000  "},
		{name: "tax systems", pwd: 30, args: field(18, 1, 5), want: []byte{0x03}},
		{name: "agent", pwd: 30, args: field(18, 1, 16), want: []byte{0x0C}},
		{name: "not sysadmin", pwd: 1, args: field(17, 1, 17), code: 0x4F},
		{name: "unknown table", pwd: 30, args: field(99, 1, 1), code: 0x5D},
		{name: "row 31", pwd: 30, args: field(2, 31, 1), code: 0x33},
		{name: "field 18", pwd: 30, args: field(17, 1, 18), code: 0x33},
		{name: "short", pwd: 30, args: []byte{17, 1}, code: 0x7E},
	}
	e := memEmu(t, emulator.NewState(t0), t0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, data := exec(t, e, shtrih.CmdReadTable, pw(tt.pwd), tt.args)
			require.Equal(t, tt.code, code)
			if tt.prefix != "" {
				assert.Equal(t, tt.prefix, shtrih.Text(data))
			} else if tt.code == 0 {
				assert.Equal(t, tt.want, data)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	tests := []struct {
		name  string
		open  bool
		args  []byte
		code  fiscal.Code
		check func(t *testing.T, st emulator.State)
	}{
		{name: "FFD 1.05", args: append(field(17, 1, 17), 2), check: func(t *testing.T, st emulator.State) { assert.Equal(t, byte(2), st.FFD) }},
		{name: "FFD 3", args: append(field(17, 1, 17), 3), code: 0x33},
		{name: "FFD, shift open", open: true, args: append(field(17, 1, 17), 2), code: 0xC7},
		{name: "password", args: append(field(2, 5, 1), shtrih.PutUint(nil, 5555, 4)...),
			check: func(t *testing.T, st emulator.State) { assert.Equal(t, uint32(5555), st.Passwords[4]) }},
		{name: "name", args: append(field(2, 3, 2), shtrih.PutText(nil, "Петрова", 0)...),
			check: func(t *testing.T, st emulator.State) { assert.Equal(t, "Петрова", st.Names[2]) }},
		{name: "place", args: append(field(18, 1, 14), shtrih.PutText(nil, "Киоск", 0)...),
			check: func(t *testing.T, st emulator.State) { assert.Equal(t, "Киоск", st.Place) }},
		{name: "tax calculation", args: append(field(1, 1, 14), 1),
			check: func(t *testing.T, st emulator.State) { assert.Equal(t, []byte{1}, st.Tables["1.1.14"]) }},
		{name: "out of range", args: append(field(1, 1, 14), 4), code: 0x33},
		{name: "INN read-only", args: append(field(18, 1, 2), "7701234567"...), code: 0x7A},
		{name: "agent read-only", args: append(field(18, 1, 16), 4), code: 0x7A},
		{name: "too long", args: append(field(2, 1, 2), strings.Repeat("x", 65)...), code: 0x33},
		{name: "no value", args: field(2, 1, 2), code: 0x33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := emulator.NewState(t0)
			st.ShiftOpen = tt.open
			e := memEmu(t, st, t0)
			code, _ := exec(t, e, 0x1E, pw(30), tt.args)
			require.Equal(t, tt.code, code)
			if tt.check != nil {
				tt.check(t, e.State())
				code, _ = exec(t, e, shtrih.CmdReadTable, pw(30), tt.args[:4])
				require.Zero(t, code)
			}
		})
	}
	e := memEmu(t, emulator.NewState(t0), t0)
	code, _ := exec(t, e, 0x1E, pw(30), append(field(1, 1, 14), 2))
	require.Zero(t, code)
	_, data := exec(t, e, shtrih.CmdReadTable, pw(30), field(1, 1, 14))
	assert.Equal(t, []byte{2}, data, "read back")
}

func TestTableStructure(t *testing.T) {
	e := memEmu(t, emulator.NewState(t0), t0)
	tests := []struct {
		table        byte
		name         string
		rows, fields int
	}{
		{1, "ТИП И РЕЖИМ КАССЫ", 1, 20}, {2, "ПАРОЛИ КАССИРОВ И АДМИНИСТРАТОРОВ", 30, 2},
		{17, "РЕГИОНАЛЬНЫЕ НАСТРОЙКИ", 1, 17}, {18, "ФИСКАЛЬНЫЙ НАКОПИТЕЛЬ", 1, 16},
	}
	for _, tt := range tests {
		code, data := exec(t, e, 0x2D, pw(30), []byte{tt.table})
		require.Zero(t, code)
		require.Len(t, data, 43)
		assert.Equal(t, tt.name, shtrih.Text(data[:40]))
		assert.Equal(t, tt.rows, int(shtrih.Uint(data[40:42])))
		assert.Equal(t, tt.fields, int(data[42]))
	}
	code, _ := exec(t, e, 0x2D, pw(30), []byte{50})
	assert.Equal(t, fiscal.Code(0x5D), code)

	fields := []struct {
		table, field byte
		name         string
		typ, size    byte
		minmax       []byte
	}{
		{17, 17, "RUS ФОРМАТ ФД", 0, 1, []byte{1, 4}},
		{2, 1, "ПАРОЛЬ", 0, 4, []byte{0, 0, 0, 0, 0xFF, 0xE0, 0xF5, 0x05}},
		{2, 2, "ФАМИЛИЯ", 1, 64, nil},
		{18, 7, "ПОЛЬЗОВАТЕЛЬ", 1, 128, nil},
	}
	for _, f := range fields {
		code, data := exec(t, e, 0x2E, pw(30), []byte{f.table, f.field})
		require.Zero(t, code)
		assert.Equal(t, f.name, shtrih.Text(data[:40]))
		assert.Equal(t, []byte{f.typ, f.size}, data[40:42])
		if f.minmax != nil {
			assert.Equal(t, f.minmax, data[42:])
		} else {
			assert.Len(t, data, 42)
		}
	}
	code, _ = exec(t, e, 0x2E, pw(30), []byte{17, 0})
	assert.Equal(t, fiscal.Code(0x33), code)
}

func TestRegisters(t *testing.T) {
	st := emulator.NewState(t0)
	st.ShiftOpen, st.ShiftNumber, st.ShiftOpened, st.Cash = true, 3, t0, 500_00
	e := memEmu(t, st, t0)
	require.Zero(t, receiptCode(t, e, []fiscal.Tag{fiscal.Byte(2108, 0)}, nil, fiscal.OSN))
	code, _ := exec(t, e, shtrih.CmdCashIn, shtrih.PutMoney(pw(1), 200_00))
	require.Zero(t, code)
	line := fiscal.Line{Name: "x", Price: 5000, Quantity: 2_000_000, Tax: fiscal.NoVAT, Method: 4, Subject: 1, Department: 2}
	code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line))
	require.Zero(t, code)
	money := []struct {
		n    byte
		want int64
	}{
		{4, 100_00},   // sale in department 2 in the open receipt
		{0, 0},        // department 1 in the open receipt
		{121, 100_00}, // sale in department 1 in the shift
		{193, 100_00}, // cash payments of sales in the shift
		{241, 800_00}, // cash in the drawer
		{242, 200_00}, // cash in
		{243, 0},      // cash out
		{245, 100_00}, // sales in the shift
		{246, 0},      // buys
	}
	for _, m := range money {
		code, data := exec(t, e, 0x1A, pw(1), []byte{m.n})
		require.Zero(t, code)
		require.Len(t, data, 7)
		assert.Equal(t, byte(1), data[0])
		assert.Equal(t, m.want, int64(shtrih.Uint(data[1:])), "money register %d", m.n)
	}
	oper := []struct {
		n    byte
		want int
	}{{4, 1}, {64, 1}, {144, 1}, {145, 0}, {152, 0}, {153, 1}, {159, 2}}
	for _, o := range oper {
		code, data := exec(t, e, 0x1B, pw(1), []byte{o.n})
		require.Zero(t, code)
		require.Len(t, data, 3)
		want := o.want
		if o.n == 152 {
			want = e.State().DocNumber
		}
		assert.Equal(t, want, int(shtrih.Uint(data[1:])), "operating register %d", o.n)
	}
	code, _ = exec(t, e, 0x1A, pw(1), []byte{0x00, 0x01})
	assert.Equal(t, fiscal.Code(0x33), code, "K-registers are not kept")
}

func TestExchangeParams(t *testing.T) {
	e := memEmu(t, emulator.NewState(t0), t0)
	tests := []struct {
		name string
		cmd  shtrih.Cmd
		pwd  uint32
		args []byte
		code fiscal.Code
		want []byte
	}{
		{"default", 0x15, 30, []byte{0}, 0, []byte{6, 100}},
		{"set", 0x14, 30, []byte{1, 4, 150}, 0, nil},
		{"read back", 0x15, 30, []byte{1}, 0, []byte{4, 150}},
		{"port 0 kept", 0x15, 30, []byte{0}, 0, []byte{6, 100}},
		{"bad speed", 0x14, 30, []byte{0, 9, 1}, 0x33, nil},
		{"bad port", 0x15, 30, []byte{3}, 0x33, nil},
		{"cashier", 0x14, 1, []byte{0, 6, 1}, 0x4F, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, data := exec(t, e, tt.cmd, pw(tt.pwd), tt.args)
			require.Equal(t, tt.code, code)
			if tt.want != nil {
				assert.Equal(t, tt.want, data)
			}
		})
	}
	assert.Equal(t, emulator.Exchange{Speed: 4, Timeout: 150}, e.State().Exchange[1])
}

func TestClockProgramming(t *testing.T) {
	e := memEmu(t, emulator.NewState(t0), t0)
	mode := func() int {
		_, data := exec(t, e, shtrih.CmdShortStatus, pw(30))
		s, err := shtrih.ParseShortStatus(data)
		require.NoError(t, err)
		return s.Mode
	}
	fullTime := func() time.Time {
		_, data := exec(t, e, shtrih.CmdFullStatus, pw(30))
		return shtrih.DateAndTime(data[23:26], data[26:29], time.UTC)
	}
	steps := []struct {
		name string
		cmd  shtrih.Cmd
		args []byte
		code fiscal.Code
		mode int
	}{
		{"time", 0x21, []byte{15, 30, 0}, 0, 4},
		{"bad time", 0x21, []byte{24, 0, 0}, 0x33, 4},
		{"confirm without date", 0x23, []byte{1, 12, 26}, 0x73, 4},
		{"bad date", 0x22, []byte{31, 2, 26}, 0x7D, 4},
		{"date", 0x22, []byte{1, 12, 26}, 0, 6},
		{"other date", 0x23, []byte{2, 12, 26}, 0x7C, 4},
		{"date again", 0x22, []byte{1, 12, 26}, 0, 6},
		{"confirm", 0x23, []byte{1, 12, 26}, 0, 4},
	}
	for _, s := range steps {
		code, _ := exec(t, e, s.cmd, pw(30), s.args)
		require.Equal(t, s.code, code, s.name)
		require.Equal(t, s.mode, mode(), s.name)
	}
	assert.Equal(t, time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC), fullTime())

	st := emulator.NewState(t0)
	st.ShiftOpen, st.ShiftNumber, st.ShiftOpened = true, 1, t0
	e = memEmu(t, st, t0)
	code, _ := exec(t, e, 0x22, pw(30), []byte{1, 12, 26})
	assert.Equal(t, fiscal.CodeShiftOpen, code, "no date with the shift open")
}
