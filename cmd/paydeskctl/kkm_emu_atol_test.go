package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	_ "paydesk/fiscal/atol"
)

func TestKKMEmuATOL(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the emulator opens pseudo-terminals on Linux only")
	}
	ctx, cancel := context.WithCancel(t.Context())
	state, tape := filepath.Join(t.TempDir(), "atol.json"), filepath.Join(t.TempDir(), "tape.txt")
	var out syncBuffer
	e := &env{stdin: bytes.NewReader(nil), stdout: &out, stderr: &out, now: time.Now, log: newEnv().log}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"kkm-emu", "--driver", "atol", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0",
			"--ffd", "1.05", "--registration", "inn=7701234567,agent=subagent", "--state", state, "--tape", tape})
	}()
	re := regexp.MustCompile(`PORT (tcp://\S+)\)`)
	ctl := regexp.MustCompile(`control (127\.0\.0\.1:\d+)`)
	var port, control string
	require.Eventually(t, func() bool {
		m, c := re.FindStringSubmatch(out.String()), ctl.FindStringSubmatch(out.String())
		if m != nil && c != nil {
			port, control = m[1], c[1]
		}
		return port != "" && strings.Contains(out.String(), "running")
	}, 5*time.Second, 10*time.Millisecond)

	reg, err := fiscal.Open("atol", fiscal.Config{Port: port})
	require.NoError(t, err)
	defer reg.Close()
	require.NoError(t, reg.OpenShift(t.Context(), fiscal.Cashier{}))
	c, err := net.Dial("tcp", control)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("status\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	assert.Contains(t, line, "shift_open=true paper=true last_fd=1")
	in, err := reg.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, fiscal.FFD105, in.FFD)
	assert.Equal(t, "7701234567", in.Registration.INN)
	assert.Equal(t, fiscal.PaymentSubagent, in.Registration.Agent)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
		b, err := os.ReadFile(state)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"ShiftOpen":true`, "the state file holds the open shift")
		b, err = os.ReadFile(tape)
		require.NoError(t, err)
		assert.Contains(t, string(b), "ОТЧЁТ ОБ ОТКРЫТИИ СМЕНЫ 1")
	case <-time.After(5 * time.Second):
		t.Fatal("kkm-emu did not stop")
	}
}

func TestKKMEmuDriverFlag(t *testing.T) {
	for _, args := range [][]string{
		{"kkm-emu", "--driver", "epson", "--tcp", "127.0.0.1:0"},
		{"kkm-emu", "--driver", "atol", "--tcp", "127.0.0.1:0", "--pace", "--baud", "0"},
		{"kkm-emu", "--driver", "atol", "--tcp", "127.0.0.1:0", "--ffd", "1.1"},
		{"kkm-emu", "--driver", "atol", "--tcp", "127.0.0.1:0", "--registration", "inn=1"},
	} {
		var out syncBuffer
		e := &env{stdin: bytes.NewReader(nil), stdout: &out, stderr: &out, now: time.Now, log: newEnv().log}
		assert.Equal(t, 2, run(t.Context(), e, args), out.String())
		assert.Regexp(t, "--driver|--ffd|--registration", out.String())
	}
}
