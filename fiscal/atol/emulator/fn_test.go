package emulator

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/atol/wire"
)

func cmd(code byte, data ...byte) []byte { return append([]byte{0, 0, code}, data...) }

func tlv(num uint16, v ...byte) []byte { return appendTLV(nil, num, v) }

func writeTag(flags, blocks, block byte, data []byte) []byte {
	return cmd(CmdWriteTag, append([]byte{flags, blocks, block}, data...)...)
}

// begin is EAh: begin a position.
func begin() []byte { return cmd(CmdBeginItem, 0, 1, 0) }

// item is EBh for one piece of name at 1.00, full payment.
func item(name string) []byte { return itemAs(name, 0) }

// itemAs is item with subject 1212 (0: none).
func itemAs(name string, subject byte) []byte {
	d := []byte{0}
	d = append(d, wire.BCD(100, 7)...)  // price
	d = append(d, wire.BCD(1000, 5)...) // quantity 1.000
	d = append(d, wire.BCD(100, 7)...)  // cost
	d = append(d, 1)                    // tax type
	d = append(d, make([]byte, 7)...)   // tax sum
	d = append(d, 0x01)                 // department 1
	d = append(d, wire.BCD(uint64(subject), 1)...)
	d = append(d, 0x04, 0)            // 1214 full payment, discount sign
	d = append(d, make([]byte, 9)...) // discount, reserved
	return cmd(CmdItem, append(d, wire.Text(name)...)...)
}

// code is the device code of an answer (0 for success).
func code(a []byte) byte {
	if len(a) < 2 {
		return 0xFF
	}
	return a[1]
}

