package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/money"
)

func init() {
	register(&command{name: "cashier add",
		summary: "add a cashier (an administrator's PIN is asked with --admin/--admin-pin-file once cashiers exist)",
		opts:    func() options { return &cashierAddOpts{} }})
	register(&command{name: "cashier unlock", summary: "clear a cashier's PIN lock (a manager signs in)",
		opts: func() options { return &cashierUnlockOpts{} }})
	for op, summary := range map[string]string{
		"open":  "open a shift (device and books)",
		"x":     "print an X report",
		"close": "close the shift with a Z report and the counted cash",
	} {
		register(&command{name: "shift " + op, summary: summary, opts: func() options { return &shiftOpts{op: op} }})
	}
	for _, op := range []string{"in", "out"} {
		register(&command{name: "cash " + op, args: "SUM", summary: "register cash put into (in) or taken out of (out) the drawer",
			opts: func() options { return &cashOpts{op: op} }})
	}
	register(&command{name: "pending", summary: "list open payments (pay sent, unknown, accepted, disputed) and receipts waiting; --resolve asks status now",
		opts: func() options { return &pendingOpts{} }})
	register(&command{name: "db backup", args: "FILE", summary: "write a consistent copy of the database while the till runs",
		opts: func() options { return &dbBackupOpts{} }})
	register(&command{name: "db restore", args: "FILE", summary: "put a backup in place of the books (the till closed): the backup must verify under the point's key; a manager of the backup signs",
		opts: func() options { return &dbRestoreOpts{tillFlags: tillFlags{who: "a manager's `LOGIN` in the backup"}} }})
	register(&command{name: "db adopt", summary: "start new books on a register that already printed receipts (it worked with other software before); audited",
		opts: func() options { return &dbAdoptOpts{} }})
	register(&command{name: "db check", summary: "check the database's integrity, the audit chain and the seal; --device and --network hold the books against the fiscal drive and the network",
		opts: func() options {
			return &dbCheckOpts{tillFlags: tillFlags{who: "a manager's `LOGIN` (for --device and --network)"}}
		}})
}

// cashierAddOpts are the options of "cashier add".
type cashierAddOpts struct {
	configFlag
	login, name, role, inn string
	position               string
	pinFile                string
	admin, adminPinFile    string
}

func (o *cashierAddOpts) flags(fs *flag.FlagSet) {
	o.configFlag.flags(fs)
	fs.StringVar(&o.login, "login", "", required("the new cashier's `LOGIN`"))
	fs.StringVar(&o.name, "name", "", required("full `NAME` as printed on receipts"))
	fs.StringVar(&o.role, "role", "cashier", "`ROLE`: cashier, manager or admin")
	fs.StringVar(&o.inn, "inn", "", "the cashier's `INN` (optional, 12 digits)")
	fs.StringVar(&o.position, "position", "", "the cashier's `POSITION`, printed before the name (tag 1021)")
	fs.StringVar(&o.pinFile, "pin-file", "", "`FILE` holding the new PIN (asked when absent)")
	fs.StringVar(&o.admin, "admin", "", "an administrator's `LOGIN` (needed once cashiers exist)")
	fs.StringVar(&o.adminPinFile, "admin-pin-file", "", "`FILE` holding the administrator's PIN")
}

func (o *cashierAddOpts) run(ctx context.Context, e *env, _ []string) error {
	r, err := app.ParseRole(o.role)
	if err != nil {
		return usageErrorf("--role must be cashier, manager or admin")
	}
	if strings.TrimSpace(o.login) == "" || strings.TrimSpace(o.name) == "" {
		return usageErrorf("--login and --name are required")
	}
	rt, err := boot(ctx, e, o.config)
	if err != nil {
		return err
	}
	defer rt.Close()
	by, err := o.approver(ctx, e, rt)
	if err != nil {
		return err
	}
	pin, err := readPassphrase(e, o.pinFile, "New PIN", true)
	if err != nil {
		return err
	}
	c, err := rt.Till.AddCashier(ctx, by, app.Cashier{Login: o.login, FullName: o.name, Position: o.position, Role: r, INN: o.inn}, string(pin))
	if err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "cashier %s (%s, %s) added\n", c.Login, c.FullName, c.Role)
	return nil
}

// approver signs the administrator in once cashiers exist; the first
// cashier needs none (nil).
func (o *cashierAddOpts) approver(ctx context.Context, e *env, rt *app.Runtime) (*app.User, error) {
	exist, err := rt.Till.HasCashiers(ctx)
	if err != nil || !exist {
		return nil, err
	}
	if o.admin == "" {
		return nil, usageErrorf("cashiers exist: an administrator must approve (--admin L --admin-pin-file F)")
	}
	return signIn(ctx, e, rt, o.admin, o.adminPinFile)
}

