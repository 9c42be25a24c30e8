package app

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/training"
	atolemu "paydesk/fiscal/atol/emulator"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/hub/wire"
	"paydesk/internal/clock"
	"paydesk/receipts"
	"paydesk/store"
)

// TestSlipQR: with a hub configured, the slip prints the payment's look-up
// address as a QR code right after «Проверить платёж:», the address's
// text beneath it. A register without the 2D-barcode commands prints the
// text as before; a QR code whose answer is lost neither fails the payment
// nor prints the slip twice; a copy prints the code again.
func TestSlipQR(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // the hub is down: shipping waits, slips do not
	}))
	t.Cleanup(srv.Close)
	t.Setenv("PAYDESK_HUB_URL", srv.URL)
	t.Setenv("PAYDESK_HUB_POINT", "P1")

	tests := []struct {
		name  string
		setup func(r *rig)
		// qr is whether the slip has its QR code; sent the DEh commands
		// the register executed.
		qr   bool
		sent int
	}{
		{name: "a register that prints QR codes", setup: func(*rig) {}, qr: true, sent: 1},
		{name: "a register without them", setup: func(r *rig) {
			require.Equal(t, "ok", r.Emulator.Control("barcode-2d off"))
		}, qr: false, sent: 0},
		{name: "the QR code's answer lost", setup: func(r *rig) {
			r.Emulator.Arm(emulator.FaultPowerLoss, shtrih.CmdPrint2D)
		}, qr: true, sent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bootTraining(t, clock.Real{}, true)
			tt.setup(r)
			p, err := r.pay(t, "mts", "9161234567", 100_00)
			require.NoError(t, err, "the payment does not depend on the QR code")
			assert.Equal(t, store.StatePaid, p.State)
			p = r.reload(t, p)
			assert.False(t, p.SlipPrintedAt.IsZero(), "the slip is printed")
			require.NotEmpty(t, p.Lookup)
			url := wire.LookupURL(srv.URL, "P1", p.Session, p.Lookup)

			tape := r.Emulator.Tape()
			at := slices.Index(tape, receipts.LookupTitle)
			require.GreaterOrEqual(t, at, 0, "the slip's look-up title")
			assert.Equal(t, 1, strings.Count(strings.Join(tape, "\n"), receipts.LookupTitle), "the slip printed once")
			next := tape[at+1:]
			if tt.qr {
				assert.Equal(t, "[QR "+url+"]", strings.TrimSpace(next[0]), "the code right after the title")
				next = next[1:]
			} else {
				assert.NotContains(t, strings.Join(tape, "\n"), "[QR http")
			}
			assert.True(t, strings.HasPrefix(url, next[0]), "the address's text beneath: %q", next[0])
			assert.Contains(t, strings.Join(next, ""), url)
			assert.Equal(t, tt.sent, r.Emulator.Executed(shtrih.CmdPrint2D))

			rs, err := r.Store.Receipts(ctx, p.ID)
			require.NoError(t, err)
			slip := rs[len(rs)-1].Text
			assert.Contains(t, strings.ReplaceAll(slip, "\n", ""), url, "the books keep the slip's text")
			assert.NotContains(t, slip, "[QR")

			// A copy prints the code again when the register can.
			require.NoError(t, r.Till.Reprint(ctx, r.kassir, p))
			tape = r.Emulator.Tape()
			assert.Equal(t, 2, strings.Count(strings.Join(tape, "\n"), receipts.LookupTitle))
			n := 0
			for _, l := range tape {
				if strings.TrimSpace(l) == "[QR "+url+"]" {
					n++
				}
			}
			if tt.qr {
				assert.Equal(t, 2, n, "the copy's code")
				assert.Equal(t, tt.sent+1, r.Emulator.Executed(shtrih.CmdPrint2D))
			} else {
				assert.Zero(t, n)
			}
		})
	}
}

// TestLazyRegisterQR: the reconnecting register forwards the QR code to a
// register that prints them (Shtrih, and ATOL with C1h); a register that
// is off prints none, and the next code after it comes on connects again.
func TestLazyRegisterQR(t *testing.T) {
	em, err := emulator.New(emulator.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { em.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // off
	r := &Runtime{}
	t.Cleanup(func() { r.Close() })
	reg, err := r.dial(Driver, "tcp://"+addr, 115200, 30, Options{DeviceTimeout: time.Second})
	require.NoError(t, err)
	_, ok := qrPrinter(reg)
	assert.False(t, ok, "off: no QR code")
	_, err = em.ListenTCP(addr)
	require.NoError(t, err)
	q, ok := qrPrinter(reg)
	require.True(t, ok)
	require.NoError(t, q.PrintQR(ctx, []byte("https://hub.example.ru/p/P1/1")))
	assert.Equal(t, []string{"[QR https://hub.example.ru/p/P1/1]"}, trimmed(em.Tape()))

	aem := atolemu.New(atolemu.Config{})
	t.Cleanup(func() { aem.Close() })
	aaddr, err := aem.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	areg, err := r.dial(training.ATOLDriver, "tcp://"+aaddr.String(), 115200, 30, Options{DeviceTimeout: time.Second})
	require.NoError(t, err)
	aq, ok := qrPrinter(areg)
	require.True(t, ok, "the ATOL driver prints QR codes too (C1h)")
	require.NoError(t, aq.PrintQR(ctx, []byte("x")))
	assert.Equal(t, "[QR x]", strings.TrimSpace(aem.Tape()[len(aem.Tape())-1]))
	_, err = areg.Status(ctx)
	require.NoError(t, err, "and the register stays connected")
}

func trimmed(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSpace(l)
	}
	return out
}
