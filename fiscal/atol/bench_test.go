package atol_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

// BenchmarkFiscalize is one receipt (open, a line, a payment, close, and
// the reads around them) against the emulator.
func BenchmarkFiscalize(b *testing.B) {
	for _, tr := range []string{"tcp", "pty"} {
		b.Run(tr, func(b *testing.B) {
			r := newRig(b, tr)
			ctx := context.Background()
			require.NoError(b, r.reg.OpenShift(ctx, fiscal.Cashier{}))
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.reg.Fiscalize(ctx, sale()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