// cashierUnlockOpts are the options of "cashier unlock".
type cashierUnlockOpts struct {
	configFlag
	login, manager, pinFile string
}

func (o *cashierUnlockOpts) flags(fs *flag.FlagSet) {
	o.configFlag.flags(fs)
	fs.StringVar(&o.login, "login", "", required("the locked cashier's `LOGIN`"))
	fs.StringVar(&o.manager, "cashier", "", required("the `LOGIN` of the manager who signs in"))
	fs.StringVar(&o.manager, "manager", "", "the manager's `LOGIN`: the same as --cashier (its former name)")
	fs.StringVar(&o.pinFile, "pin-file", "", "`FILE` holding the manager's PIN (asked on the terminal when absent)")
}

func (o *cashierUnlockOpts) run(ctx context.Context, e *env, _ []string) error {
	if strings.TrimSpace(o.login) == "" {
		return usageErrorf("--login is required")
	}
	rt, err := openBooks(ctx, e, o.config)
	if err != nil {
		return err
	}
	defer rt.Close()
	u, err := signIn(ctx, e, rt, o.manager, o.pinFile)
	if err != nil {
		return err
	}
	if err := rt.Till.Unlock(ctx, u, o.login); err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "cashier %s unlocked\n", o.login)
	return nil
}

func parseMoneyFlag(name, v string) (money.Amount, error) {
	if v == "" {
		return 0, nil
	}
	a, err := money.Parse(v)
	if err != nil {
		return 0, usageErrorf("--%s: %v", name, err)
	}
	return a, nil
}

// shiftOpts are the options of "shift open", "shift x" and "shift close".
type shiftOpts struct {
	tillFlags
	op             string
	float, counted string
}

func (o *shiftOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	fs.StringVar(&o.float, "float", "", "cash in the drawer at opening, like `0.00`")
	counted := "cash counted in the drawer at closing, like `1234.00`"
	if o.op == "close" {
		counted = required(counted)
	}
	fs.StringVar(&o.counted, "counted", "", counted)
}

func (o *shiftOpts) run(ctx context.Context, e *env, _ []string) error {
	float, err := parseMoneyFlag("float", o.float)
	if err != nil {
		return err
	}
	counted, err := parseMoneyFlag("counted", o.counted)
	if err != nil {
		return err
	}
	if o.op == "close" && o.counted == "" {
		return usageErrorf("--counted is required to close a shift")
	}
	s, err := o.open(ctx, e, boot)
	if err != nil {
		return err
	}
	defer s.Close()
	switch o.op {
	case "open":
		return shiftOpen(ctx, e, s, float)
	case "x":
		return shiftX(ctx, e, s)
	}
	return shiftClose(ctx, e, s, counted)
}

func shiftOpen(ctx context.Context, e *env, s *session, float money.Amount) error {
	sh, err := s.Till.OpenShift(ctx, s.user, float)
	if err != nil {
		return s.err(err)
	}
	fmt.Fprintf(e.stdout, "shift=%d\ndevice_shift=%d\nopened=%s\nfloat=%v\n", sh.ID, sh.DeviceShift, sh.OpenedAt.Local().Format(time.RFC3339), sh.OpeningFloat)
	return nil
}

func shiftX(ctx context.Context, e *env, s *session) error {
	if err := s.Till.XReport(ctx, s.user); err != nil {
		return s.err(err)
	}
	st, err := s.Till.Shift(ctx)
	if err != nil {
		return err
	}
	if st.Shift != nil {
		printTotals(e.stdout, st.Shift, st.Totals)
		fmt.Fprintf(e.stdout, "time_left=%s\n", s.Till.ShiftLeft(st.Shift).Round(time.Minute))
	}
	return nil
}

func shiftClose(ctx context.Context, e *env, s *session, counted money.Amount) error {
	sh, tot, err := s.Till.CloseShift(ctx, s.user, counted)
	if err != nil {
		return s.err(err)
	}
	printTotals(e.stdout, sh, tot)
	fmt.Fprintf(e.stdout, "counted=%v\ndifference=%v\n", sh.Counted, sh.Difference)
	return nil
}

func printTotals(w io.Writer, sh *app.Shift, t app.Totals) {
	fmt.Fprintf(w, "shift=%d\npayments=%d\namount=%v\nfee=%v\ntotal=%v\ncommission=%v\ncash_in=%v\ncash_out=%v\npending=%d\nexpected_cash=%v\n",
		sh.ID, t.Payments, t.Amount, t.Fee, t.Total, t.Commission, t.CashIn, t.CashOut, t.Pending, t.Expected)
}

