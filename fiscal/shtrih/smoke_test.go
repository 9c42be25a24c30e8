package shtrih_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			h := newHarness(t, tr)
			require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
			res, err := h.dev.Fiscalize(ctx(t), agentReceipt())
			require.NoError(t, err)
			t.Logf("%+v", res)
			st, err := h.dev.Status(ctx(t))
			require.NoError(t, err)
			t.Logf("%+v", st)
			t.Log("\n" + strings.Join(h.emu.Tape(), "\n"))
		})
	}
}