// TestWriteTagRules: E8h takes one whole TLV, the item's inside a position
// (EAh … EBh), else the document's, and refuses what a fiscal drive refuses.
func TestWriteTagRules(t *testing.T) {
	inReceipt := [][]byte{cmd(CmdEnterMode, 1, 0, 0, 0, 0x30), cmd(CmdOpenShift, 0), cmd(CmdOpenReceipt, 0, 1)}
	tests := []struct {
		name  string
		setup [][]byte
		run   [][]byte // each but the last must succeed
		want  byte
	}{
		{"outside any mode", nil, [][]byte{writeTag(TagPrint, 1, 0, tlv(1021, 'A'))}, errBadMode},
		{"a position without a receipt", inReceipt[:2], [][]byte{begin()}, errReceiptClosed},
		{"a position in a position", inReceipt, [][]byte{begin(), begin()}, errFNBadParam},
		{"an item without its position", inReceipt, [][]byte{item("A")}, errFNBadParam},
		{"two TLVs in one E8h", inReceipt, [][]byte{writeTag(TagPrint, 1, 0, append(tlv(1021, 'A'), tlv(1008, '@')...))}, errFNBadParam},
		{"an unknown E8h flag", inReceipt, [][]byte{writeTag(0x02, 1, 0, tlv(1021, 'A'))}, errFNBadParam},
		{"a short EBh", inReceipt, [][]byte{begin(), cmd(CmdItem, 0, 1, 2)}, errBadLength},
		{"a cut TLV", inReceipt, [][]byte{writeTag(TagPrint, 1, 0, tlv(1021, 'A')[:4])}, errFNBadParam},
		{"no TLV", inReceipt, [][]byte{writeTag(TagPrint, 1, 0, nil)}, errBadLength},
		{"a receipt tag twice", inReceipt, [][]byte{writeTag(TagPrint, 1, 0, tlv(1021, 'A')), writeTag(TagPrint, 1, 0, tlv(1021, 'B'))}, errFNBadParam},
		{"phones may repeat", inReceipt, [][]byte{writeTag(TagPrint, 1, 0, tlv(1073, '1')), writeTag(TagPrint, 1, 0, tlv(1073, '2'))}, 0},
		{"blocks out of order", inReceipt, [][]byte{writeTag(TagPrint, 2, 1, tlv(1021, 'A'))}, errFNBadParam},
		{"blocks in order", inReceipt, [][]byte{writeTag(TagPrint, 2, 0, tlv(1021, 'A', 'B')[:4]), writeTag(TagPrint, 2, 1, []byte{'A', 'B'})}, 0},
		{"a position left without its item", inReceipt, [][]byte{begin(), item("A"), begin(), writeTag(TagPrint, 1, 0, tlv(1222, 4)),
			cmd(CmdClose, 0, 1, 0, 0, 0, 0x01, 0x00)}, errFNBadParam},
		{"item tags go with their item", inReceipt, [][]byte{begin(), writeTag(TagPrint, 1, 0, tlv(1222, 4)), item("A"),
			cmd(CmdClose, 0, 1, 0, 0, 0, 0x01, 0x00)}, 0},
		{"no receipt type 3", inReceipt[:2], [][]byte{cmd(CmdOpenReceipt, 0, 3)}, errFNBadParam},
		{"a correction without what it corrects", inReceipt[:2], [][]byte{cmd(CmdOpenReceipt, 0, 7), begin(), item("A"),
			writeTag(TagPrint, 1, 0, tlv(1173, 0)), cmd(CmdClose, 0, 1, 0, 0, 0, 0x01, 0x00)}, errFNBadParam},
		{"a correction", inReceipt[:2], [][]byte{cmd(CmdOpenReceipt, 0, 7), begin(), item("A"),
			writeTag(TagPrint, 1, 0, tlv(1173, 0)), writeTag(TagPrint, 1, 0, tlv(1174, tlv(1178, 1, 2, 3, 4)...)), cmd(CmdClose, 0, 1, 0, 0, 0, 0x01, 0x00)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{})
			defer e.Close()
			e.mu.Lock()
			defer e.mu.Unlock()
			for _, c := range tt.setup {
				require.Zero(t, code(e.run(c)), "% X", c)
			}
			for i, c := range tt.run {
				got := code(e.run(c))
				if i < len(tt.run)-1 {
					require.Zero(t, got, "% X", c)
					continue
				}
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

// TestTagsInTheJournal: the tags of a receipt, its items and a shift
// report are in the journal, and the drive reads them back.
func TestTagsInTheJournal(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range [][]byte{
		cmd(CmdEnterMode, 1, 0, 0, 0, 0x30), writeTag(TagPrint, 1, 0, tlv(1021, 'K')), cmd(CmdOpenShift, 0),
		cmd(CmdOpenReceipt, 0, 1), begin(), writeTag(TagPrint, 1, 0, tlv(1222, 8)), itemAs("A", 10), begin(), item("B"),
		writeTag(TagPrint, 1, 0, tlv(1008, '@')), cmd(CmdPayment, 0, 1, 0, 0, 0, 0x02, 0x00), cmd(CmdClose, 0, 1, 0, 0, 0, 0, 0),
	} {
		require.Zero(t, code(e.run(c)), "% X", c)
	}
	st := e.st
	require.Len(t, st.Docs, 2)
	assert.Equal(t, []Tag{{1021, []byte{'K'}}}, st.Docs[0].Tags)
	r := st.Docs[1]
	assert.Equal(t, []Tag{{1008, []byte{'@'}}}, r.Tags)
	assert.Equal(t, []Tag{{1212, []byte{10}}, {1214, []byte{4}}, {1222, []byte{8}}}, r.Lines[0].Tags,
		"1212 and 1214 from EBh's fields, then the tags E8h wrote inside the position")
	assert.Equal(t, []Tag{{1214, []byte{4}}}, r.Lines[1].Tags, "E8h outside a position is not an item's")
	assert.Equal(t, int64(200), r.Cash)

	a := e.run(cmd(CmdFN, FNDocTLV, 2, 0, 0, 0))
	require.Zero(t, code(a))
	var got []Tag
	for {
		a := e.run(cmd(CmdFN, FNDocTLVNext))
		if code(a) == errFNNoData {
			break
		}
		tags, ok := decodeTLV(a[2:])
		require.True(t, ok)
		got = append(got, tags...)
	}
	t1008, ok := FindTag(got, 1008)
	require.True(t, ok)
	assert.Equal(t, []byte{'@'}, t1008.Value)
	n := 0
	for _, tg := range got {
		if tg.Num == 1059 {
			n++
		}
	}
	assert.Equal(t, 2, n)
	t1077, ok := FindTag(got, 1077)
	require.True(t, ok)
	assert.Equal(t, binary.BigEndian.AppendUint32([]byte{0, 0}, fp(2)), t1077.Value, "1077: six bytes, the sign in the last four")
	assert.Equal(t, errFNNoData, code(e.run(cmd(CmdFN, FNDocTLV, 9, 0, 0, 0))))
	assert.Equal(t, errNoCommand, code(e.run(cmd(CmdFN, 0x40, 2, 0, 0, 0))), "40h is gone: no public source reads its answer")
	assert.Equal(t, errNoCommand, code(e.run(cmd(CmdFN, 0x7F))))
}

// TestRegistrationReads: E9h hands out the registration's attributes
// (blocks, then the TLV) and 91h register 36h the FFD versions, both
// after 55h and the code only, as TerminalClient reads them.
func TestRegistrationReads(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.Reg.Agent, e.st.Reg.FFD = 0x04, 2
	tests := []struct {
		name string
		cmd  []byte
		want []byte
	}{
		{"1057", cmd(CmdReadTag, 0x21, 0x04, 0), []byte{wire.AnswerOK, 0, 1, 0x21, 0x04, 1, 0, 0x04}},
		{"1209", cmd(CmdReadTag, 0xB9, 0x04, 0), []byte{wire.AnswerOK, 0, 1, 0xB9, 0x04, 1, 0, 2}},
		{"a second block", cmd(CmdReadTag, 0x21, 0x04, 1), fail(errFNBadParam)},
		{"no such attribute", cmd(CmdReadTag, 0xE8, 0x03, 0), fail(errFNNoData)},
		{"short", cmd(CmdReadTag, 0x21, 0x04), fail(errBadLength)},
		{"register 36h", cmd(CmdRegister, RegFFD, 0, 0), []byte{wire.AnswerOK, 0, 2, 2, 0, 0, 0, 0}},
		{"another register", cmd(CmdRegister, 0x34, 0, 0), fail(errNotSupported)},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, e.run(tt.cmd), tt.name)
	}
	e.st.Reg.Agent = 0
	assert.Equal(t, fail(errFNNoData), e.run(cmd(CmdReadTag, 0x21, 0x04, 0)), "a registration without 1057")
	e.st.NoFNQueries = true
	assert.Equal(t, fail(errNotSupported), e.run(cmd(CmdReadTag, 0x21, 0x04, 0)))
	assert.Equal(t, fail(errNotSupported), e.run(cmd(CmdRegister, RegFFD, 0, 0)))
}

func TestFNControl(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	e := New(Config{Now: func() time.Time { return now }})
	defer e.Close()
	tests := []struct{ in, want string }{
		{"ffd 1.05", "ok"},
		{"ffd 1.1", `error: FFD "1.1": want 1.05 or 1.2`},
		{"registration inn=7701234567,agent=subagent,tax=usn+psn,auto=true", "ok"},
		{"registration inn=12", `error: registration inn="12": want 10 to 12 digits`},
		{"registration tax=usn+vat", `error: registration tax="usn+vat": "vat" is not osn, usn, usn-minus, eshn or psn`},
		{"registration agent=boss", `error: registration agent="boss": want none, agent, subagent or agent+subagent`},
		{"registration color=red", `error: registration key "color": want inn, rnm, agent, tax or auto`},
		{"fn-expire 3", "ok"},
		{"fn-expire soon", `error: fn-expire "soon": want whole days`},
		{"ofd-backlog 2 31d", "ok"},
		{"ofd-backlog two 1d", `error: ofd-backlog "two": want a number of documents`},
		{"ofd-backlog 2 long", `error: age "long": want days (31d) or a duration (36h)`},
		{"fn-memory 90", "ok"},
		{"fn-memory 50", "error: fn-memory: want 90 or ok"},
		{"fn-critical maybe", "error: fn-critical: want on or off"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, e.Control(tt.in), tt.in)
	}
	st := e.State()
	assert.Equal(t, Registration{INN: "7701234567", RNM: DefaultRNM, Tax: 0x22, Agent: 0x08, Auto: true, FFD: 2}, st.Reg,
		"a refused registration changes nothing")
	assert.Equal(t, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), st.FNExpires)
	assert.True(t, st.OFDStuck)
	assert.Equal(t, byte(0x04), st.Warnings)
	assert.Equal(t, "ok", e.Control("ofd-send"))
	assert.False(t, e.State().OFDStuck)
}
