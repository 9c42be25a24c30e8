package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"paydesk/internal/clock"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unknown login is answered in about the time a wrong PIN takes (it
// was 5000 times faster): the time does not tell which logins exist. The
// bound is loose (a fifth), the difference it guards against is not.
func TestUnknownLoginTakesAsLong(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "paydesk.db"), Options{Key: testKey, Clock: clock.NewFake(t0), PINCost: 10})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.AddCashier(ctx, "setup", Cashier{Login: "anna", FullName: "Анна", Role: RoleCashier}, "1234")
	require.NoError(t, err)
	median := func(login string) time.Duration {
		var ds []time.Duration
		for range 3 {
			start := time.Now()
			_, err := s.Authenticate(ctx, login, "9999")
			ds = append(ds, time.Since(start))
			require.Error(t, err)
			require.NoError(t, s.Unlock(ctx, "test", "anna"))
		}
		slices.Sort(ds)
		return ds[1]
	}
	wrong, unknown := median("anna"), median("nobody")
	assert.Greater(t, unknown, wrong/5, "unknown %v, wrong PIN %v", unknown, wrong)
}
