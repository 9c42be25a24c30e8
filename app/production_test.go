package app

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"paydesk/app/config"
	"paydesk/fiscal"
	_ "paydesk/fiscal/atol"
	atolemu "paydesk/fiscal/atol/emulator"
	"paydesk/fiscal/emulator"
	"paydesk/money"
	"paydesk/protocol/gateway/sim"
	"paydesk/receipts"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// TestBootFromConfig runs the workflow against a gateway and a register
// given by a configuration file, as in production: the simulator behind an
// HTTP server and the emulator on a TCP port stand in for the network and
// the device.
func TestBootFromConfig(t *testing.T) {
	// The register is registered for the configured agent (its INN), as a
	// production register must be: TestRegistrationMismatch has ones that are not.
	reg := emulator.NewState(time.Now())
	reg.INN = "7701234567"
	rt, s, em, dir := bootProduction(t, &reg)
	assert.False(t, rt.Config.Training)
	assert.Nil(t, rt.World, "no simulator outside training")
	assert.Equal(t, filepath.Join(dir, "data", "paydesk.db"), rt.books.Path())

	c, err := rt.books.AddCashier(ctx, "setup", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleManager}, "432100")
	require.NoError(t, err)
	u := &User{c}
	_, err = rt.Till.OpenShift(ctx, u, 0)
	require.NoError(t, err)
	p, err := rt.Till.Start(ctx, u, "rostelecom", "1234 5678 9012")
	require.NoError(t, err)
	p, err = rt.Till.Check(ctx, u, p, 1000_00, Cash)
	require.NoError(t, err)
	assert.Equal(t, moneyAmount(10_00), p.Fee, "the point's 1% fee")
	assert.Equal(t, moneyAmount(1010_00), p.Total)
	assert.Equal(t, moneyAmount(25_00), p.Commission, "Rostelecom's 2.5%")
	p, err = rt.Till.Confirm(ctx, u, p)
	require.NoError(t, err)
	assert.Equal(t, store.FiscalDone, p.FiscalState)
	assert.Equal(t, 1, s.Committed(p.Session))
	st := em.State()
	require.NotEmpty(t, st.Docs)
	assert.Equal(t, int64(1010_00), st.Docs[len(st.Docs)-1].Sum)
	bal, err := rt.Till.Balance(ctx)
	require.NoError(t, err)
	assert.Equal(t, moneyAmount(10000_00-1010_00), bal)
}

