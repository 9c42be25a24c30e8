package emulator

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/atol/wire"
)

// TestConformance replays the ATOL v3 rows of atol_frames.tsv against the
// emulator: the empty host packet is answered (bad value) under its own
// id, and the asynchronous answer the emulator sends for a task the vector
// names is the vector's bytes exactly.
func TestConformance(t *testing.T) {
	dir := os.Getenv("PAYDESK_CONFORMANCE")
	if dir == "" {
		t.Skip("PAYDESK_CONFORMANCE not set")
	}
	raw, err := os.ReadFile(dir + "/shtrih/atol_frames.tsv")
	require.NoError(t, err)
	rows := map[string][]byte{}
	for _, ln := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(ln, "\t")
		b, err := hex.DecodeString(strings.ReplaceAll(f[4], " ", ""))
		require.NoError(t, err)
		rows[f[0]] = b
	}
	_, h := dialEmu(t)

	empty := rows["atol3-empty"]
	require.NotEmpty(t, empty)
	_, err = h.c.Write(empty)
	require.NoError(t, err)
	p, err := h.read()
	require.NoError(t, err)
	assert.Equal(t, byte(0x01), p.ID)
	assert.Equal(t, []byte{wire.BadValue}, p.Data)

	want := rows["atol3-async-escaped-crc"]
	require.NotEmpty(t, want)
	a := h.must(wire.AddTask(wire.Async, 0x57, []byte{0, 0, CmdCut, 0}))
	assert.Equal(t, []byte{wire.Pending}, a)
	buf := make([]byte, len(want))
	_, err = h.r.Read(buf[:1])
	require.NoError(t, err)
	for n := 1; n < len(buf); {
		m, err := h.r.Read(buf[n:])
		require.NoError(t, err)
		n += m
	}
	assert.Equal(t, want, buf)
}
