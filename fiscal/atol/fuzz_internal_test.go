package atol

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/atol/wire"
)

// scriptConn is a register that answers each packet the driver sends with
// the script's next answer: a length byte, then that many bytes of packet
// data (a task state and the command's answer), sent under the packet's
// id. When the script ends it answers nothing. It records the commands of
// every Add.
type scriptConn struct {
	script []byte
	out    bytes.Buffer
	adds   map[byte]int // command code → Adds carrying it
	bad    error
}

func (c *scriptConn) Write(b []byte) (int, error) {
	r := bytes.NewReader(b)
	p, err := wire.Read(r.ReadByte)
	if err != nil || r.Len() != 0 {
		c.bad = errors.New("the driver wrote a malformed packet")
		return len(b), nil
	}
	if len(p.Data) > 5 && p.Data[0] == wire.Add {
		c.adds[p.Data[5]]++
	}
	if len(c.script) == 0 {
		return len(b), nil
	}
	n := min(int(c.script[0]), len(c.script)-1)
	c.out.Write(wire.Encode(p.ID, c.script[1:1+n]))
	c.script = c.script[1+n:]
	return len(b), nil
}

func (c *scriptConn) Read(b []byte) (int, error) {
	if c.out.Len() == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	return c.out.Read(b)
}

func (c *scriptConn) SetReadDeadline(time.Time) error { return nil }
func (c *scriptConn) Close() error                    { return nil }

func step(data ...byte) []byte { return append([]byte{byte(len(data))}, data...) }

var fuzzOps = []string{"status", "last document", "info", "document tags", "open shift", "z report", "cash in", "fiscalize", "continue", "print qr"}

// FuzzDevice runs a driver operation against a register that answers from
// the fuzzer's script, so that every answer the driver decodes (3Fh, 45h,
// 4Dh, the A4h queries, the task buffer's states) meets malformed,
// contradictory, lost and refused answers. Whatever they are, the driver
// neither panics nor writes a malformed packet, reports every failure as a
// *fiscal.Error naming its operation, and sends each fiscal command once.
func FuzzDevice(f *testing.F) {
	res := func(ans ...byte) []byte { return step(append([]byte{wire.Result}, ans...)...) }
	ack := step(wire.Result)
	f.Add(uint8(0), bytes.Join([][]byte{step(wire.Result), res(append([]byte{wire.AnswerDev}, make([]byte, 29)...)...), ack}, nil))
	f.Add(uint8(1), bytes.Join([][]byte{step(wire.Result), res(append([]byte{wire.AnswerOK, 0, 3, 0, 0, 1, 0}, make([]byte, 25)...)...), ack}, nil))
	f.Add(uint8(3), bytes.Join([][]byte{step(wire.Result), res(wire.AnswerOK, 0, 3, 0, 8, 0), ack, res(wire.AnswerOK, 0, 0x10, 0x04, 1, 0, 1), ack}, nil))
	f.Add(uint8(7), bytes.Join([][]byte{step(wire.Result), res(append([]byte{wire.AnswerDev}, make([]byte, 29)...)...), ack,
		step(wire.Pending), step(wire.NotFound)}, nil))
	// The last document: 30h names FD 1, 45h its type and length, 46h
	// its tags; and Info's E9h (1057) and register 36h.
	fn30 := append([]byte{wire.AnswerOK, 0}, make([]byte, 30)...)
	fn30[2+26] = 1
	doc := fiscal.EncodeTags(fiscal.Uint32(1040, 1), fiscal.Tag{Num: 1077, Value: []byte{0, 0, 1, 2, 3, 4}}, fiscal.Uint32(1038, 1))
	f.Add(uint8(1), bytes.Join([][]byte{step(wire.Result), res(fn30...), ack, res(wire.AnswerOK, 0, 2, 0, byte(len(doc)), 0), ack,
		res(append([]byte{wire.AnswerOK, 0}, doc...)...), ack}, nil))
	f.Add(uint8(2), bytes.Join([][]byte{step(wire.Result), res(wire.AnswerOK, 0x7A), ack, res(wire.AnswerOK, 0x7A), ack,
		res(wire.AnswerOK, 0x7A), ack, res(wire.AnswerOK, 0x7A), ack, res(wire.AnswerOK, 0, 2, 2, 0, 0, 0, 0), ack}, nil))
	f.Add(uint8(6), bytes.Join([][]byte{step(wire.Result), res(cmdCash, 0, 0, 0, 0, 0x50, 0), ack}, nil))
	f.Fuzz(func(t *testing.T, op uint8, script []byte) {
		c := &scriptConn{script: script, adds: map[byte]int{}}
		d := New(c, Options{ByteTimeout: time.Millisecond, AnswerTimeout: time.Millisecond, MaxAnswerTimeout: 20 * time.Millisecond, Tries: 2})
		d.l.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
		ctx := context.Background()
		name := fuzzOps[int(op)%len(fuzzOps)]
		var err error
		switch name {
		case "status":
			_, err = d.Status(ctx)
		case "last document":
			_, err = d.LastDocument(ctx)
		case "info":
			_, err = d.Info(ctx)
		case "document tags":
			_, err = d.DocumentTags(ctx, 1)
		case "open shift":
			err = d.OpenShift(ctx, fiscal.Cashier{Name: "Кассир"})
		case "z report":
			err = d.ZReport(ctx, fiscal.Cashier{})
		case "cash in":
			_, err = d.CashIn(ctx, fiscal.Cashier{}, 100_00)
		case "fiscalize":
			r := fiscal.Receipt{Lines: []fiscal.Line{{Name: "Платеж", Price: 100_00, Quantity: 1_000_000, Tax: fiscal.NoVAT}},
				Payments: fiscal.Payments{Cash: 100_00}, Tags: []fiscal.Tag{fiscal.String(1008, "+79161234567")}}
			_, err = d.Fiscalize(ctx, r)
		case "continue":
			err = d.Continue(ctx)
		case "print qr":
			err = d.PrintQR(ctx, []byte("https://hub.example.ru/p/P1/1"))
		}
		if c.bad != nil {
			t.Fatal(c.bad)
		}
		if err != nil {
			var fe *fiscal.Error
			if !errors.As(err, &fe) {
				t.Fatalf("%s: error %q (%T) is not a *fiscal.Error", name, err, err)
			}
			if !strings.EqualFold(fe.Op, name) {
				t.Fatalf("%s: error %q names operation %q", name, err, fe.Op)
			}
		}
		for _, code := range []byte{cmdClose, cmdOpenShift, cmdZReport, cmdCashIn, cmdBarcode} {
			if c.adds[code] > 1 {
				t.Fatalf("%s: command %02Xh sent %d times", name, code, c.adds[code])
			}
		}
	})
}