// bootProduction boots a till from a configuration file, as in production:
// the simulator behind an HTTP server and the emulator (with the state reg)
// on a TCP port stand in for the network and the device.
func bootProduction(t *testing.T, reg *emulator.State) (*Runtime, *sim.Sim, *emulator.Emulator, string) {
	t.Helper()
	cfg, s, em, dir := productionWorld(t, reg)
	rt, err := Boot(ctx, cfg, Options{PINCost: bcrypt.MinCost, Settle: []time.Duration{5 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })
	return rt, s, em, dir
}

// productionWorld is a production configuration's world: the network's
// simulator over HTTPS, the register emulator on TCP with reg as its
// state, the point's keys; the configuration loaded.
func productionWorld(t *testing.T, reg *emulator.State) (*config.Config, *sim.Sim, *emulator.Emulator, string) {
	t.Helper()
	dir := t.TempDir()
	keys, err := sim.TrainingKeys(filepath.Join(dir, "keys"), time.Now())
	require.NoError(t, err)
	sc := keys.Config()
	sc.Balance = 10000_00
	srv, err := sim.Listen("127.0.0.1:0", sc, nil)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	em, err := emulator.New(emulator.Config{LineWidth: 42, Initial: reg})
	require.NoError(t, err)
	t.Cleanup(func() { em.Close() })
	addr, err := em.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	base := srv.URL
	file := filepath.Join(dir, "paydesk.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`language: ru
data_dir: data
point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: keys/secret.key, passphrase_file: keys/passphrase, bank: keys/pubkeys.key, bank_serial: 64182}
gateway: {base_url: %q, balance_url: %q, timeout: 10s}
fiscal: {port: "tcp://%s", password: 30}
agent: {name: 'ООО "Ромашка"', inn: "7701234567", phone: "+74950000001", operator_phone: "+74950000002", role: subagent, tax_system: usn, fee: "1%%", fee_tax: none}
`, base, base+"/cgi-bin/status/get_rest.cgi", addr)), 0o600))
	cfg, err := config.Load(file)
	require.NoError(t, err)
	return cfg, srv.Sim, em, dir
}

func moneyAmount(v int64) money.Amount { return money.Amount(v) }

// A register that is off at start does not keep the till from starting;
// the receipt waits and is made once the register answers.
func TestRegisterOffAtStart(t *testing.T) {
	em, err := emulator.New(emulator.Config{})
	require.NoError(t, err)
	defer em.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens yet: the register is "off"
	r := &Runtime{}
	reg, err := r.dial(Driver, "tcp://"+addr, 115200, 30, Options{})
	require.NoError(t, err)
	defer r.Close()
	_, err = reg.Status(ctx)
	assert.Equal(t, KindDevice, KindOf(err))
	assert.Contains(t, Message(err, "ru"), "ККТ не отвечает")
	// The register comes on: the next call connects.
	_, err = em.ListenTCP(addr)
	require.NoError(t, err)
	st, err := reg.Status(ctx)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode)
}

// An ATOL register (fiscal.driver: atol) is opened through the same door:
// the till opens its shift on it; a payment is refused before anything is
// sent while the driver cannot write the agent's data to the fiscal drive
// (docs/atol.md), so no money is taken without a receipt.
func TestBootWithATOL(t *testing.T) {
	cfg, s, _, _ := productionWorld(t, nil)
	em := atolemu.New(atolemu.Config{})
	t.Cleanup(func() { em.Close() })
	addr, err := em.ListenTCP("127.0.0.1:0")
	require.NoError(t, err)
	// Registered for the configured agent, as the register must be.
	require.Equal(t, "ok", em.Control("registration inn=7701234567,agent=subagent,tax=usn"))
	cfg.Fiscal.Driver, cfg.Fiscal.Port = "atol", "tcp://"+addr.String()
	rt, err := Boot(ctx, cfg, Options{PINCost: bcrypt.MinCost, Settle: []time.Duration{5 * time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })
	c, err := rt.books.AddCashier(ctx, "setup", store.Cashier{Login: "olga", FullName: "Кассир Орлова О.О.", Role: store.RoleManager}, "432100")
	require.NoError(t, err)
	u := &User{c}
	_, err = rt.Till.OpenShift(ctx, u, 0)
	require.NoError(t, err)
	st, err := rt.Till.DeviceStatus(ctx)
	require.NoError(t, err)
	assert.True(t, st.ShiftOpen, "the shift is open on the ATOL register")
	p, err := rt.Till.Start(ctx, u, "rostelecom", "1234 5678 9012")
	require.NoError(t, err)
	p, err = rt.Till.Check(ctx, u, p, 1000_00, Cash)
	require.NoError(t, err)
	p, err = rt.Till.Confirm(ctx, u, p)
	require.NoError(t, err)
	assert.Equal(t, store.StatePaid, p.State)
	assert.Equal(t, store.FiscalDone, p.FiscalState, "the agent's receipt made on the ATOL register")
	assert.Equal(t, 1, s.Committed(p.Session))
	tags, err := rt.Till.d.Register.DocumentTags(ctx, uint32(p.FD))
	require.NoError(t, err)
	assert.True(t, receipts.Mentions(tags, p.Session), "its SESSION in 1084")
	for _, n := range []uint16{1055, 1021} {
		_, ok := fiscal.Find(tags, n)
		assert.True(t, ok, "tag %d", n)
	}
}
