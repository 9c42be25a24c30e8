package emulator

import (
	"bufio"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/atol/wire"
)

// host is the test's end of a connection to the emulator.
type host struct {
	t  *testing.T
	c  net.Conn
	r  *bufio.Reader
	id byte
}

func dialEmu(t *testing.T) (*Emulator, *host) {
	e := New(Config{ByteTimeout: 50 * time.Millisecond})
	t.Cleanup(func() { e.Close() })
	addr, err := e.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	c, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return e, &host{t: t, c: c, r: bufio.NewReader(c)}
}

func (h *host) send(data []byte) (wire.Packet, error) {
	h.id = wire.NextID(h.id)
	_, err := h.c.Write(wire.Encode(h.id, data))
	require.NoError(h.t, err)
	return h.read()
}

func (h *host) read() (wire.Packet, error) {
	require.NoError(h.t, h.c.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	return wire.Read(h.r.ReadByte)
}

func (h *host) must(data []byte) []byte {
	p, err := h.send(data)
	require.NoError(h.t, err)
	assert.Equal(h.t, h.id, p.ID, "the answer carries the packet's id")
	return p.Data
}

var status = []byte{0, 0, CmdStatus}

func TestTaskBuffer(t *testing.T) {
	e, h := dialEmu(t)
	assert.Equal(t, []byte{wire.Result}, h.must([]byte{wire.Abort}))

	a := h.must(wire.AddTask(wire.NeedResult, 5, []byte{0, 0, CmdCut, 0}))
	assert.Equal(t, []byte{wire.Result, 0x55, 0, 0}, a)
	assert.Equal(t, []byte{wire.Exists}, h.must(wire.AddTask(wire.NeedResult, 5, []byte{0, 0, CmdCut, 0})))
	assert.Equal(t, 1, e.Executed(CmdCut), "a task id runs once")
	assert.Equal(t, []byte{wire.Result, 5, 0x55, 0, 0}, h.must(wire.ReqTask(5)))
	assert.Equal(t, []byte{wire.Result}, h.must(wire.AckTask(5)))
	assert.Equal(t, []byte{wire.NotFound}, h.must(wire.ReqTask(5)))
	assert.Equal(t, []byte{wire.NotFound}, h.must(wire.AckTask(5)))

	// Without NeedResult the result is not kept.
	h.must(wire.AddTask(0, 6, status))
	assert.Equal(t, []byte{wire.NotFound}, h.must(wire.ReqTask(6)))

	// An unknown command fails with F2h.
	assert.Equal(t, []byte{wire.Error, 0x55, 0xF2, 0}, h.must(wire.AddTask(0, 7, []byte{0, 0, 0x01})))
	// Bad buffer commands.
	assert.Equal(t, []byte{wire.BadValue}, h.must([]byte{0x77}))
	assert.Equal(t, []byte{wire.BadValue}, h.must(wire.AddTask(0, 0xE5, status)))
	assert.Equal(t, []byte{wire.BadValue}, h.must([]byte{wire.Req}))
}

func TestBadPacketsAreDropped(t *testing.T) {
	e, h := dialEmu(t)
	bad := wire.Encode(1, wire.AddTask(wire.NeedResult, 1, []byte{0, 0, CmdCut, 0}))
	bad[len(bad)-1] ^= 0x01
	_, err := h.c.Write(bad)
	require.NoError(t, err)
	_, err = h.read()
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded, "no answer to a bad CRC")
	// Half a packet, then silence past the byte timeout.
	_, err = h.c.Write([]byte{wire.STX, 0x03})
	require.NoError(t, err)
	time.Sleep(120 * time.Millisecond)
	assert.Equal(t, []byte{wire.NotFound}, h.must(wire.ReqTask(1)))
	assert.Equal(t, 0, e.Executed(CmdCut))
}

func TestFaultsOnTheWire(t *testing.T) {
	e, h := dialEmu(t)
	e.Arm(FaultLoseAnswer, CmdCut)
	_, err := h.send(wire.AddTask(wire.NeedResult, 1, []byte{0, 0, CmdCut, 0}))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Equal(t, []byte{wire.Result, 1, 0x55, 0, 0}, h.must(wire.ReqTask(1)))

	e.Arm(FaultGarble, 0)
	_, err = h.send(wire.ReqTask(1))
	assert.ErrorIs(t, err, wire.ErrCRC)

	e.Arm(FaultPowerLossAfter, 0)
	_, err = h.send(wire.AddTask(wire.NeedResult, 2, []byte{0, 0, CmdCut, 0}))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Equal(t, []byte{wire.NotFound}, h.must(wire.ReqTask(1)), "the buffer is lost with the power")
	assert.Equal(t, 2, e.Executed(CmdCut))

	e.Arm(FaultPowerLossBefore, CmdCut)
	_, err = h.send(wire.AddTask(wire.NeedResult, 3, []byte{0, 0, CmdCut, 0}))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Equal(t, 2, e.Executed(CmdCut))
}

func TestStatusLayout(t *testing.T) {
	e, h := dialEmu(t)
	a := h.must(wire.AddTask(0, 1, status))
	require.Equal(t, wire.Result, a[0])
	d := a[1:]
	require.Equal(t, wire.AnswerDev, d[0])
	require.Len(t, d, 30)
	assert.Equal(t, byte(0x09), d[9], "fiscal, paper, no shift")
	e.SetPaper(false)
	d = h.must(wire.AddTask(0, 2, status))[1:]
	assert.Equal(t, byte(0x01), d[9])
}

func TestControl(t *testing.T) {
	e := New(Config{Now: func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) }})
	defer e.Close()
	tests := []struct{ in, want string }{
		{"paper-out", "ok"},
		{"status", "ok mode=0 shift=0 shift_open=false paper=false last_fd=0 cash=0 receipt=none"},
		{"paper-in", "ok"},
		{"fault lose-answer 4A", "ok"},
		{"fault nope", "error: unknown fault nope"},
		{"fault garble ZZ", "error: bad command code ZZ"},
		{"advance 25h", "ok"},
		{"advance soon", `error: bad duration "soon"`},
		{"", "error: empty command"},
		{"fly", "error: unknown command fly"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, e.Control(tt.in), tt.in)
	}
	assert.Equal(t, time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC), e.now())
	assert.Len(t, e.faults, 1)
	_, err := e.ListenControl("0.0.0.0:0")
	assert.Error(t, err)
}
