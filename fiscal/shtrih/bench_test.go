package shtrih_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// countingConn counts the bytes on the line in both directions.
type countingConn struct {
	shtrih.Conn
	n atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkFiscalize fiscalizes the typical agent receipt (top-up line with
// agent and supplier tags, commission line, receipt tags, cashier) through an
// emulator that paces the line at the given baud. x-wire is the time per
// receipt divided by the wire's own limit (bytes on the line × 10 bits / baud).
func BenchmarkFiscalize(b *testing.B) {
	for _, baud := range []int{9600, 115200} {
		b.Run(strconv.Itoa(baud), func(b *testing.B) {
			now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			emu, err := emulator.New(emulator.Config{Baud: baud, Pace: true, TCPFiller: true, Now: func() time.Time { return now }})
			require.NoError(b, err)
			defer emu.Close()
			addr, err := emu.ListenTCP("127.0.0.1:0")
			require.NoError(b, err)
			raw, err := shtrih.Dial("tcp://"+addr.String(), 0, time.Second)
			require.NoError(b, err)
			conn := &countingConn{Conn: raw}
			dev := shtrih.New(conn, shtrih.Options{Baud: baud, Location: time.UTC, ByteTimeout: 300 * time.Millisecond})
			defer dev.Close()
			ctx := b.Context()
			require.NoError(b, dev.OpenShift(ctx, cashier))
			r := agentReceipt()
			conn.n.Store(0)
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				if _, err := dev.Fiscalize(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			bytes := float64(conn.n.Load()) / float64(b.N)
			wire := bytes * 10 / float64(baud) // seconds per receipt
			b.ReportMetric(bytes, "bytes/op")
			b.ReportMetric(wire*1000, "wire-ms/op")
			b.ReportMetric(elapsed.Seconds()/float64(b.N)/wire, "x-wire")
		})
	}
}
