package atol_test

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/atol"
	"paydesk/fiscal/atol/emulator"
)

// countingConn counts the bytes on the line in both directions.
type countingConn struct {
	net.Conn
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

// BenchmarkFiscalize fiscalizes the typical agent receipt (the payment line
// with its agent and supplier tags, the fee line, the receipt's tags, the
// cashier, and the reads around them) through an emulator that paces the
// line at the given baud, as the Shtrih driver's benchmark does. x-wire is
// the time per receipt divided by the wire's own limit (bytes on the line
// × 10 bits / baud).
func BenchmarkFiscalize(b *testing.B) {
	for _, baud := range []int{9600, 115200} {
		b.Run(strconv.Itoa(baud), func(b *testing.B) {
			emu := emulator.New(emulator.Config{Baud: baud, Pace: true})
			defer emu.Close()
			addr, err := emu.ListenTCP("127.0.0.1:0")
			require.NoError(b, err)
			raw, err := net.Dial("tcp", addr.String())
			require.NoError(b, err)
			conn := &countingConn{Conn: raw}
			dev := atol.New(conn, atol.Options{ByteTimeout: 300 * time.Millisecond, MaxAnswerTimeout: 10 * time.Second})
			defer dev.Close()
			ctx := context.Background()
			require.NoError(b, dev.OpenShift(ctx, fiscal.Cashier{Name: "Кассир Иванова А.А."}))
			r := agentSale()
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
			wire := bytes * 10 / float64(baud)
			b.ReportMetric(bytes, "bytes/op")
			b.ReportMetric(wire*1000, "wire-ms/op")
			b.ReportMetric(elapsed.Seconds()/float64(b.N)/wire, "x-wire")
		})
	}
}
