package shtrih_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpen: the driver registers itself; fiscal.Open reaches the register
// over TCP and a pseudo-terminal the same way; an unknown driver or port
// is an error of its kind.
func TestOpen(t *testing.T) {
	assert.Contains(t, fiscal.Drivers(), shtrih.DriverName)
	dir := t.TempDir()
	emu, err := emulator.New(emulator.Config{StatePath: filepath.Join(dir, "state.json"), TapePath: filepath.Join(dir, "tape.txt")})
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	addr, err := emu.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	ports := map[string]int{"tcp://" + addr.String(): 115200}
	if runtime.GOOS == "linux" {
		link := filepath.Join(dir, "ttyKKM")
		_, err := emu.ListenPTY(link)
		require.NoError(t, err)
		ports[link] = 115200
	}
	for port, baud := range ports {
		t.Run(port, func(t *testing.T) {
			reg, err := fiscal.Open(shtrih.DriverName, fiscal.Config{Port: port, Baud: baud, DialTimeout: time.Second})
			require.NoError(t, err)
			defer reg.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := reg.Status(ctx)
			require.NoError(t, err)
			assert.NotEmpty(t, st.FNNumber)
		})
	}

	_, err = fiscal.Open("atol-none", fiscal.Config{Port: "tcp://127.0.0.1:1"})
	assert.Equal(t, fiscal.KindAdmin, fiscal.KindOf(err))
	assert.ErrorContains(t, err, shtrih.DriverName, "the error names the drivers there are")
	_, err = fiscal.Open(shtrih.DriverName, fiscal.Config{Port: filepath.Join(dir, "no-such-port")})
	assert.Equal(t, fiscal.KindLink, fiscal.KindOf(err))
	assert.Panics(t, func() {
		fiscal.RegisterDriver(shtrih.DriverName, func(fiscal.Config) (fiscal.Register, error) { return nil, nil })
	})
}
