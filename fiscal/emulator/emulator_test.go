package emulator_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/internal/testutil"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func newEmu(t *testing.T, dir string, now *time.Time) *emulator.Emulator {
	t.Helper()
	e, err := emulator.New(emulator.Config{
		StatePath: filepath.Join(dir, "state.json"),
		TapePath:  filepath.Join(dir, "tape.txt"),
		Now:       func() time.Time { return *now },
	})
	require.NoError(t, err)
	return e
}

// exec runs a command in-process and returns the code and data.
func exec(t *testing.T, e *emulator.Emulator, c shtrih.Cmd, args ...[]byte) (fiscal.Code, []byte) {
	t.Helper()
	var a []byte
	for _, p := range args {
		a = append(a, p...)
	}
	code, data, err := shtrih.ParseAnswer(c, e.Exec(shtrih.Payload(c, a)))
	require.NoError(t, err)
	return code, data
}

var pw = shtrih.Password

func TestShiftLifecycleAndRestart(t *testing.T) {
	dir := t.TempDir()
	now := t0
	e := newEmu(t, dir, &now)
	code, _ := exec(t, e, shtrih.CmdCashIn, shtrih.PutMoney(pw(1), 100))
	assert.Equal(t, fiscal.CodeShiftNotOpen, code)
	code, _ = exec(t, e, shtrih.CmdOpenShift, pw(1))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdOpenShift, pw(1))
	assert.Equal(t, fiscal.CodeShiftOpen, code)
	code, _ = exec(t, e, shtrih.CmdZReport, pw(1))
	assert.Equal(t, fiscal.CodeBadPassword, code, "Z report needs the administrator")
	code, _ = exec(t, e, shtrih.CmdShortStatus, pw(31))
	assert.Equal(t, fiscal.CodeBadPassword, code)

	// An open receipt survives a power cycle and a restart from the state file.
	line := fiscal.Line{Name: "Товар", Price: 12345, Quantity: 2_000_000, Tax: fiscal.VAT20, Method: 4, Subject: 1}
	code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(1, fiscal.Sale, line))
	require.Zero(t, code)
	code, _ = exec(t, e, shtrih.CmdOperationTag, pw(1), unitTag) // FFD 1.2: the measure of quantity
	require.Zero(t, code)
	e.PowerCycle()
	require.NoError(t, e.Close())
	e = newEmu(t, dir, &now)
	defer e.Close()
	_, data := exec(t, e, shtrih.CmdShortStatus, pw(1))
	s, err := shtrih.ParseShortStatus(data)
	require.NoError(t, err)
	assert.Equal(t, 8, s.Mode)
	assert.Equal(t, 1, s.Ops)
	code, data = exec(t, e, shtrih.CmdSubtotal, pw(1))
	require.Zero(t, code)
	assert.Equal(t, int64(24690), shtrih.Money(data[1:]))
	code, _ = exec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(1, fiscal.Receipt{Payments: fiscal.Payments{Cash: 100}}))
	assert.Equal(t, fiscal.CodePaymentsShort, code)
	code, data = exec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(1, fiscal.Receipt{Payments: fiscal.Payments{Cash: 25000}, TaxSystem: fiscal.OSN}))
	require.Zero(t, code)
	assert.Equal(t, int64(310), shtrih.Money(data[0:5]), "change")

	// 24 hours later only the Z report is allowed.
	now = now.Add(24*time.Hour + time.Minute)
	_, data = exec(t, e, shtrih.CmdShortStatus, pw(1))
	s, _ = shtrih.ParseShortStatus(data)
	assert.Equal(t, 3, s.Mode)
	code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(1, fiscal.Sale, line))
	assert.Equal(t, fiscal.CodeShiftOver24h, code)
	code, _ = exec(t, e, shtrih.CmdZReport, pw(30))
	require.Zero(t, code)
	st := e.State()
	assert.False(t, st.ShiftOpen)
	assert.Equal(t, uint32(4), st.LastFD, "registration, shift open, receipt, shift close")
	assert.Equal(t, fiscal.DocShiftClose, st.Docs[len(st.Docs)-1].Type)

	tape, err := os.ReadFile(filepath.Join(dir, "tape.txt"))
	require.NoError(t, err)
	for _, want := range []string{"ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ", "2 X 123.45", "=246.90", "СДАЧА", "НДС 20%", "ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ"} {
		assert.Contains(t, string(tape), want)
	}
}

func TestStateFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	now := t0
	e := newEmu(t, dir, &now)
	defer e.Close()
	exec(t, e, shtrih.CmdOpenShift, pw(1))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	assert.ElementsMatch(t, []string{"state.json", "state.json.docs", "tape.txt"}, names, "no temp files left")
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	var st emulator.State
	require.NoError(t, json.Unmarshal(b, &st))
	assert.True(t, st.ShiftOpen)
}

func TestControl(t *testing.T) {
	now := t0
	e := newEmu(t, t.TempDir(), &now)
	defer e.Close()
	addr, err := e.ListenControl("127.0.0.1:0")
	require.NoError(t, err)
	_, err = e.ListenControl("0.0.0.0:0")
	assert.Error(t, err, "control must stay on loopback")
	c, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	ask := func(cmd string) string {
		fmt.Fprintln(c, cmd)
		s, err := r.ReadString('\n')
		require.NoError(t, err)
		return strings.TrimSpace(s)
	}
	assert.Equal(t, "ok", ask("paper-out"))
	assert.Contains(t, ask("status"), "paper=false")
	assert.Equal(t, "ok", ask("paper-in"))
	assert.Equal(t, "ok", ask("cover-open"))
	assert.Contains(t, ask("status"), "cover_open=true")
	assert.Equal(t, "ok", ask("fault slow FF45"))
	assert.Equal(t, "ok", ask("advance 25h"))
	assert.Equal(t, "ok", ask("busy 10ms"))
	assert.Equal(t, "ok", ask("power-cycle"))
	assert.Contains(t, ask("fault bogus"), "error")
	assert.Contains(t, ask("frobnicate"), "error")
	assert.Contains(t, ask("help"), "paper-out-in-receipt")
}