// cashOpts are the options of "cash in" and "cash out".
type cashOpts struct {
	tillFlags
	op string
}

func (o *cashOpts) run(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give the sum, like 500.00")
	}
	sum, err := parseMoneyFlag("sum", args[0])
	if err != nil {
		return err
	}
	s, err := o.open(ctx, e, boot)
	if err != nil {
		return err
	}
	defer s.Close()
	if o.op == "in" {
		err = s.Till.CashIn(ctx, s.user, sum)
	} else {
		err = s.Till.CashOut(ctx, s.user, sum)
	}
	if err != nil {
		return s.err(err)
	}
	fmt.Fprintf(e.stdout, "cash_%s=%v\n", o.op, sum)
	return nil
}

// pendingOpts are the options of "pending": the open payments (the till's
// Pending: pay sent, unknown, accepted and disputed), each with its state,
// and the receipts waiting.
type pendingOpts struct {
	tillFlags
	resolve bool
}

func (o *pendingOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	fs.BoolVar(&o.resolve, "resolve", false, "ask status for every pending payment now and retry queued receipts")
}

// run lists sessions and states to anyone (scripts wait on them), and
// payers and sums to a signed-in cashier only.
func (o *pendingOpts) run(ctx context.Context, e *env, _ []string) error {
	rt, err := boot(ctx, e, o.config) // boot recovers: status and receipts are tried once
	if err != nil {
		return err
	}
	defer rt.Close()
	var u *app.User
	if o.cashier != "" {
		if u, err = signIn(ctx, e, rt, o.cashier, o.pinFile); err != nil {
			return err
		}
	}
	if o.resolve {
		if _, err := rt.Till.ResolvePending(ctx, true); err != nil {
			fmt.Fprintf(e.stderr, "paydeskctl: %s\n", app.Message(err, rt.Config.Language))
		}
		_ = rt.Till.RetryReceipts(ctx)
	}
	var pend, queue []*app.Payment
	if u != nil {
		pend, queue, err = rt.Till.Open(ctx, u)
	} else if pend, err = rt.Till.Pending(ctx); err == nil {
		queue, err = rt.Till.ReceiptQueue(ctx)
	}
	if err != nil {
		return tillErr(rt.Config.Language, err)
	}
	for _, p := range pend {
		if u == nil {
			fmt.Fprintf(e.stdout, "pending session=%s attempts=%d next=%s state=%s\n",
				p.Session, p.StatusAttempts, p.NextStatusAt.Local().Format(time.RFC3339), p.State)
			continue
		}
		fmt.Fprintf(e.stdout, "pending session=%s provider=%s payer=%s total=%v attempts=%d next=%s state=%s\n",
			p.Session, p.ProviderCode, p.PayerID, p.Total, p.StatusAttempts, p.NextStatusAt.Local().Format(time.RFC3339), p.State)
	}
	for _, p := range queue {
		if u == nil {
			fmt.Fprintf(e.stdout, "receipt session=%s state=%s\n", p.Session, p.State)
			continue
		}
		fmt.Fprintf(e.stdout, "receipt session=%s provider=%s payer=%s total=%v error=%q state=%s\n",
			p.Session, p.ProviderCode, p.PayerID, p.Total, p.FiscalError, p.State)
	}
	fmt.Fprintf(e.stdout, "pending=%d receipts=%d\n", len(pend), len(queue))
	if len(pend) > 0 {
		return silent(exitNoAnswer)
	}
	return nil
}

// dbBackupOpts are the options of "db backup".
type dbBackupOpts struct{ configFlag }

func (o *dbBackupOpts) run(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give the backup file")
	}
	books, err := readOnlyBooks(ctx, e, o.config)
	if err != nil {
		return err
	}
	defer books.Close()
	if err := books.Till.Backup(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s\n", args[0])
	return nil
}

// dbCheckOpts are the options of "db check".
type dbCheckOpts struct {
	tillFlags
	device, network bool
	from, to        string
}

func (o *dbCheckOpts) flags(fs *flag.FlagSet) {
	o.tillFlags.flags(fs)
	fs.BoolVar(&o.device, "device", false, "also hold the period's receipts against the fiscal drive's archive (a manager; the till must be closed)")
	fs.BoolVar(&o.network, "network", false, "also hold the period's payments against the network's status (a manager; the till must be closed)")
	fs.StringVar(&o.from, "from", "", "first `DATE` of --device and --network, like 2026-11-01 (default: today)")
	fs.StringVar(&o.to, "to", "", "last `DATE` (default: --from)")
}

