package gateway_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"

	"github.com/stretchr/testify/require"
)

// BenchmarkRoundTrip is one check, pay and status of the client against the
// simulator over real HTTP on loopback with real signatures (1024-bit
// training keys, MD5): the client's signing, encoding and verification plus
// the simulator's own work and the loopback.
func BenchmarkRoundTrip(b *testing.B) {
	keys, err := sim.TrainingKeys(filepath.Join(b.TempDir(), "keys"), time.Now())
	require.NoError(b, err)
	sc := keys.Config()
	sc.Balance = 1_000_000_000_00
	srv, err := sim.Listen("127.0.0.1:0", sc, nil)
	require.NoError(b, err)
	defer srv.Close()
	cat := srv.Catalogue()
	c, err := gateway.New(gateway.Config{SD: keys.SD, AP: keys.AP, OP: keys.OP, Key: keys.Dealer, Bank: keys.Bank.Public()})
	require.NoError(b, err)
	mts, err := cat.Find("mts")
	require.NoError(b, err)
	ctx := context.Background()
	n := 0
	next := func() gateway.Payment {
		n++
		// A different payer each time: the network refuses the same payment twice in an hour.
		return gateway.Payment{Provider: mts, Session: fmt.Sprintf("B%019d", n), ID: fmt.Sprintf("9%09d", 100000000+n), Amount: 100_00}
	}
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Check(ctx, next()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check+pay+status", func(b *testing.B) {
		for b.Loop() {
			p := next()
			if _, err := c.Check(ctx, p); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Pay(ctx, p); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Status(ctx, mts, p.Session, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
