package emulator

import (
	"testing"

	"paydesk/fiscal/atol/wire"
)

// FuzzHandle feeds arbitrary buffer commands to a register with a shift
// and a receipt open: nothing may panic, and every answer it sends is a
// task state or buffer error the parser knows.
func FuzzHandle(f *testing.F) {
	f.Add(wire.AddTask(wire.NeedResult, 1, []byte{0, 0, CmdItem, 0}))
	f.Add(wire.AddTask(0, 2, []byte{0, 0, CmdPayment, 0, 1, 0x99, 0x99}))
	f.Add(wire.AddTask(0, 3, []byte{0, 0, CmdFN, FNStatus}))
	f.Add(wire.AddTask(0, 4, []byte{0, 0, CmdRegister, RegFFD, 0, 0}))
	f.Add(wire.AddTask(0, 5, []byte{0, 0, CmdFN, FNDocTLV, 1, 0, 0, 0}))
	f.Add(wire.AddTask(0, 6, []byte{0, 0, CmdReadTag, 0x21, 0x04, 0}))
	f.Add(wire.AddTask(0, 7, []byte{0, 0, CmdWriteTag, TagPrint, 1, 0, 0xFC, 0x04, 1, 0, 4}))
	f.Add(wire.AddTask(0, 8, []byte{0, 0, CmdWriteTag, TagPrint, 2, 0, 0xFD, 0x03, 9, 0}))
	f.Add(wire.AddTask(0, 9, []byte{0, 0, CmdBeginItem, 0, 1, 0}))
	f.Add(wire.ReqTask(1))
	f.Add([]byte{wire.Abort})
	f.Fuzz(func(t *testing.T, data []byte) {
		e := New(Config{})
		e.st.Mode, e.st.ShiftOpen, e.st.Shift = ModeRegistration, true, 1
		e.st.Receipt = &Receipt{Kind: 1}
		e.st.Docs = []Doc{{FD: 1, Type: DocShiftOpen, Shift: 1}}
		ans, _, ok := e.handle(data)
		if !ok {
			return
		}
		if _, err := wire.ParseAnswer(ans, len(data) > 0 && data[0] == wire.Req); err != nil {
			t.Fatalf("answer % X to % X: %v", ans, data, err)
		}
	})
}
