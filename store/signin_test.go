package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

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

// TestLockoutSurvivesClockSteps sets the wall clock a day forward and back
// while a cashier is locked out, and restarts the store: only time that
// passes on the monotonic clock ends the lock.
func TestLockoutSurvivesClockSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paydesk.db")
	c := clock.NewFake(t0)
	s := open(t, path, c)
	_, err := s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Анна", Role: RoleCashier}, "1234")
	require.NoError(t, err)
	for range MaxPINFailures {
		_, _ = s.Authenticate(ctx, "anna", "0000")
	}
	c.Set(t0.Add(24 * time.Hour)) // the wall clock set forward
	_, err = s.Authenticate(ctx, "anna", "1234")
	assert.ErrorIs(t, err, ErrLocked, "a clock set forward does not end the lock")
	c.Set(t0.Add(-24 * time.Hour))
	c.Advance(LockoutTime / 3)
	_, err = s.Authenticate(ctx, "anna", "1234")
	assert.ErrorIs(t, err, ErrLocked)
	require.NoError(t, s.Close())

	// A restart counts the time left afresh: not shorter.
	c2 := clock.NewFake(t0.Add(48 * time.Hour))
	s = open(t, path, c2)
	_, err = s.Authenticate(ctx, "anna", "1234")
	var pe *PINError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrLocked)
	assert.WithinDuration(t, c2.Now().Add(LockoutTime*2/3), pe.LockedUntil, time.Second)
	c2.Advance(LockoutTime*2/3 - time.Second)
	_, err = s.Authenticate(ctx, "anna", "1234")
	assert.ErrorIs(t, err, ErrLocked)
	c2.Advance(time.Second)
	_, err = s.Authenticate(ctx, "anna", "1234")
	assert.NoError(t, err, "the lock's time has passed")
}

// TestPINHashIsKeyed checks that the stored hash is not bcrypt of the PIN
// alone (an offline search over PINs with the database finds nothing),
// that a hash of an older PayDesk is keyed at the next sign-in, and that
// managers and administrators need six digits.
func TestPINHashIsKeyed(t *testing.T) {
	s, _ := newStore(t)
	_, err := s.AddCashier(ctx, "admin", Cashier{Login: "boss", FullName: "Босс", Role: RoleManager}, "1234")
	assert.ErrorIs(t, err, ErrShortPIN)
	_, err = s.AddCashier(ctx, "admin", Cashier{Login: "boss", FullName: "Босс", Role: RoleAdmin}, "12345")
	assert.ErrorIs(t, err, ErrShortPIN)
	_, err = s.AddCashier(ctx, "admin", Cashier{Login: "boss", FullName: "Босс", Role: RoleManager}, "123456")
	require.NoError(t, err)
	anna, err := s.AddCashier(ctx, "admin", Cashier{Login: "anna", FullName: "Анна", Role: RoleCashier}, "1234")
	require.NoError(t, err)

	hash := func() string {
		var h string
		require.NoError(t, s.rw.QueryRow("SELECT pin_hash FROM cashiers WHERE id = ?", anna.ID).Scan(&h))
		return h
	}
	h := hash()
	require.True(t, strings.HasPrefix(h, keyedPrefix), h)
	for _, pin := range []string{"0000", "1111", "1234", "9999"} { // what an attacker with the file would try, the real PIN among them
		assert.Error(t, bcrypt.CompareHashAndPassword([]byte(strings.TrimPrefix(h, keyedPrefix)), []byte(pin)), pin)
	}

	legacy, err := bcrypt.GenerateFromPassword([]byte("1234"), bcrypt.MinCost)
	require.NoError(t, err)
	require.NoError(t, s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE cashiers SET pin_hash = ? WHERE id = ?", string(legacy), anna.ID)
		return err
	}))
	_, err = s.Authenticate(ctx, "anna", "1234")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(hash(), keyedPrefix), "keyed at the sign-in")
	_, err = s.Authenticate(ctx, "anna", "1234")
	require.NoError(t, err)
	_, err = s.VerifySeal(ctx)
	require.NoError(t, err)
}
