package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"paydesk/app"
	"paydesk/app/config"
	"paydesk/app/training"
	"paydesk/money"
)

func init() {
	register(&command{name: "cashier add", args: "--login L --name \"Full Name\" --role cashier|manager|admin --pin-file F [--config FILE]",
		summary: "add a cashier (an administrator's PIN is asked with --admin/--admin-pin-file once cashiers exist)", run: cashierAdd})
	register(&command{name: "cashier unlock", args: "--login L --manager M --pin-file F [--config FILE]",
		summary: "clear a cashier's PIN lock (a manager signs in)", run: cashierUnlock})
	for _, op := range []string{"open", "x", "close"} {
		op := op
		register(&command{name: "shift " + op, args: "--cashier L --pin-file F [--float 0.00] [--counted 1234.00] [--config FILE]",
			summary: map[string]string{"open": "open a shift (device and books)", "x": "print an X report", "close": "close the shift with a Z report and the counted cash"}[op],
			run:     func(ctx context.Context, e *env, args []string) error { return shiftCmd(ctx, e, op, args) }})
	}
	for _, op := range []string{"in", "out"} {
		op := op
		register(&command{name: "cash " + op, args: "SUM --cashier L --pin-file F [--config FILE]",
			summary: "register cash put into (in) or taken out of (out) the drawer",
			run:     func(ctx context.Context, e *env, args []string) error { return cashCmd(ctx, e, op, args) }})
	}
	register(&command{name: "pay", args: "--cashier L --pin-file F --provider CODE (--number N | --account A) --amount 100.00 [--tool cash|card] [--config FILE]",
		summary: "take a payment headless: check, pay, fiscal receipt, slip", run: payCmd})
	register(&command{name: "pending", args: "[--resolve] [--config FILE]",
		summary: "list payments whose outcome is unknown and receipts waiting; --resolve asks status now", run: pendingCmd})
	for _, kind := range []string{"shift", "commission"} {
		kind := kind
		register(&command{name: "report " + kind, args: "--cashier L --pin-file F --from DATE --to DATE [--by provider|day|cashier|shift] [--csv] [--config FILE]",
			summary: map[string]string{"shift": "shifts of the period with their cash", "commission": "the partner's commission for the period"}[kind],
			run:     func(ctx context.Context, e *env, args []string) error { return reportCmd(ctx, e, kind, args) }})
	}
	register(&command{name: "db backup", args: "FILE [--config FILE]", summary: "write a consistent copy of the database while the till runs", run: dbBackup})
	register(&command{name: "db check", args: "[--config FILE]", summary: "check the database's integrity and the audit chain", run: dbCheck})
}

// killHook returns the step hook of the crash test: PAYDESK_TEST_KILL_AT
// names a step at which the process kills itself (SIGKILL), as a power cut
// or a crash would.
func killHook() func(string, *app.Payment) {
	at := os.Getenv("PAYDESK_TEST_KILL_AT")
	if at == "" {
		return nil
	}
	return func(step string, _ *app.Payment) {
		if step == at {
			p, _ := os.FindProcess(os.Getpid())
			_ = p.Kill()
			select {}
		}
	}
}

// boot loads the configuration (--config, else the user's file, else
// training defaults) and boots the till.
func boot(ctx context.Context, e *env, cfgFile string) (*app.Runtime, error) {
	cfg, err := config.Load(config.Locate(cfgFile))
	if err != nil {
		return nil, cfgErr(cfg, err)
	}
	rt, err := app.Boot(ctx, cfg, app.Options{Log: e.log, Step: killHook(), Training: training.Start})
	if err != nil {
		return nil, tillErr(cfg.Language, err)
	}
	return rt, nil
}

// openBooks opens only the books the configuration names: reports and
// database tools need neither the gateway nor the register.
func openBooks(ctx context.Context, e *env, cfgFile string) (*app.Runtime, error) {
	cfg, err := config.Load(config.Locate(cfgFile))
	if err != nil {
		return nil, cfgErr(cfg, err)
	}
	rt, err := app.OpenBooks(ctx, cfg, app.Options{Log: e.log})
	if err != nil {
		if app.KindOf(err) == app.KindConfig {
			return nil, cfgErr(cfg, err)
		}
		return nil, tillErr(cfg.Language, err)
	}
	return rt, nil
}

// tillErr turns a till error into the CLI's exit code with the human message.
func tillErr(lang string, err error) error {
	if err == nil {
		return nil
	}
	msg := errors.New(app.Message(err, lang))
	switch app.KindOf(err) {
	case app.KindInput:
		return usageErrorf("%s", msg)
	case app.KindPending:
		return noAnswer(msg)
	}
	return msg
}

