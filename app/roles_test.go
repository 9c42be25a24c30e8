package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/config"
	"paydesk/money"
	"paydesk/store"
)

// outside is what an operation could change: the books (rows and audit but
// sign-ins), the register's documents and the network's money.
type outside struct {
	payments, shifts, cashOps, cashiers, audit, docs int
	versions                                         int64
	balance                                          money.Amount
	settings                                         string
}

func (r *rig) outside(t *testing.T, cfgFile string) outside {
	t.Helper()
	var w outside
	ps, err := r.Store.Payments(ctx, store.Filter{Limit: 1 << 20})
	require.NoError(t, err)
	w.payments = len(ps)
	for _, p := range ps {
		w.versions += p.Version
	}
	sh, err := r.Store.Shifts(ctx, time.Time{}, time.Now().Add(time.Hour))
	require.NoError(t, err)
	w.shifts = len(sh)
	for _, s := range sh {
		ops, err := r.Store.CashOps(ctx, s.ID)
		require.NoError(t, err)
		w.cashOps += len(ops)
	}
	cs, err := r.Store.Cashiers(ctx)
	require.NoError(t, err)
	w.cashiers = len(cs)
	for _, c := range cs {
		w.versions += int64(c.FailedPINs)
	}
	audit, err := r.Store.Audit(ctx, 1<<20)
	require.NoError(t, err)
	for _, a := range audit {
		if a.Action != "signin" && a.Action != "signin.failed" {
			w.audit++
		}
	}
	w.docs = len(r.Emulator.State().Docs)
	w.balance = r.Sim.Balance()
	if b, err := os.ReadFile(cfgFile); err == nil {
		w.settings = string(b)
	}
	return w
}

