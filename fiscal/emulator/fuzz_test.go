package emulator_test

import (
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// FuzzExec feeds arbitrary payloads (command code, password, parameters, TLVs)
// to the command decoder of an emulator with a shift and a receipt open: it
// must always answer with a well-formed payload for the same command.
func FuzzExec(f *testing.F) {
	f.Add([]byte{0x10, 0x1E, 0, 0, 0})
	f.Add(shtrih.Payload(shtrih.CmdOperationTag, fiscal.Struct(1224, fiscal.String(1225, "x")).Append(shtrih.Password(30))))
	f.Add(shtrih.Payload(shtrih.CmdDocTag, fiscal.Byte(1057, 8).Append(shtrih.Password(30))))
	f.Add(shtrih.Payload(shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, fiscal.Line{Name: "x", Price: 1, Quantity: 1_000_000, Tax: fiscal.NoVAT})))
	f.Add(shtrih.Payload(shtrih.CmdCloseReceipt, shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 5}})))
	f.Add(shtrih.Payload(shtrih.CmdLoadData, shtrih.LoadDataArgs(30, 127, []byte("https://hub.example.ru"))))
	f.Add(shtrih.Payload(shtrih.CmdPrint2D, shtrih.PrintQRArgs(30, 7089)))
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, p []byte) {
		st := emulator.NewState(now)
		st.ShiftOpen, st.ShiftNumber, st.ShiftOpened, st.Cash = true, 1, now, 1000
		st.Receipt = &emulator.Receipt{Operator: 30, Lines: []emulator.Line{{Op: 1, Qty: 1, Price: 1, Sum: 1, TaxBits: 8, Method: 4}}}
		e, err := emulator.New(emulator.Config{Initial: &st, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if len(p) > shtrih.MaxPayload {
			p = p[:shtrih.MaxPayload]
		}
		ans := e.Exec(p)
		if len(ans) == 0 || len(ans) > shtrih.MaxPayload {
			t.Fatalf("answer of %d bytes", len(ans))
		}
		if cmd, _, ok := shtrih.CmdOf(p); ok {
			if _, _, err := shtrih.ParseAnswer(cmd, ans); err != nil {
				t.Fatalf("answer % X to % X: %v", ans, p, err)
			}
		}
	})
}

// FuzzLink feeds arbitrary bytes to the emulator's link layer (frame decoding)
// through a pipe; it must neither hang nor panic.
func FuzzLink(f *testing.F) {
	f.Add([]byte{0x05})
	f.Add([]byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0B, 0x06})
	f.Add([]byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0C})
	f.Add([]byte{0x02, 0x00, 0x15, 0xFF})
	f.Add([]byte{0x8F, 0x08, 0x00, 0x15, 0x00, 0x8D, 0x01, 0x00, 0x00, 0x00, 0x00, 0x4A, 0xEE})
	f.Add([]byte{0x8F, 0x00, 0x00, 0x0F, 0x1D, 0x8F, 0x9F, 0x81})
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := emulator.New(emulator.Config{ByteTimeout: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		c := newPipeConn(in)
		done := make(chan error, 1)
		go func() { done <- e.ServeConn(c, true) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("link layer hangs")
		}
		e.Close()
	})
}
