package emulator_test

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

var updateFrames = flag.Bool("update-frames", false, "rewrite testdata/frames.tsv from framesScript")

// framesPath holds request and answer frames of every command the tables,
// registers, clock, discounts, barcodes, registration and fiscal drive
// ageing brought, one step a line:
//
//	frame   NAME  REQUEST-FRAME-HEX  ANSWER-FRAME-HEX
//	control LINE  ANSWER
//
// with tabs between; "#" starts a comment.
var framesPath = filepath.Join("testdata", "frames.tsv")

type frameStep struct {
	name    string
	payload []byte // nil: a control line
	control string
}

func fr(name string, c shtrih.Cmd, parts ...[]byte) frameStep {
	var a []byte
	for _, p := range parts {
		a = append(a, p...)
	}
	return frameStep{name: name, payload: shtrih.Payload(c, a)}
}

func framesScript() []frameStep {
	p30, p28 := pw(30), pw(28)
	regTag := func(n uint16) []byte { return shtrih.PutUint([]byte{1}, uint64(n), 2) }
	line := shtrih.OperationArgs(30, fiscal.Sale, fiscal.Line{Name: "Платёж", Price: 10000, Quantity: 1_000_000, Tax: fiscal.NoVAT, Method: 4, Subject: 1})
	closeArgs := shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 20000}, TaxSystem: fiscal.OSN})
	unit := fiscal.Byte(2108, 0).Encode()
	closeUSN := shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 10000}, TaxSystem: fiscal.USNIncome})
	corrV2, _ := shtrih.CorrectionArgs(30, fiscal.Receipt{Lines: []fiscal.Line{{Price: 10000, Quantity: 1_000_000, Tax: fiscal.NoVAT}},
		Payments: fiscal.Payments{Cash: 10000}, TaxSystem: fiscal.USNIncome, Correction: &fiscal.Correction{}})
	adj := func(sum int64, text string) []byte {
		return cat(shtrih.PutMoney(p30, sum), []byte{0, 0, 0, 0}, shtrih.PutText(nil, text, 0))
	}
	return []frameStep{
		fr("2Dh table 1", 0x2D, p30, []byte{1}),
		fr("2Dh table 18", 0x2D, p30, []byte{18}),
		fr("2Eh 17/17 FFD", 0x2E, p30, []byte{17, 17}),
		fr("2Eh 18/2 INN", 0x2E, p30, []byte{18, 2}),
		fr("1Fh 17/1/17 FFD", 0x1F, shtrih.ReadTableArgs(30, 17, 1, 17)),
		fr("1Fh 18/1/3 RNM", 0x1F, shtrih.ReadTableArgs(30, 18, 1, 3)),
		fr("1Fh 1/1/14 tax calculation", 0x1F, shtrih.ReadTableArgs(30, 1, 1, 14)),
		fr("1Eh 2/1/2 name", 0x1E, shtrih.ReadTableArgs(30, 2, 1, 2), shtrih.PutText(nil, "Иванова", 0)),
		fr("1Fh 2/1/2 name", 0x1F, shtrih.ReadTableArgs(30, 2, 1, 2)),
		fr("1Eh 18/1/2 INN read-only", 0x1E, shtrih.ReadTableArgs(30, 18, 1, 2), []byte("7701234567")),
		fr("1Fh table 99", 0x1F, shtrih.ReadTableArgs(30, 99, 1, 1)),
		fr("1Fh cashier's password", 0x1F, shtrih.ReadTableArgs(1, 17, 1, 17)),
		fr("15h port 0", 0x15, p30, []byte{0}),
		fr("14h port 0 57600", 0x14, p30, []byte{0, 5, 100}),
		fr("15h port 0 again", 0x15, p30, []byte{0}),
		fr("21h 15:30:00", 0x21, p30, []byte{15, 30, 0}),
		fr("22h 01.12.26", 0x22, p30, []byte{1, 12, 26}),
		fr("10h mode 6", 0x10, p30),
		fr("23h 01.12.26", 0x23, p30, []byte{1, 12, 26}),
		fr("11h the new date", 0x11, p30),
		fr("F7h model parameters", 0xF7, []byte{1}),
		fr("FF03 expiry", 0xFF03, p30),
		fr("FF09 registration", 0xFF09, p30),
		fr("FF0E 1018", 0xFF0E, p30, regTag(1018)),
		fr("FF0E 1062", 0xFF0E, p30, regTag(1062)),
		fr("FF0E 1209", 0xFF0E, p30, regTag(1209)),
		fr("FF0E 1057", 0xFF0E, p30, regTag(1057)),
		fr("FF0E 1008 not held", 0xFF0E, p30, regTag(1008)),
		fr("FF01 status", 0xFF01, p30),
		fr("FF39 OFD status", 0xFF39, p30),
		fr("FF3F unsent", 0xFF3F, p30),
		fr("40h X report, senior cashier", 0x40, p28),
		fr("E0h open shift", 0xE0, p30),
		fr("FF46 line", 0xFF46, line),
		fr("FF4D 2108", 0xFF4D, p30, unit),
		fr("86h discount", 0x86, adj(1000, "СКИДКА ПОСТОЯННОМУ")),
		fr("87h markup", 0x87, adj(500, "")),
		fr("8Ah cancel discount", 0x8A, adj(500, "")),
		fr("8Bh cancel markup too much", 0x8B, adj(600, "")),
		fr("89h subtotal", 0x89, p30),
		fr("1Ah 0 in receipt", 0x1A, p30, []byte{0}),
		fr("1Ah 64 discount in receipt", 0x1A, p30, []byte{64}),
		fr("C2h EAN-13", 0xC2, p30, shtrih.PutUint(nil, 460123456789, 5)),
		fr("CBh CODE128", 0xCB, p30, []byte{50, 2, 2, 0, 8}, []byte("PAYDESK-1")),
		fr("FF45 close", 0xFF45, closeArgs),
		fr("1Ah 241 cash", 0x1A, p30, []byte{241}),
		fr("1Ah 245 sales", 0x1A, p30, []byte{245}),
		fr("1Bh 144 sale receipts", 0x1B, p30, []byte{144}),
		fr("80h sale, short text", 0x80, p30, shtrih.PutUint(nil, 1000, 5), shtrih.PutMoney(nil, 5000), []byte{1, 0, 0, 0, 0}, shtrih.PutText(nil, "Чай", 0)),
		fr("85h close, short text", 0x85, p30, shtrih.PutMoney(nil, 5000), make([]byte, 15), []byte{0, 0}, []byte{0, 0, 0, 0}, shtrih.PutText(nil, "Спасибо", 0)),
		fr("FF46 line", 0xFF46, line),
		fr("FF45 no 2108 in FFD 1.2", 0xFF45, closeArgs),
		fr("88h cancel", 0x88, p30),
		{control: "ofd-backlog 2 31d"},
		fr("FF39 backlog", 0xFF39, p30),
		fr("FF01 OFD warning", 0xFF01, p30),
		fr("FF46 refused 14h", 0xFF46, line),
		{control: "ofd-send"},
		{control: "fn-expire -1"},
		fr("FF46 refused 12h", 0xFF46, line),
		fr("FF03 expired", 0xFF03, p30),
		{control: "fn-expire 20"},
		fr("FF01 expires soon", 0xFF01, p30),
		{control: "ffd 1.05"},
		fr("1Fh FFD 1.05", 0x1F, shtrih.ReadTableArgs(30, 17, 1, 17)),
		fr("FF46 line 1.05", 0xFF46, line),
		fr("FF45 no 2108 in FFD 1.05", 0xFF45, closeArgs),
		{control: "registration agent=none,tax=usn"},
		fr("FF0E 1057 not an agent", 0xFF0E, p30, regTag(1057)),
		fr("FF46 line", 0xFF46, line),
		fr("FF45 OSN not registered", 0xFF45, closeArgs),
		fr("88h cancel", 0x88, p30),
		fr("8Dh correction in FFD 1.05", 0x8D, p30, []byte{0x80}),
		fr("FF35 correction 1.05", 0xFF35, p30),
		fr("FF0C 1173", 0xFF0C, p30, fiscal.Byte(1173, 0).Encode()),
		fr("FF0C 1174", 0xFF0C, p30, fiscal.Struct(1174, fiscal.String(1177, "чек не сформирован"), settled, fiscal.String(1179, "PD1")).Encode()),
		fr("FF4A correction V2", 0xFF4A, corrV2),
		{control: "ffd 1.2"},
		fr("8Dh correction 1.2", 0x8D, p30, []byte{0x80}),
		fr("FF46 line", 0xFF46, line),
		fr("FF4D 2108", 0xFF4D, p30, unit),
		fr("FF45 correction without 1173", 0xFF45, closeUSN),
		fr("FF0C 1173", 0xFF0C, p30, fiscal.Byte(1173, 0).Encode()),
		fr("FF0C 1174", 0xFF0C, p30, fiscal.Struct(1174, settled).Encode()),
		fr("FF45 correction 1.2", 0xFF45, closeUSN),
		fr("FF0A the correction", 0xFF0A, p30, []byte{7, 0, 0, 0}),
	}
}