func signIn(ctx context.Context, e *env, rt *app.Runtime, login, pinFile string) (*app.User, error) {
	if login == "" {
		return nil, usageErrorf("--cashier is required")
	}
	pin, err := readPassphrase(e, pinFile, "PIN for "+login, false)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot read the PIN file %s: %v", pinFile, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	u, err := rt.Till.SignIn(ctx, login, string(pin))
	return u, tillErr(rt.Config.Language, err)
}

func cashierAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "cashier add")
	cfgFile := fs.String("config", "", "configuration file")
	login := fs.String("login", "", "login")
	name := fs.String("name", "", "full name as printed on receipts")
	role := fs.String("role", "cashier", "cashier, manager or admin")
	inn := fs.String("inn", "", "the cashier's INN (optional)")
	pinFile := fs.String("pin-file", "", "file holding the new PIN (asked when absent)")
	admin := fs.String("admin", "", "an administrator's login (needed once cashiers exist)")
	adminPin := fs.String("admin-pin-file", "", "the administrator's PIN file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	r, err := app.ParseRole(*role)
	if err != nil {
		return usageErrorf("--role must be cashier, manager or admin")
	}
	if strings.TrimSpace(*login) == "" || strings.TrimSpace(*name) == "" {
		return usageErrorf("--login and --name are required")
	}
	rt, err := boot(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer rt.Close()
	exist, err := rt.Till.HasCashiers(ctx)
	if err != nil {
		return err
	}
	var by *app.User
	if exist {
		if *admin == "" {
			return usageErrorf("cashiers exist: an administrator must approve (--admin L --admin-pin-file F)")
		}
		if by, err = signIn(ctx, e, rt, *admin, *adminPin); err != nil {
			return err
		}
	}
	pin, err := readPassphrase(e, *pinFile, "New PIN", true)
	if err != nil {
		return err
	}
	c, err := rt.Till.AddCashier(ctx, by, app.Cashier{Login: *login, FullName: *name, Role: r, INN: *inn}, string(pin))
	if err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "cashier %s (%s, %s) added\n", c.Login, c.FullName, c.Role)
	return nil
}

func cashierUnlock(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "cashier unlock")
	cfgFile := fs.String("config", "", "configuration file")
	login := fs.String("login", "", "the locked cashier's login")
	manager := fs.String("manager", "", "a manager's login")
	pinFile := fs.String("pin-file", "", "file holding the manager's PIN")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*login) == "" {
		return usageErrorf("--login is required")
	}
	rt, err := openBooks(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer rt.Close()
	u, err := signIn(ctx, e, rt, *manager, *pinFile)
	if err != nil {
		return err
	}
	if err := rt.Till.Unlock(ctx, u, *login); err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "cashier %s unlocked\n", *login)
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