// TestPacing checks that a paced emulator holds the line rate.
func TestPacing(t *testing.T) {
	e, err := emulator.New(emulator.Config{Baud: 9600, Pace: true})
	require.NoError(t, err)
	defer e.Close()
	addr, err := e.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	conn, err := shtrih.Dial("tcp://"+addr.String(), 0, time.Second)
	require.NoError(t, err)
	dev := shtrih.New(conn, shtrih.Options{Baud: 9600})
	defer dev.Close()
	start := time.Now()
	_, err = dev.LastDocument(t.Context())
	require.NoError(t, err)
	// FF01 (9+36 bytes) and FF0A (13+27 bytes) plus handshakes: > 85 bytes ≈ 88 ms at 9600.
	assert.Greater(t, time.Since(start), 80*time.Millisecond)
}

// TestConformanceReplay replays every host->kkt frame of the vendor vectors
// and checks the answer: same command, error 0, and the length of the
// matching kkt->host row when there is one.
func TestConformanceReplay(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.Conformance(t, "shtrih"), "vectors.json"))
	require.NoError(t, err)
	var v struct {
		V1 []struct{ ID, Direction, Frame, Cmd string } `json:"shtrih_v1"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	answerLen := map[string]int{}
	for _, r := range v.V1 {
		if r.Direction == "kkt->host" {
			if _, seen := answerLen[r.Cmd]; !seen {
				answerLen[r.Cmd] = len(strings.Fields(r.Frame)) - 3
			}
		}
	}
	unsupported := map[string]bool{"FF 31": true, "FF 05": true} // FN buffer read, registration
	n := 0
	for _, r := range v.V1 {
		if r.Direction != "host->kkt" || unsupported[r.Cmd] {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			n++
			st := emulator.NewState(t0)
			st.ShiftOpen, st.ShiftNumber, st.ShiftOpened, st.Cash = true, 1, t0, 1_000_000
			st.LastFD, st.SentFD = 425, 425 // all confirmed by the OFD
			st.Docs = append(st.Docs, emulator.Doc{FD: 163, Type: fiscal.DocReceipt, Time: t0, Kind: fiscal.Sale, Sum: 20000})
			switch r.Cmd {
			case "88", "FF 45":
				st.Receipt = &emulator.Receipt{Type: 0, Operator: 30, Lines: []emulator.Line{{Op: 1, Qty: 1_000_000, Price: 50000, Sum: 50000, TaxBits: 8, Method: 4, Subject: 10, Name: "x",
					Tags: []fiscal.Tag{fiscal.Byte(2108, 0)}}}} // FFD 1.2: the line's measure
			case "FF 0E":
				st.Reg.Done = 240 // the vendor's fixture reads report 240
			case "E0":
				st.ShiftOpen = false
			}
			e, err := emulator.New(emulator.Config{Initial: &st, Now: func() time.Time { return t0 }})
			require.NoError(t, err)
			defer e.Close()
			p, err := shtrih.Decode(testutil.Unhex(t, r.Frame))
			require.NoError(t, err)
			ans := e.Exec(p)
			cmd, _, _ := shtrih.CmdOf(p)
			code, _, err := shtrih.ParseAnswer(cmd, ans)
			require.NoError(t, err)
			require.Zero(t, code, "answer % X", ans)
			if l, ok := answerLen[r.Cmd]; ok {
				assert.Equal(t, l, len(ans), "answer length to %s", r.Cmd)
			}
		})
	}
	assert.Positive(t, n)
}

// TestLegacyReceipt covers 80h (sale) and 85h (close) of pre-FN firmware.
func TestLegacyReceipt(t *testing.T) {
	now := t0
	e := newEmu(t, t.TempDir(), &now)
	defer e.Close()
	exec(t, e, shtrih.CmdOpenShift, pw(1))
	sale := shtrih.PutUint(pw(1), 2000, 5) // 2.000
	sale = shtrih.PutMoney(sale, 15000)
	sale = append(sale, 1, 4, 0, 0, 0) // department 1, tax group 4 (без НДС)
	sale = shtrih.PutText(sale, "Тетрадь", 40)
	code, data := exec(t, e, shtrih.CmdSale, sale)
	require.Zero(t, code)
	assert.Equal(t, []byte{1}, data)
	closeArgs := shtrih.PutMoney(pw(1), 40000)
	closeArgs = append(closeArgs, make([]byte, 15+2+4)...)
	closeArgs = shtrih.PutText(closeArgs, "Спасибо", 40)
	code, data = exec(t, e, shtrih.CmdCloseLegacy, closeArgs)
	require.Zero(t, code)
	assert.Equal(t, int64(10000), shtrih.Money(data[1:6]), "change")
	st := e.State()
	d := st.Docs[len(st.Docs)-1]
	assert.Equal(t, int64(30000), d.Sum)
	assert.Equal(t, byte(0x08), d.Lines[0].TaxBits)
	assert.Equal(t, "Тетрадь", d.Lines[0].Name)
	assert.Contains(t, strings.Join(e.Tape(), "\n"), "Спасибо")
}

// unitTag is 2108 "pieces", which FFD 1.2 demands of every line.
var unitTag = fiscal.Byte(2108, 0).Encode()
