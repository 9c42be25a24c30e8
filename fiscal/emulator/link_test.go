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

// readV2 reads one v2 packet answer.
func readV2(t *testing.T, c net.Conn) (uint16, []byte) {
	t.Helper()
	var buf []byte
	b := make([]byte, 512)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, _ := c.Read(b)
		buf = append(buf, b[:n]...)
		if num, data, err := shtrih.DecodeV2(buf); err == nil {
			return num, data
		}
	}
	t.Fatalf("no v2 answer, got % X", buf)
	return 0, nil
}

// TestV2 checks protocol v2 auto-detection and the packet-number rule.
func TestV2(t *testing.T) {
	e, c := dialEmu(t, false)
	send := func(num uint16, p []byte) {
		f, err := shtrih.EncodeV2(num, p)
		require.NoError(t, err)
		_, err = c.Write(f)
		require.NoError(t, err)
	}
	cashIn := shtrih.Payload(shtrih.CmdCashIn, shtrih.PutMoney(shtrih.Password(30), 100))
	open := shtrih.Payload(shtrih.CmdOpenShift, shtrih.Password(30))
	send(0x0015, open)
	num, ans := readV2(t, c)
	assert.Equal(t, uint16(0x0015), num)
	assert.Equal(t, []byte{0xE0, 0x00, 30}, ans)
	send(0x0016, cashIn)
	num, first := readV2(t, c)
	assert.Equal(t, uint16(0x0016), num)
	// A repeat of the same number (the host lost the answer) is answered again, not executed.
	send(0x0016, cashIn)
	num, again := readV2(t, c)
	assert.Equal(t, uint16(0x0016), num)
	assert.Equal(t, first, again)
	assert.Equal(t, 1, e.Executed(shtrih.CmdCashIn))
	// Ping returns the last answer.
	c.Write([]byte{0x8F, 0x00, 0x00, 0x0F, 0x1D})
	num, _ = readV2(t, c)
	assert.Equal(t, uint16(0x0016), num)
	// The v1 link still works on the same line.
	c.Write([]byte{shtrih.ENQ})
	assert.Equal(t, []byte{shtrih.NAK}, readN(t, c, 1))
}
