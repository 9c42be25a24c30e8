package sim

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
)

// BenchmarkThroughput measures the simulator's requests per second on
// loopback with real 1024-bit signatures (each request verified, each answer
// signed), clients in parallel. Request documents are signed before the
// timer starts, so the numbers are the simulator's alone (plus HTTP).
func BenchmarkThroughput(b *testing.B) {
	post := func(b *testing.B, c *http.Client, url string, body []byte) {
		resp, err := c.Post(url, "application/x-www-form-urlencoded", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
	}
	run := func(b *testing.B, prepare func(e *env, n int) (urls []string, bodies [][]byte)) {
		e := newEnv(b, nil)
		urls, bodies := prepare(e, b.N)
		c := e.srv.Client()
		c.Transport.(*http.Transport).MaxIdleConnsPerHost = 16
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1) - 1)
				post(b, c, urls[i%len(urls)], bodies[i%len(bodies)])
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("status", func(b *testing.B) {
		run(b, func(e *env, _ int) ([]string, [][]byte) {
			s := newSession()
			requireResult(b, e.check("mts", s, "9161234567", "100.00"), 0, "0")
			requireResult(b, e.pay("mts", s, "9161234567", "100.00"), 0, "0")
			return []string{e.provider("mts").StatusURL}, [][]byte{e.signed(e.statusFields(s), tk.Dealer)}
		})
	})
	b.Run("balance", func(b *testing.B) {
		run(b, func(e *env, _ int) ([]string, [][]byte) {
			return []string{e.balanceURL()}, [][]byte{e.signed(e.statusFields(newSession()), tk.Dealer)}
		})
	})
	b.Run("check", func(b *testing.B) {
		run(b, func(e *env, n int) ([]string, [][]byte) {
			p := e.provider("megafon")
			bodies := make([][]byte, n)
			for i := range bodies {
				bodies[i] = e.signed(e.payFields(p, newSession(), "9261234567", "100.00"), tk.Dealer)
			}
			return []string{p.CheckURL}, bodies
		})
	})
	b.Run("pay", func(b *testing.B) {
		run(b, func(e *env, n int) ([]string, [][]byte) {
			require.NoError(b, e.sim.SetBalance(1_000_000_000_00))
			p := e.provider("tele2")
			bodies := make([][]byte, n)
			for i := range bodies {
				s := newSession()
				// Distinct amounts and numbers keep ERROR 32 away.
				f := e.payFields(p, s, "977"+padDigits(i, 7), "100.00")
				requireResult(b, e.do(p.CheckURL, f), 0, "0")
				bodies[i] = e.signed(f, tk.Dealer)
			}
			return []string{p.PayURL}, bodies
		})
	})
}

func padDigits(n, width int) string {
	s := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

// BenchmarkRoundTrip is one client doing check, pay and status in turn,
// signing each request and verifying each answer: the cost a cashier's
// payment puts on the simulator and the client together.
func BenchmarkRoundTrip(b *testing.B) {
	e := newEnv(b, func(c *Config) { c.Balance = 1_000_000_000_00 })
	p := e.provider("beeline")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := newSession()
		f := e.payFields(p, s, "903"+padDigits(i, 7), "100.00")
		if a := e.do(p.CheckURL, f); a.Get("ERROR") != "0" {
			b.Fatal(a.Fields)
		}
		if a := e.do(p.PayURL, f); a.Get("ERROR") != "0" {
			b.Fatal(a.Fields)
		}
		e.do(p.StatusURL, append(gateway.Fields{}, e.statusFields(s)...))
	}
	b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "req/s")
}
