package shtrih

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

// FuzzDecode: Decode never panics, and what it accepts re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0B})
	f.Add([]byte{0x02, 0x03, 0x88, 0x00, 0x1E, 0x94})
	f.Add([]byte{0x02, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		f, err := Encode(p)
		if err != nil || !bytes.Equal(f, b) {
			t.Fatalf("% X decoded to % X, re-encoded to % X (%v)", b, p, f, err)
		}
	})
}

// memConn replays bytes to the link reader.
type memConn struct {
	in  []byte
	out bytes.Buffer
}

func (m *memConn) Read(b []byte) (int, error) {
	if len(m.in) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(b, m.in)
	m.in = m.in[n:]
	return n, nil
}
func (m *memConn) Write(b []byte) (int, error)     { return m.out.Write(b) }
func (m *memConn) SetReadDeadline(time.Time) error { return nil }

// FuzzReadFrame feeds arbitrary line bytes to the driver's frame reader and
// answer decoders (status, FN status, documents, TLVs).
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0xFF, 0x02, 0x03, 0x88, 0x00, 0x1E, 0x95})
	f.Add([]byte{0x02, 0x10, 0x10, 0x00, 0x1E, 0x92, 0x02, 0x08, 0x00, 0x01, 0x9F, 0xE5, 0x18, 0x01, 0x00, 0x8B, 0x02, 0x00, 0x6D})
	f.Add(append([]byte{0x02, 0x09, 0xFF, 0x0E, 0x00}, fiscal.Byte(1057, 8).Encode()...))
	f.Fuzz(func(t *testing.T, in []byte) {
		l := &link{conn: &memConn{in: in}, byteTimeout: time.Millisecond, log: slog.New(slog.DiscardHandler)}
		p, err := l.readFrame(time.Millisecond, false)
		if err != nil {
			return
		}
		cmd, _, ok := CmdOf(p)
		if !ok {
			return
		}
		_, data, err := ParseAnswer(cmd, p)
		if err != nil {
			return
		}
		_, _ = ParseShortStatus(data)
		_, _ = ParseFNStatus(data, time.UTC)
		_, _ = ParseDocument(data, time.UTC)
		_, _ = ParseDocumentHeader(data)
		_, _ = DecodeDocument(DocumentHeader{Type: 3, Length: len(data)}, data)
		if tags, err := fiscal.DecodeTags(data); err == nil {
			for _, tg := range tags {
				_, _ = tg.Children()
			}
		}
	})
}

