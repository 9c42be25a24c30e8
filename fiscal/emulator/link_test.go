package emulator_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// dialEmu returns a raw TCP connection to a fresh emulator.
func dialEmu(t *testing.T, filler bool) (*emulator.Emulator, net.Conn) {
	t.Helper()
	e, err := emulator.New(emulator.Config{ByteTimeout: 50 * time.Millisecond, TCPFiller: filler})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	addr, err := e.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	c, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return e, c
}

func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := io.ReadFull(c, b)
	require.NoError(t, err)
	return b
}

func silent(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	b := make([]byte, 1)
	n, _ := c.Read(b)
	assert.Zero(t, n, "unexpected byte % X", b[:n])
}

// TestLinkKKTSide checks spec §3.1 on the wire.
func TestLinkKKTSide(t *testing.T) {
	e, c := dialEmu(t, true)
	status := []byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0B}

	c.Write([]byte{shtrih.ENQ})
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1), "idle: ENQ -> NAK")

	bad := append([]byte(nil), status...)
	bad[7] ^= 1
	c.Write(bad)
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1), "bad LRC -> NAK")
	c.Write(status[:5])
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1), "truncated -> NAK after the byte timeout")
	c.Write([]byte{0x03, 0x01, 0x10, 0x11})
	silent(t, c, 100*time.Millisecond) // no STX: ignored
	assert.Zero(t, e.Executed(shtrih.CmdShortStatus))

	c.Write(status)
	assert.Equal(t, []byte{shtrih.ACK}, readN(t, c, 1))
	ans := readN(t, c, 19)
	p, err := shtrih.Decode(ans)
	require.NoError(t, err)
	assert.Equal(t, byte(0x10), p[0])
	// The answer is kept until ACKed: NAK does not resend, ENQ does.
	c.Write([]byte{shtrih.NAK})
	silent(t, c, 100*time.Millisecond)
	c.Write([]byte{shtrih.ENQ})
	assert.Equal(t, append([]byte{shtrih.ACK}, ans...), readN(t, c, 20))
	c.Write([]byte{shtrih.ACK})
	assert.Equal(t, []byte{shtrih.Filler}, readN(t, c, 1), "0xFF after the host ACK on TCP")
	c.Write([]byte{shtrih.ENQ})
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1), "answer gone after ACK")
	assert.Equal(t, 1, e.Executed(shtrih.CmdShortStatus), "only ENQ retrieves, never re-executes")

	// Power loss: the stored answer is lost.
	e.Arm(emulator.FaultPowerLoss, 0)
	c.Write(status)
	assert.Equal(t, []byte{shtrih.ACK}, readN(t, c, 1))
	silent(t, c, 100*time.Millisecond)
	c.Write([]byte{shtrih.ENQ})
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1))
}
