package sim

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/protocol/ipriv"
)

func TestStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sim-state.json")
	e := newEnv(t, func(c *Config) { c.StateFile = file })
	_, err := os.Stat(file)
	require.NoError(t, err, "a new simulator writes its state at once")

	paid, checked, failing := newSession(), newSession(), newSession()
	requireResult(t, e.check("mts", paid, "9161234567", "100.00"), 0, "0")
	trans := e.pay("mts", paid, "9161234567", "100.00").Get("TRANSID")
	requireResult(t, e.check("megafon", checked, "9261234567", "200.00"), 0, "0")
	requireResult(t, e.check("mts", failing, "9000000507", "300.00"), 0, "0")
	requireResult(t, e.pay("mts", failing, "9000000507", "300.00"), 0, "0")
	balance := e.sim.Balance()
	assert.Equal(t, startBalance-103_00-309_00, balance)

	// A second simulator on the same file, as after a restart; the config's
	// balance no longer counts.
	cfg := e.sim.cfg
	cfg.Balance = 1
	sim2, err := New(cfg)
	require.NoError(t, err)
	e.use(sim2)
	assert.Equal(t, balance, e.sim.Balance())
	assert.Equal(t, 1, e.sim.Committed(paid))
	assert.ElementsMatch(t, []string{paid, checked, failing}, e.sim.Sessions())

	requireResult(t, e.status("mts", paid), 0, "3")
	requireResult(t, e.status("megafon", checked), 0, "1")
	requireResult(t, e.check("mts", paid, "9161234567", "100.00"), 1, "1")
	requireResult(t, e.pay("mts", paid, "9161234567", "100.00"), 1, "1")
	assert.Equal(t, 1, e.sim.Committed(paid))

	e.clk.Advance(time.Minute)
	st := e.status("mts", paid)
	requireResult(t, st, 0, "7")
	assert.Equal(t, trans, st.Get("TRANSID"))
	requireResult(t, e.status("mts", failing), 23, "7")
	assert.Equal(t, balance+309_00, e.sim.Balance(), "the failed payment is refunded once")

	// The checked session can still be paid after the restart, with a new TRANSID.
	a := e.pay("megafon", checked, "9261234567", "200.00")
	requireResult(t, a, 0, "0")
	assert.NotEqual(t, trans, a.Get("TRANSID"))

	// And a third start sees the refund and the new payment exactly once.
	sim3, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, balance+309_00-206_00, sim3.Balance())
	assert.Len(t, sim3.Payments(), 3)
}

func TestStateFileErrors(t *testing.T) {
	e := newEnv(t, nil)
	cfg := e.sim.cfg

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{not json"), 0o600))
	cfg.StateFile = bad
	_, err := New(cfg)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, KindState, se.Kind)

	// A state file that cannot be written: the pay is refused (ERROR 41),
	// nothing is debited.
	dir := filepath.Join(t.TempDir(), "sub")
	require.NoError(t, os.Mkdir(dir, 0o700))
	cfg.StateFile = filepath.Join(dir, "state.json")
	cfg.Clock = clock.NewFake(epoch)
	sim, err := New(cfg)
	require.NoError(t, err)
	e.use(sim)
	s := newSession()
	requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
	// The folder becomes a file: even root cannot write there now.
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.WriteFile(dir, []byte("x"), 0o600))
	requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 41, "1")
	assert.Equal(t, 0, sim.Committed(s))
	assert.Equal(t, startBalance, sim.Balance())
	requireResult(t, e.check("mts", newSession(), "9161234567", "100.00"), 48, "1")
}