func cat(parts ...[]byte) (b []byte) {
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func framesEmu(t *testing.T) *emulator.Emulator {
	st := emulator.NewState(t0)
	return memEmu(t, st, t0)
}

func writeFrames(t *testing.T) {
	e := framesEmu(t)
	var b strings.Builder
	b.WriteString("# Request and answer frames of a fresh emulator at 2026-11-26 09:00 UTC (TestFrames; -update-frames rewrites).\n")
	for _, s := range framesScript() {
		if s.payload == nil {
			fmt.Fprintf(&b, "control\t%s\t%s\n", s.control, e.Control(s.control))
			continue
		}
		req, err := shtrih.Encode(s.payload)
		require.NoError(t, err)
		ans, err := shtrih.Encode(e.Exec(s.payload))
		require.NoError(t, err)
		fmt.Fprintf(&b, "frame\t%s\t%s\t%s\n", s.name, hex.EncodeToString(req), hex.EncodeToString(ans))
	}
	require.NoError(t, os.WriteFile(framesPath, []byte(b.String()), 0o644))
}

// TestFrames replays the captured frames against a fresh emulator with a
// fixed clock: every answer frame is the one captured.
func TestFrames(t *testing.T) {
	if *updateFrames {
		writeFrames(t)
	}
	f, err := os.Open(framesPath)
	require.NoError(t, err)
	defer f.Close()
	e := framesEmu(t)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		col := strings.Split(sc.Text(), "\t")
		if col[0] == "control" {
			require.Equal(t, col[2], e.Control(col[1]), col[1])
			continue
		}
		require.Len(t, col, 4, sc.Text())
		req, err := hex.DecodeString(col[2])
		require.NoError(t, err)
		p, err := shtrih.Decode(req)
		require.NoError(t, err, col[1])
		ans, err := shtrih.Encode(e.Exec(p))
		require.NoError(t, err)
		require.Equal(t, col[3], hex.EncodeToString(ans), col[1])
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 60)
}