func shiftCmd(ctx context.Context, e *env, op string, args []string) error {
	fs := newFlags(e, "shift "+op)
	cfgFile := fs.String("config", "", "configuration file")
	login := fs.String("cashier", "", "cashier login")
	pinFile := fs.String("pin-file", "", "file holding the PIN")
	floatText := fs.String("float", "", "cash in the drawer at opening")
	countedText := fs.String("counted", "", "cash counted in the drawer at closing")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	float, err := parseMoneyFlag("float", *floatText)
	if err != nil {
		return err
	}
	counted, err := parseMoneyFlag("counted", *countedText)
	if err != nil {
		return err
	}
	if op == "close" && *countedText == "" {
		return usageErrorf("--counted is required to close a shift")
	}
	rt, err := boot(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer rt.Close()
	u, err := signIn(ctx, e, rt, *login, *pinFile)
	if err != nil {
		return err
	}
	lang := rt.Config.Language
	switch op {
	case "open":
		sh, err := rt.Till.OpenShift(ctx, u, float)
		if err != nil {
			return tillErr(lang, err)
		}
		fmt.Fprintf(e.stdout, "shift=%d\ndevice_shift=%d\nopened=%s\nfloat=%v\n", sh.ID, sh.DeviceShift, sh.OpenedAt.Local().Format(time.RFC3339), sh.OpeningFloat)
	case "x":
		if err := rt.Till.XReport(ctx, u); err != nil {
			return tillErr(lang, err)
		}
		st, err := rt.Till.Shift(ctx)
		if err != nil {
			return err
		}
		if st.Shift != nil {
			printTotals(e.stdout, st.Shift, st.Totals)
			fmt.Fprintf(e.stdout, "time_left=%s\n", rt.Till.ShiftLeft(st.Shift).Round(time.Minute))
		}
	case "close":
		sh, tot, err := rt.Till.CloseShift(ctx, u, counted)
		if err != nil {
			return tillErr(lang, err)
		}
		printTotals(e.stdout, sh, tot)
		fmt.Fprintf(e.stdout, "counted=%v\ndifference=%v\n", sh.Counted, sh.Difference)
	}
	return nil
}

func printTotals(w io.Writer, sh *app.Shift, t app.Totals) {
	fmt.Fprintf(w, "shift=%d\npayments=%d\namount=%v\nfee=%v\ntotal=%v\ncommission=%v\ncash_in=%v\ncash_out=%v\npending=%d\nexpected_cash=%v\n",
		sh.ID, t.Payments, t.Amount, t.Fee, t.Total, t.Commission, t.CashIn, t.CashOut, t.Pending, t.Expected)
}

func cashCmd(ctx context.Context, e *env, op string, args []string) error {
	fs := newFlags(e, "cash "+op)
	cfgFile := fs.String("config", "", "configuration file")
	login := fs.String("cashier", "", "cashier login")
	pinFile := fs.String("pin-file", "", "file holding the PIN")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("give the sum, like 500.00")
	}
	sum, err := parseMoneyFlag("sum", pos[0])
	if err != nil {
		return err
	}
	rt, err := boot(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer rt.Close()
	u, err := signIn(ctx, e, rt, *login, *pinFile)
	if err != nil {
		return err
	}
	if op == "in" {
		err = rt.Till.CashIn(ctx, u, sum)
	} else {
		err = rt.Till.CashOut(ctx, u, sum)
	}
	if err != nil {
		return tillErr(rt.Config.Language, err)
	}
	fmt.Fprintf(e.stdout, "cash_%s=%v\n", op, sum)
	return nil
}

// Exit code of pay when the payment is paid but its receipt is queued.
const exitReceiptQueued = 4

func payCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "pay")
	cfgFile := fs.String("config", "", "configuration file")
	login := fs.String("cashier", "", "cashier login")
	pinFile := fs.String("pin-file", "", "file holding the PIN")
	code := fs.String("provider", "", "provider code")
	number := fs.String("number", "", "payer's phone number")
	account := fs.String("account", "", "payer's account")
	amountText := fs.String("amount", "", "amount credited to the payer, like 100.00")
	tool := fs.String("tool", "cash", "cash or card")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || (*number == "") == (*account == "") || *amountText == "" {
		return usageErrorf("--provider, one of --number or --account, and --amount are required")
	}
	amount, err := parseMoneyFlag("amount", *amountText)
	if err != nil {
		return err
	}
	pt := app.Cash
	switch *tool {
	case "cash":
	case "card":
		pt = app.Card
	default:
		return usageErrorf("--tool must be cash or card")
	}
	rt, err := boot(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer rt.Close()
	lang := rt.Config.Language
	u, err := signIn(ctx, e, rt, *login, *pinFile)
	if err != nil {
		return err
	}
	// The amount against the provider's limits before the payment is
	// stored: a bad one leaves nothing in the books.
	if prov, err := rt.Till.Provider(*code); err == nil {
		if err := prov.CheckAmount(amount); err != nil {
			return tillErr(lang, err)
		}
	}
	p, err := rt.Till.Start(ctx, u, *code, *number+*account)
	if err != nil {
		return tillErr(lang, err)
	}
	fmt.Fprintf(e.stdout, "session=%s\n", p.Session)
	p, err = rt.Till.Check(ctx, u, p, amount, pt)
	if err == nil {
		p, err = rt.Till.Confirm(ctx, u, p)
	}
	state := map[app.State]string{app.StatePaid: "paid", app.StateUnknown: "pending", app.StatePaySent: "pending"}[p.State]
	if state == "" {
		state = "refused"
	}
	if p.State == app.StatePaid && p.FiscalState != app.FiscalDone {
		state = "paid-awaiting-receipt"
	}
	if p.Session != "" {
		fmt.Fprintf(e.stdout, "session=%s\n", p.Session)
	}
	fmt.Fprintf(e.stdout, "state=%s\n", state)
	if p.TransID != "" {
		fmt.Fprintf(e.stdout, "transid=%s\n", p.TransID)
	}
	if p.FD != 0 {
		fmt.Fprintf(e.stdout, "fiscal_doc=%d\nfiscal_sign=%d\n", p.FD, p.FP)
	}
	fmt.Fprintf(e.stdout, "amount=%v\nfee=%v\ntotal=%v\ncommission=%v\n", p.Amount, p.Fee, p.Total, p.Commission)
	switch {
	case err == nil:
		return nil
	case state == "paid-awaiting-receipt":
		fmt.Fprintf(e.stderr, "paydeskctl: %s\n", app.Message(err, lang))
		return silent(exitReceiptQueued)
	case state == "pending":
		return noAnswer(errors.New(app.Message(err, lang)))
	}
	if app.KindOf(err) == app.KindInput {
		return usageErrorf("%s", app.Message(err, lang))
	}
	return errors.New(app.Message(err, lang))
}

func pendingCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "pending")
	cfgFile := fs.String("config", "", "configuration file")
	resolve := fs.Bool("resolve", false, "ask status for every pending payment now and retry queued receipts")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	rt, err := boot(ctx, e, *cfgFile) // boot recovers: status and receipts are tried once
	if err != nil {
		return err
	}
	defer rt.Close()
	if *resolve {
		if _, err := rt.Till.ResolvePending(ctx, true); err != nil {
			fmt.Fprintf(e.stderr, "paydeskctl: %s\n", app.Message(err, rt.Config.Language))
		}
		_ = rt.Till.RetryReceipts(ctx)
	}
	pend, err := rt.Till.Pending(ctx)
	if err != nil {
		return err
	}
	queue, err := rt.Till.ReceiptQueue(ctx)
	if err != nil {
		return err
	}
	for _, p := range pend {
		fmt.Fprintf(e.stdout, "pending session=%s provider=%s payer=%s total=%v attempts=%d next=%s\n",
			p.Session, p.ProviderCode, p.PayerID, p.Total, p.StatusAttempts, p.NextStatusAt.Local().Format(time.RFC3339))
	}
	for _, p := range queue {
		fmt.Fprintf(e.stdout, "receipt session=%s provider=%s payer=%s total=%v error=%q\n", p.Session, p.ProviderCode, p.PayerID, p.Total, p.FiscalError)
	}
	fmt.Fprintf(e.stdout, "pending=%d receipts=%d\n", len(pend), len(queue))
	if len(pend) > 0 {
		return silent(exitNoAnswer)
	}
	return nil
}

func parseDate(name, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, usageErrorf("--%s: %q is not a date like 2026-11-26", name, s)
	}
	return t, nil
}

func reportCmd(ctx context.Context, e *env, kind string, args []string) error {
	fs := newFlags(e, "report "+kind)
	cfgFile := fs.String("config", "", "configuration file")
	fromText := fs.String("from", "", "first day, like 2026-11-01 (default: today)")
	toText := fs.String("to", "", "last day (default: from)")
	by := fs.String("by", "provider", "provider, day, cashier or shift")
	login := fs.String("cashier", "", "a manager's login (reports are for managers)")
	pinFile := fs.String("pin-file", "", "file holding the PIN")
	csvOut := fs.Bool("csv", false, "write CSV")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	from := time.Now()
	var err error
	if *fromText != "" {
		if from, err = parseDate("from", *fromText); err != nil {
			return err
		}
	}
	to := from
	if *toText != "" {
		if to, err = parseDate("to", *toText); err != nil {
			return err
		}
	}
	if to.Before(from) {
		return usageErrorf("--to is before --from")
	}
	g := app.GroupBy(*by)
	if !slices.Contains(app.ReportGroups, g) {
		return usageErrorf("--by %q: use provider, day, cashier or shift", *by)
	}
	books, err := openBooks(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer books.Close()
	u, err := signIn(ctx, e, books, *login, *pinFile)
	if err != nil {
		return err
	}
	if kind == "shift" {
		shifts, err := books.Till.Shifts(ctx, u, from, to.AddDate(0, 0, 1))
		if err != nil {
			return tillErr(books.Config.Language, err)
		}
		for _, r := range shifts {
			printTotals(e.stdout, r.Shift, r.Totals)
			if !r.Shift.Open() {
				fmt.Fprintf(e.stdout, "counted=%v\ndifference=%v\n", r.Shift.Counted, r.Shift.Difference)
			}
			fmt.Fprintln(e.stdout)
		}
		return nil
	}
	rows, err := books.Till.Commission(ctx, u, from, to, g)
	if app.KindOf(err) != 0 {
		return tillErr(books.Config.Language, err)
	}
	if err != nil {
		return usageErrorf("%v", err)
	}
	if *csvOut {
		return app.WriteCSV(e.stdout, g, rows)
	}
	for _, r := range append(rows, app.SumRows(rows)) {
		fmt.Fprintf(e.stdout, "%-20s %-28s %6d %14v %12v %14v %12v\n", r.Key, clipText(r.Label, 28), r.Count, r.Amount, r.Fee, r.Total, r.Commission)
	}
	return nil
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func dbBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "db backup")
	cfgFile := fs.String("config", "", "configuration file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("give the backup file")
	}
	books, err := openBooks(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer books.Close()
	if err := books.Till.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s\n", pos[0])
	return nil
}

func dbCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "db check")
	cfgFile := fs.String("config", "", "configuration file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	books, err := openBooks(ctx, e, *cfgFile)
	if err != nil {
		return err
	}
	defer books.Close()
	c, err := books.Till.CheckBooks(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database=%s\nschema=%d\nintegrity=ok\naudit_rows=%d\naudit=ok\n", c.Path, c.Schema, c.AuditRows)
	return nil
}