// TestEveryDoorChecksTheRole runs every core operation that moves money,
// reveals the books or changes rights as nobody, a cashier, a manager and
// an administrator: only the roles allowed act; for the others the
// operation is refused as forbidden and nothing changed (books, audit,
// register documents, the network's balance, the settings file).
func TestEveryDoorChecksTheRole(t *testing.T) {
	r := bootTraining(t, nil, true)
	admin, err := r.Till.SignIn(ctx, "admin", "999999")
	require.NoError(t, err)
	paid, err := r.pay(t, "mts", "9161234567", 100_00)
	require.NoError(t, err)
	cfgFile := filepath.Join(t.TempDir(), "paydesk.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte("language: ru\n"), 0o600))
	day := time.Now().Add(-time.Hour)

	var p *store.Payment // the payment prep made for do
	started := func() {
		var err error
		p, err = r.Till.Start(ctx, r.kassir, "mts", "9161234569")
		require.NoError(t, err)
	}
	checked := func() {
		started()
		var err error
		p, err = r.Till.Check(ctx, r.kassir, p, 10_00, Cash)
		require.NoError(t, err)
	}
	ops := []struct {
		name string
		need store.Role
		prep func()
		do   func(u *User) error
	}{
		{"start", store.RoleCashier, nil, func(u *User) error { _, err := r.Till.Start(ctx, u, "mts", "9161234568"); return err }},
		{"check", store.RoleCashier, started, func(u *User) error { _, err := r.Till.Check(ctx, u, p, 10_00, Cash); return err }},
		{"confirm (pay)", store.RoleCashier, checked, func(u *User) error { _, err := r.Till.Confirm(ctx, u, p); return err }},
		{"cancel", store.RoleCashier, checked, func(u *User) error { return r.Till.Cancel(ctx, u, p) }},
		{"reprint", store.RoleCashier, nil, func(u *User) error { return r.Till.Reprint(ctx, u, paid) }},
		{"copy document", store.RoleCashier, nil, func(u *User) error { _, err := r.Till.CopyDocument(ctx, u, uint32(paid.FD)); return err }},
		{"history", store.RoleCashier, nil, func(u *User) error { _, err := r.Till.History(ctx, u, Filter{}); return err }},
		{"receipts", store.RoleCashier, nil, func(u *User) error { _, err := r.Till.Receipts(ctx, u, paid); return err }},
		{"open payments", store.RoleCashier, nil, func(u *User) error { _, _, err := r.Till.Open(ctx, u); return err }},
		{"find payment", store.RoleCashier, nil, func(u *User) error { _, err := r.Till.PaymentBySession(ctx, u, paid.Session); return err }},
		{"X report", store.RoleCashier, nil, func(u *User) error { return r.Till.XReport(ctx, u) }},
		{"cash in", store.RoleCashier, nil, func(u *User) error { return r.Till.CashIn(ctx, u, 10_00) }},
		{"cash out", store.RoleManager, nil, func(u *User) error { return r.Till.CashOut(ctx, u, 10_00) }},
		{"commission report", store.RoleManager, nil, func(u *User) error { _, err := r.Till.Commission(ctx, u, day, time.Now(), ByProvider); return err }},
		{"shift report", store.RoleManager, nil, func(u *User) error { _, err := r.Till.Shifts(ctx, u, day, time.Now().Add(time.Hour)); return err }},
		{"disputes", store.RoleManager, nil, func(u *User) error { _, err := r.Till.Disputes(ctx, u); return err }},
		{"answers", store.RoleManager, nil, func(u *User) error { _, err := r.Till.Answers(ctx, u, paid); return err }},
		{"unlock", store.RoleManager, nil, func(u *User) error { return r.Till.Unlock(ctx, u, "kassir") }},
		{"check device", store.RoleManager, nil, func(u *User) error {
			_, _, err := r.Till.CheckDevice(ctx, u, day, time.Now().Add(time.Hour))
			return err
		}},
		{"check network", store.RoleManager, nil, func(u *User) error {
			_, _, err := r.Till.CheckNetwork(ctx, u, day, time.Now().Add(time.Hour))
			return err
		}},
		{"add cashier", store.RoleAdmin, nil, func(u *User) error {
			_, err := r.Till.AddCashier(ctx, u, Cashier{Login: "olga", FullName: "Кассир Новая Н.Н.", Role: store.RoleCashier}, "4444")
			return err
		}},
		{"settings", store.RoleAdmin, nil, func(u *User) error {
			return r.Till.EditSettings(ctx, u, cfgFile, func(c *config.Config) { c.Language = "en" })
		}},
		{"import catalogue", store.RoleAdmin, nil, func(u *User) error {
			_, err := r.Till.ImportCatalogue(ctx, u, "../protocol/gateway/operators/testdata/operators.xml", t.TempDir())
			return err
		}},
		{"start with fields", store.RoleCashier, nil, func(u *User) error {
			_, err := r.Till.StartFields(ctx, u, "zhku", "1234567890", map[string]string{"period": "112026"})
			return err
		}},
		{"raw command", store.RoleAdmin, nil, func(u *User) error { _, err := r.Till.Raw(ctx, u, "gw pay", "test"); return err }},
		{"close shift", store.RoleManager, nil, func(u *User) error { _, _, err := r.Till.CloseShift(ctx, u, 0); return err }},
	}
	users := []struct {
		name string
		u    *User
	}{{"nobody", nil}, {"cashier", r.kassir}, {"manager", r.manager}, {"admin", admin}}
	for _, op := range ops {
		for _, who := range users {
			allowed := who.u != nil && who.u.Role.Rank() >= op.need.Rank()
			if allowed && who.u != admin {
				continue // the administrator acts for the roles allowed; the rest are refused
			}
			t.Run(op.name+" as "+who.name, func(t *testing.T) {
				if op.prep != nil {
					op.prep()
				}
				before := r.outside(t, cfgFile)
				err := op.do(who.u)
				if allowed {
					assert.NotEqual(t, KindForbidden, KindOf(err), "%v", err)
					return
				}
				require.Error(t, err)
				assert.Equal(t, KindForbidden, KindOf(err), "%v", err)
				assert.Equal(t, before, r.outside(t, cfgFile), "nothing changed")
			})
		}
	}
}