// FuzzParseAnswers feeds an answer payload to ParseAnswer for a command and
// its data to the exported answer decoders (10h, FF01, FF0A, FF3A, and the
// FF3B document TLV): what they
// accept they accept exactly by the spec's layout, and what they refuse is
// fiscal.ErrBadAnswer.
func FuzzParseAnswers(f *testing.F) {
	f.Add(uint16(CmdShortStatus), []byte{0x10, 0x00, 0x1E, 0x8A, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Add(uint16(CmdFNStatus), append([]byte{0xFF, 0x01, 0x00, 0x03, 0x04, 0x00, 0x01, 0x00, 26, 11, 26, 9, 0},
		[]byte("9999078900001234\x05\x00\x00\x00")...))
	f.Add(uint16(CmdFNFindDoc), []byte{0xFF, 0x0A, 0x00, 0x03, 0x00, 26, 11, 26, 9, 30, 0x05, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0x01, 0x10, 0x27, 0, 0, 0})
	f.Add(uint16(CmdFNFindDoc), []byte{0xFF, 0x0A, 0x00, 0x02, 0x00, 26, 11, 26, 9, 0, 0x02, 0, 0, 0, 1, 2, 3, 4, 0x01, 0x00})
	f.Add(uint16(CmdFNStatus), []byte{0xFF, 0x50})
	f.Add(uint16(CmdFNDocTLV), []byte{0xFF, 0x3A, 0x00, 0x03, 0x00, 0x3C, 0x01})
	f.Add(uint16(CmdFNDocTLV), []byte{0xFF, 0x08})
	f.Add(uint16(CmdFNReadTLV), append([]byte{0xFF, 0x3B, 0x00}, fiscal.Struct(1084, fiscal.String(1085, "Транзакция"), fiscal.String(1086, "SESSION-1")).Encode()...))
	f.Add(uint16(CmdFNReadTLV), append([]byte{0xFF, 0x3B, 0x00}, fiscal.Struct(3, fiscal.Uint32(1040, 7), fiscal.Byte(1054, 1)).Encode()...))
	f.Add(uint16(CmdFNReadTLV), []byte{0xFF, 0x3B, 0x00, 0x03, 0x00, 0x08, 0x00, 0x10, 0x04})
	f.Fuzz(func(t *testing.T, c uint16, p []byte) {
		cmd := Cmd(c)
		code, data, err := ParseAnswer(cmd, p)
		if err != nil {
			if !errors.Is(err, fiscal.ErrBadAnswer) {
				t.Fatalf("ParseAnswer error %v is not ErrBadAnswer", err)
			}
		} else {
			switch {
			case cmd.Long() && len(p) == 2:
				if p[0] != 0xFF || code != fiscal.Code(p[1]) || data != nil {
					t.Fatalf("short FF answer % X read as %v % X", p, code, data)
				}
			case cmd.Long():
				if p[0] != 0xFF || p[1] != byte(cmd) || code != fiscal.Code(p[2]) || !bytes.Equal(data, p[3:]) {
					t.Fatalf("answer % X to %v read as %v % X", p, cmd, code, data)
				}
			default:
				if p[0] != byte(cmd) || code != fiscal.Code(p[1]) || !bytes.Equal(data, p[2:]) {
					t.Fatalf("answer % X to %v read as %v % X", p, cmd, code, data)
				}
			}
		}
		// The decoders are also fed the raw payload, as a confused device
		// would send it.
		for _, d := range [][]byte{data, p} {
			checkDecoders(t, d)
		}
	})
}

func checkDecoders(t *testing.T, d []byte) {
	t.Helper()
	ss, err := ParseShortStatus(d)
	if (err != nil) != (len(d) < 10) || err != nil && !errors.Is(err, fiscal.ErrBadAnswer) {
		t.Fatalf("10h data of %d bytes: %v", len(d), err)
	}
	if err == nil {
		ops := int(d[5])
		if len(d) > 10 {
			ops |= int(d[10]) << 8
		}
		if ss.Operator != int(d[0]) || ss.Mode != int(d[3]&15) || ss.ModeStatus != int(d[3]>>4) || ss.Submode != int(d[4]) ||
			ss.Flags != uint16(d[1])|uint16(d[2])<<8 || ss.Ops != ops {
			t.Fatalf("10h data % X read as %+v", d, ss)
		}
	}
	fn, err := ParseFNStatus(d, time.UTC)
	if (err != nil) != (len(d) < 30) || err != nil && !errors.Is(err, fiscal.ErrBadAnswer) {
		t.Fatalf("FF01 data of %d bytes: %v", len(d), err)
	}
	if err == nil {
		if fn.LastFD != uint32(Uint(d[26:30])) || fn.ShiftOpen != (d[3] == 1) || fn.Phase != d[0] ||
			strings.TrimRight(fn.Number, "\x00 ") != fn.Number || !strings.HasPrefix(string(d[10:26]), fn.Number) {
			t.Fatalf("FF01 data % X read as %+v", d, fn)
		}
	}
	doc, err := ParseDocument(d, time.UTC)
	if (err != nil) != (len(d) < 2) || err != nil && !errors.Is(err, fiscal.ErrBadAnswer) {
		t.Fatalf("FF0A data of %d bytes: %v", len(d), err)
	}
	if err == nil {
		if doc.Type != fiscal.DocType(d[0]) {
			t.Fatalf("FF0A data % X read as type %d", d, doc.Type)
		}
		if len(d) < 15 && (doc.FD != 0 || doc.FP != 0 || !doc.Time.IsZero()) {
			t.Fatalf("FF0A data % X of %d bytes read as %+v", d, len(d), doc)
		}
		if len(d) >= 15 && (doc.FD != uint32(Uint(d[7:11])) || doc.FP != uint32(Uint(d[11:15]))) {
			t.Fatalf("FF0A data % X read as %+v", d, doc)
		}
		if doc.Type == fiscal.DocReceipt && len(d) >= 21 && (doc.Sum != Money(d[16:21]) || doc.Kind != fiscal.ReceiptKind(d[15])) {
			t.Fatalf("FF0A receipt % X read as %+v", d, doc)
		}
	}
	h, err := ParseDocumentHeader(d)
	if (err != nil) != (len(d) < 4) || err != nil && !errors.Is(err, fiscal.ErrBadAnswer) {
		t.Fatalf("FF3A data of %d bytes: %v", len(d), err)
	}
	if err == nil && (h.Type != uint16(Uint(d[0:2])) || h.Length != int(Uint(d[2:4]))) {
		t.Fatalf("FF3A data % X read as %+v", d, h)
	}
	// The document TLV: what decodes re-encodes to the bytes read, with the
	// document's own STLV around it when that was opened.
	tags, err := DecodeDocument(DocumentHeader{Type: 3, Length: len(d)}, d)
	if err != nil {
		if !errors.Is(err, fiscal.ErrBadAnswer) {
			t.Fatalf("document TLV % X: %v", d, err)
		}
	} else if enc := fiscal.EncodeTags(tags...); !bytes.Equal(enc, d) && !bytes.Equal(fiscal.Struct(3, tags...).Encode(), d) {
		t.Fatalf("document TLV % X read as %v", d, tags)
	}
}

// scriptConn is a register that answers from a script, for FuzzDevice. For
// every command frame it takes the next step: a tag byte and a length byte,
// then that many bytes. Tag%4 is 0: answer "command code, bytes" (the bytes
// start with the device code); 1: answer the bytes as the whole payload
// (an answer to another command, or garbage); 2: the answer is lost (ACK,
// then nothing, and NAK to ENQ: no answer held); 3: the frame is refused
// (NAK). When the script ends the device falls silent. Reads never wait:
// an empty line is a timeout at once.
type scriptConn struct {
	script  []byte
	out     []byte
	pending []byte         // answer frame not yet acknowledged
	sent    map[Cmd]int    // commands the device took (ACKed)
	order   []Cmd          // in order
	lost    map[Cmd]bool   // commands whose answer was lost
	silent  bool           // the script has ended
	frames  map[string]int // command frames taken, by payload
	bad     error          // a malformed frame from the driver
}

func newScriptConn(script []byte) *scriptConn {
	return &scriptConn{script: script, sent: map[Cmd]int{}, lost: map[Cmd]bool{}, frames: map[string]int{}}
}

func (s *scriptConn) Read(b []byte) (int, error) {
	if len(s.out) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(b, s.out)
	s.out = s.out[n:]
	return n, nil
}

func (s *scriptConn) SetReadDeadline(time.Time) error { return nil }

func (s *scriptConn) Write(b []byte) (int, error) {
	switch {
	case len(b) == 1 && b[0] == ENQ:
		switch {
		case s.silent:
		case s.pending != nil:
			s.out = append(s.out, ACK)
			s.out = append(s.out, s.pending...)
		default:
			s.out = append(s.out, NAK)
		}
	case len(b) == 1 && b[0] == ACK:
		s.pending = nil
	case len(b) == 1 && b[0] == NAK:
		if s.pending != nil {
			s.out = append(s.out, s.pending...)
		}
	case len(b) > 0 && b[0] == STX:
		p, err := Decode(b)
		if err != nil {
			s.bad = fmt.Errorf("the driver sent a bad frame % X: %w", b, err)
			return 0, s.bad
		}
		cmd, n, _ := CmdOf(p)
		if len(s.script) < 2 {
			s.silent = true
			return len(b), nil
		}
		tag, size := s.script[0]%4, int(s.script[1])
		s.script = s.script[2:]
		size = min(size, len(s.script))
		data := s.script[:size]
		s.script = s.script[size:]
		if tag == 3 {
			s.out = append(s.out, NAK)
			return len(b), nil
		}
		s.sent[cmd]++
		s.order = append(s.order, cmd)
		s.frames[string(p)]++
		s.out = append(s.out, ACK)
		var ans []byte
		switch tag {
		case 0:
			ans = append(append([]byte{}, p[:n]...), data...)
		case 1:
			ans = data
		}
		if len(ans) > MaxPayload {
			ans = ans[:MaxPayload]
		}
		frame, err := Encode(ans)
		if err != nil { // lost (tag 2) or empty
			s.pending = nil
			s.lost[cmd] = true
			return len(b), nil
		}
		s.pending = frame
		s.out = append(s.out, frame...)
	}
	return len(b), nil
}

// fuzzReceipt is a payment agent's receipt: a payment and the fee.
func fuzzReceipt() fiscal.Receipt {
	return fiscal.Receipt{
		Lines: []fiscal.Line{
			{Name: "Оплата связи МТС +79161234567", Price: 50000, Quantity: 1_000_000, Tax: fiscal.NoVAT,
				Subject: fiscal.SubjectPayment, Department: 1, Agent: fiscal.PaymentSubagent,
				Supplier: &fiscal.Supplier{Name: `ПАО "МТС"`, INN: "7740000076", Phones: []string{"+78000000003"}}},
			{Name: "Вознаграждение платежного агента", Price: 1000, Quantity: 1_000_000, Tax: fiscal.NoVAT,
				Subject: fiscal.SubjectAgentFee, Department: 1},
		},
		Payments:  fiscal.Payments{Cash: 60000},
		TaxSystem: fiscal.USNIncome,
		Agent:     &fiscal.Agent{Sign: fiscal.PaymentSubagent, AgentPhones: []string{"+74950000001"}},
		Cashier:   fiscal.Cashier{Name: "Иванова А.А.", INN: "500100732259"},
	}
}

// fuzzDeviceOps are the driver operations FuzzDevice runs (op%len).
var fuzzDeviceOps = []string{"status", "last document", "cash in", "fiscalize", "open shift", "z report", "x report", "cancel receipt", "print text", "cash out", "cut", "continue"}

// step is one step of a scriptConn script.
func scriptStep(tag byte, b ...byte) []byte { return append([]byte{tag, byte(len(b))}, b...) }

// scriptOK answers code 0 without data; scriptStatus a 10h answer in a mode
// and submode with paper; scriptFN an FF01 answer with last FD 5.
var (
	scriptOK     = scriptStep(0, 0)
	scriptStatus = func(mode, submode byte) []byte {
		return scriptStep(0, 0, 30, 0x02, 0x00, mode, submode, 0, 0, 0, 0, 0, 0)
	}
	scriptFN = scriptStep(0, append([]byte{0, 0x03, 0x00, 0x00, 0x01, 0x00, 26, 11, 26, 9, 0}, []byte("9999078900001234\x05\x00\x00\x00")...)...)
)

// FuzzDevice runs a driver operation against a register that answers from
// the fuzzer's script, so that every answer decoder of the driver, inline
// ones included (11h, FF40, 26h, FCh, FF45, 50h), meets malformed and
// contradictory answers, lost answers and refusals. See runDevice for what
// must hold.
func FuzzDevice(f *testing.F) {
	full := scriptStep(0, append([]byte{0}, make([]byte, 40)...)...)
	f.Add(uint8(0), bytes.Join([][]byte{scriptStatus(4, 0), scriptStep(0, make([]byte, 48)...), scriptStep(0, 0, 1, 1, 0, 0, 0), scriptFN, scriptOK, scriptOK}, nil))
	f.Add(uint8(1), bytes.Join([][]byte{scriptFN, scriptStep(0, 0, 3, 0, 26, 11, 26, 9, 30, 5, 0, 0, 0, 1, 2, 3, 4, 1, 0x10, 0x27, 0, 0, 0)}, nil))
	f.Add(uint8(2), bytes.Join([][]byte{scriptStatus(2, 0), full, scriptStep(2), full, scriptStatus(2, 0)}, nil))
	f.Add(uint8(3), bytes.Join([][]byte{scriptStatus(2, 0), scriptFN, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptOK, scriptStep(2), scriptFN, scriptStatus(8, 0), scriptStep(0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 2, 3, 4)}, nil))
	f.Add(uint8(128+4), bytes.Join([][]byte{scriptStatus(4, 0), scriptOK, scriptStatus(3, 0), scriptOK, scriptOK, scriptOK, scriptOK}, nil))
	f.Add(uint8(3), bytes.Join([][]byte{scriptStep(3), scriptStatus(2, 0), scriptStep(1, 0x11, 0), scriptStep(1)}, nil))
	f.Fuzz(func(t *testing.T, op uint8, script []byte) {
		runDevice(t, op, script)
	})
}

// TestDeviceRegressions replays, by name, the scripts FuzzDevice found
// (their raw inputs are in testdata/fuzz/FuzzDevice).
func TestDeviceRegressions(t *testing.T) {
	full := scriptStep(0, append([]byte{0}, make([]byte, 40)...)...)
	tests := []struct {
		name   string
		op     uint8
		script []byte
		kind   fiscal.Kind
	}{
		// The device took the cash-in (code 0) but its answer lacked the
		// document number: the driver returned a bare ErrBadAnswer, of no
		// kind, and the till voided an operation the device had made.
		{"cash in taken, answer without document", 2, bytes.Join([][]byte{scriptStatus(2, 0), full, scriptOK}, nil), fiscal.KindLink},
		{"cash out taken, answer without document", 9, bytes.Join([][]byte{scriptStatus(2, 0), full, scriptStep(0, 0, 30)}, nil), fiscal.KindLink},
		// The document counter before the cash-in could not be read.
		{"cash in, short full status", 2, bytes.Join([][]byte{scriptStatus(2, 0), scriptStep(0, 0, 1, 2)}, nil), fiscal.KindLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runDevice(t, tt.op, tt.script)
			require.Error(t, err)
			require.ErrorIs(t, err, fiscal.ErrBadAnswer)
			require.Equal(t, tt.kind, fiscal.KindOf(err))
		})
	}
}

// runDevice runs operation op (see fuzzDeviceOps; op >= 128 sets AutoShift)
// against the script and asserts what must hold whatever the answers: the
// driver neither panics nor hangs nor sends a malformed frame; it reports
// every failure as a *fiscal.Error (the Register contract: the till decides
// by its kind) under the operation's name; it never sends a cash-in or
// cash-out twice in one operation, and sends a receipt close (FF45) a
// second time only when the first one's answer was lost.
func runDevice(t *testing.T, op uint8, script []byte) error {
	t.Helper()
	conn := newScriptConn(script)
	d := New(conn, Options{AutoShift: op >= 128, ReadyTimeout: time.Second, Location: time.UTC,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	ctx := context.Background()
	name := fuzzDeviceOps[int(op&127)%len(fuzzDeviceOps)]
	var err error
	switch name {
	case "status":
		var st fiscal.Status
		st, err = d.Status(ctx)
		if err == nil && (st.Mode < 0 || st.Mode > 15 || st.LineWidth < 0) {
			t.Fatalf("status %+v", st)
		}
	case "last document":
		_, err = d.LastDocument(ctx)
	case "cash in":
		_, err = d.CashIn(ctx, fiscal.Cashier{}, 100_00)
	case "cash out":
		_, err = d.CashOut(ctx, fiscal.Cashier{}, 100_00)
	case "fiscalize":
		_, err = d.Fiscalize(ctx, fuzzReceipt())
	case "open shift":
		err = d.OpenShift(ctx, fiscal.Cashier{Name: "Иванова А.А."})
	case "z report":
		err = d.ZReport(ctx, fiscal.Cashier{})
	case "x report":
		err = d.XReport(ctx)
	case "cancel receipt":
		err = d.CancelReceipt(ctx)
	case "cut":
		err = d.Cut(ctx, op&1 == 1)
	case "continue":
		err = d.Continue(ctx)
	case "print text":
		err = d.PrintText(ctx, []string{"Спасибо за покупку", strings.Repeat("=", 60)})
	}
	if conn.bad != nil {
		t.Fatal(conn.bad)
	}
	if err != nil {
		var fe *fiscal.Error
		if !errors.As(err, &fe) {
			t.Fatalf("%s: error %q (%T) is not a *fiscal.Error", name, err, err)
		}
		if !strings.HasPrefix(err.Error(), "shtrih: "+name+": ") {
			t.Fatalf("%s: error %q does not name the operation", name, err)
		}
	}
	if conn.sent[CmdCashIn] > 1 || conn.sent[CmdCashOut] > 1 {
		t.Fatalf("%s: cash command sent %d+%d times: %v", name, conn.sent[CmdCashIn], conn.sent[CmdCashOut], conn.order)
	}
	if n := conn.sent[CmdCloseReceipt]; n > 2 || n == 2 && !conn.lost[CmdCloseReceipt] {
		t.Fatalf("%s: FF45 sent %d times (lost: %v): %v", name, n, conn.lost[CmdCloseReceipt], conn.order)
	}
	return err
}