func TestTrainingKeys(t *testing.T) {
	// tk was made by TestMain in keysDir; a second call reuses it.
	again, err := TrainingKeys(keysDir, epoch.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.True(t, tk.Created)
	assert.Equal(t, 0, again.Dealer.N.Cmp(tk.Dealer.N))
	assert.Equal(t, 0, again.Bank.N.Cmp(tk.Bank.N))

	assert.Equal(t, TrainingDealerSerial, tk.Dealer.Serial)
	assert.Equal(t, TrainingDealerUserID, tk.Dealer.UserID)
	assert.Equal(t, 1024, tk.Dealer.Bits())
	assert.Equal(t, TrainingBankSerial, tk.Bank.Serial)
	assert.Equal(t, TrainingBankUserID, tk.Bank.UserID)
	assert.Equal(t, uint32(64182), tk.BankSerial)

	// pubkeys.key: the dealer key (self-certified) and the bank key
	// certified by the dealer key, as the network's test file.
	b, err := os.ReadFile(filepath.Join(keysDir, FilePubKeys))
	require.NoError(t, err)
	ring, err := ipriv.ParseKeyring(b)
	require.NoError(t, err)
	require.Len(t, ring.Keys, 2)
	bank, err := ring.Find(TrainingBankSerial)
	require.NoError(t, err)
	assert.Equal(t, TrainingDealerSerial, bank.CertifierSerial)
	require.NoError(t, ring.CheckCertification(bank))
	dealer, err := ring.Find(TrainingDealerSerial)
	require.NoError(t, err)
	assert.True(t, dealer.SelfCertified())
	require.NoError(t, ring.CheckCertification(dealer))

	// The secret key opens with the passphrase file, which has no line end.
	pass, err := os.ReadFile(filepath.Join(keysDir, FilePassphrase))
	require.NoError(t, err)
	assert.NotContains(t, string(pass), "\n")
	sec, err := os.ReadFile(filepath.Join(keysDir, FileSecretKey))
	require.NoError(t, err)
	_, err = ipriv.ParseSecretKey(sec, pass)
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Join(keysDir, FileSecretKey))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A set that is present but unreadable is refused, not overwritten.
	broken := t.TempDir()
	for _, f := range []string{FileSecretKey, FilePassphrase, FileDealerKey, FileBankKey, FileBankPassphrase, FilePubKeys} {
		require.NoError(t, os.WriteFile(filepath.Join(broken, f), []byte("x"), 0o600))
	}
	_, err = TrainingKeys(broken, epoch)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, KindKeys, se.Kind)
	got, _ := os.ReadFile(filepath.Join(broken, FileSecretKey))
	assert.Equal(t, "x", string(got))
}

func TestTwoSimulatorsShareOneStateFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shared.json")
	a := newEnv(t, func(c *Config) { c.StateFile = file })
	b := newEnv(t, func(c *Config) { c.StateFile = file })
	t.Cleanup(func() { _ = a.sim.Close(); _ = b.sim.Close() })

	s := newSession()
	requireResult(t, a.check("mts", s, "9161234567", "100.00"), 0, "0")
	// b was started before the check; it sees it and takes the pay.
	requireResult(t, b.pay("mts", s, "9161234567", "100.00"), 0, "0")
	// a sees the payment: no second commit, status knows it.
	requireResult(t, a.pay("mts", s, "9161234567", "100.00"), 1, "1")
	a.clk.Advance(time.Minute)
	requireResult(t, a.status("mts", s), 0, "7")
	assert.Equal(t, 1, a.sim.Committed(s))
	assert.Equal(t, a.sim.Balance(), b.sim.Balance())
	assert.Equal(t, startBalance-103_00, a.sim.Balance())

	// Concurrent pays through both simulators commit once.
	s2 := newSession()
	requireResult(t, b.check("mts", s2, "9167654321", "200.00"), 0, "0")
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := a
			if i%2 == 1 {
				e = b
			}
			p := e.provider("mts")
			_, body, err := e.postRaw(p.PayURL, e.signed(e.payFields(p, s2, "9167654321", "200.00"), tk.Dealer))
			if err != nil {
				return
			}
			if ans, err := verify(t, body); err == nil {
				codes[i] = ans.Get("ERROR")
			}
		}()
	}
	wg.Wait()
	zero := 0
	for _, c := range codes {
		if c == "0" {
			zero++
		}
	}
	assert.Equal(t, 1, zero, "%v", codes)
	assert.Equal(t, 1, b.sim.Committed(s2))
	assert.Equal(t, startBalance-103_00-206_00, b.sim.Balance())
	assert.Equal(t, a.sim.Balance(), b.sim.Balance())
}