func (o *dbCheckOpts) run(ctx context.Context, e *env, _ []string) error {
	q, err := (&reportOpts{from: o.from, to: o.to, by: string(app.ReportGroups[0])}).period()
	if err != nil {
		return err
	}
	if o.device || o.network {
		return o.outside(ctx, e, q)
	}
	books, err := readOnlyBooks(ctx, e, o.config)
	if err != nil {
		return err
	}
	defer books.Close()
	c, err := books.Till.CheckBooks(ctx)
	if err != nil {
		return tillErr(books.Config.Language, err)
	}
	printCheck(e, c)
	return nil
}

func printCheck(e *env, c app.BooksCheck) {
	fmt.Fprintf(e.stdout, "database=%s\nschema=%d\nintegrity=ok\naudit_rows=%d\naudit=ok\n", c.Path, c.Schema, c.AuditRows)
	var total int64
	for _, n := range c.Sealed {
		total += n
	}
	fmt.Fprintf(e.stdout, "sealed_rows=%d\nseal=ok\n", total)
}

// outside checks the books, then holds them against the register and the
// network as asked, with the till booted but nothing recovered.
func (o *dbCheckOpts) outside(ctx context.Context, e *env, q period) error {
	s, err := o.open(ctx, e, func(ctx context.Context, e *env, cfg string) (*app.Runtime, error) {
		return bootWith(ctx, e, cfg, app.Options{Inspect: true})
	})
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Till.CheckBooks(ctx)
	if err != nil {
		return s.err(err)
	}
	printCheck(e, c)
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local) }
	from, to := day(q.from), day(q.to).AddDate(0, 0, 1)
	bad := 0
	report := func(name string, ms []app.Mismatch, n int, err error) error {
		for _, m := range ms {
			fmt.Fprintf(e.stdout, "mismatch %s fd=%d session=%s: %s\n", name, m.FD, m.Session, m.Text.In(s.lang))
		}
		fmt.Fprintf(e.stdout, "%s_checked=%d\n", name, n)
		if err != nil {
			return s.err(err)
		}
		if len(ms) == 0 {
			fmt.Fprintf(e.stdout, "%s=ok\n", name)
		}
		bad += len(ms)
		return nil
	}
	if o.device {
		ms, n, err := s.Till.CheckDevice(ctx, s.user, from, to)
		if err := report("device", ms, n, err); err != nil {
			return err
		}
	}
	if o.network {
		ms, n, err := s.Till.CheckNetwork(ctx, s.user, from, to)
		if err := report("network", ms, n, err); err != nil {
			return err
		}
	}
	if bad > 0 {
		return silent(exitTampered)
	}
	return nil
}

// dbRestoreOpts are the options of "db restore".
type dbRestoreOpts struct{ tillFlags }

func (o *dbRestoreOpts) run(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give the backup file")
	}
	if o.cashier == "" {
		return usageErrorf("--cashier is required")
	}
	cfg, err := config.Load(config.Locate(o.config))
	if err != nil {
		return cfgErr(cfg, err)
	}
	pin, err := readPassphrase(e, o.pinFile, "PIN for "+o.cashier, false)
	if err != nil {
		return err
	}
	rep, err := app.Restore(ctx, cfg, app.Options{Log: e.log, Training: training.Start}, args[0], o.cashier, string(pin))
	if err != nil {
		return tillErr(cfg.Language, err)
	}
	fmt.Fprintf(e.stdout, "restored=%s\nreplaced=%s\nbackup_last_fd=%d\n", rep.Backup, rep.Replaced, rep.LastFD)
	if !rep.RegisterRead {
		fmt.Fprintln(e.stdout, "register=not-read")
	}
	for _, m := range rep.After {
		fmt.Fprintf(e.stdout, "after fd=%d: %s\n", m.FD, m.Text.In(cfg.Language))
	}
	fmt.Fprintf(e.stdout, "receipts_after_backup=%d\n", len(rep.After))
	return nil
}

// dbAdoptOpts are the options of "db adopt".
type dbAdoptOpts struct{ configFlag }

func (o *dbAdoptOpts) run(ctx context.Context, e *env, _ []string) error {
	rt, err := bootWith(ctx, e, o.config, app.Options{Adopt: true, Inspect: true})
	if err != nil {
		return err
	}
	defer rt.Close()
	fd, err := rt.Till.Adopted(ctx)
	if err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "adopted_fd=%s\n", fd)
	return nil
}
