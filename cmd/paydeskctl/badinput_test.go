package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paydesk/internal/testutil"
	"paydesk/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad input on the command line: each exits non-zero with one clear line
// ("paydeskctl: ...") and no stack trace, and changes no books.

// cliBooks is what the training database holds that a refused command must
// leave as it was. Sign-ins are left out: a PIN is checked (and a wrong one
// counted toward the lockout) before anything is refused.
type cliBooks struct {
	Payments []store.Payment
	Audit    []store.AuditEntry
	Shift    *store.Shift
	Totals   store.Totals
	Cashiers []store.Cashier
}

func readBooks(t *testing.T, db string) cliBooks {
	t.Helper()
	ctx := context.Background()
	s, err := store.OpenReadOnly(ctx, db, store.Options{})
	require.NoError(t, err)
	defer s.Close()
	var b cliBooks
	ps, err := s.Payments(ctx, store.Filter{Limit: 1 << 20})
	require.NoError(t, err)
	for _, p := range ps {
		b.Payments = append(b.Payments, *p)
	}
	audit, err := s.Audit(ctx, 1<<20)
	require.NoError(t, err)
	for _, a := range audit {
		if !strings.HasPrefix(a.Action, "signin") {
			b.Audit = append(b.Audit, a)
		}
	}
	if b.Shift, err = s.CurrentShift(ctx); err == nil {
		b.Totals, err = s.ShiftTotals(ctx, b.Shift)
		require.NoError(t, err)
	}
	cs, err := s.Cashiers(ctx)
	require.NoError(t, err)
	for _, c := range cs {
		c.FailedPINs, c.LockedUntil = 0, time.Time{}
		b.Cashiers = append(b.Cashiers, *c)
	}
	return b
}

// assertOneLine checks a refusal: the exit code, one "paydeskctl:" line
// holding want, no stack trace, nothing on stdout.
func assertOneLine(t *testing.T, r result, code int, want string) {
	t.Helper()
	assert.Equal(t, code, r.code, "stderr: %s", r.stderr)
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "paydeskctl: ") {
			lines = append(lines, l)
		}
	}
	if assert.Len(t, lines, 1, "one message line in %q", r.stderr) {
		assert.Contains(t, lines[0], want)
		assert.Greater(t, len(strings.TrimSpace(strings.TrimPrefix(lines[0], "paydeskctl: "))), 10, "a message, not a word")
	}
	for _, m := range []string{"goroutine ", "panic:", "runtime/", ".go:"} {
		assert.NotContains(t, r.stderr, m)
	}
	assert.Empty(t, r.stdout)
}

// cliTill makes a training data folder with books (an open shift) and the
// PIN files; PAYDESK_DATA_DIR points at it.
func cliTill(t *testing.T) (dir string, pins map[string]string) {
	dir = trainingDir(t)
	t.Setenv("PAYDESK_DATA_DIR", dir)
	t.Setenv("PAYDESK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir) // no user config file
	pins = map[string]string{
		"kassir":  writeFile(t, dir, "kassir.pin", "1111\n"),
		"manager": writeFile(t, dir, "manager.pin", "222222\n"),
		"admin":   writeFile(t, dir, "admin.pin", "999999\n"),
		"wrong":   writeFile(t, dir, "wrong.pin", "1234\n"),
		"weak":    writeFile(t, dir, "weak.pin", "12\n"),
	}
	r := runCLI(t, nil, "shift", "open", "--cashier", "kassir", "--pin-file", pins["kassir"], "--float", "1000.00")
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, nil, "pay", "--cashier", "kassir", "--pin-file", pins["kassir"], "--provider", "mts", "--number", "9161234567", "--amount", "100.00")
	require.Equal(t, 0, r.code, r.stderr)
	return dir, pins
}

// TestBadInputCLIUsage: commands refused before the till starts: unknown
// commands and flags, missing flags, numbers, amounts, dates and durations
// that do not parse, and configuration files that do not load. No file of
// the data folder changes.
func TestBadInputCLIUsage(t *testing.T) {
	if raceDetector {
		// Messages and unchanged books, not concurrency: make test runs
		// these without the race detector, which makes them minutes long.
		t.Skip("runs without the race detector")
	}
	dir, pins := cliTill(t)
	kassir, manager := pins["kassir"], pins["manager"]
	pay := func(extra ...string) []string {
		return append([]string{"pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts", "--number", "9161234567"}, extra...)
	}
	cfgDir := t.TempDir()
	missingCfg := filepath.Join(cfgDir, "missing.yaml")
	badYAML := writeFile(t, cfgDir, "bad.yaml", "fiscal: {port: none\n")
	wrongType := writeFile(t, cfgDir, "type.yaml", "training: true\nfiscal: {baud: fast}\n")
	noPort := writeFile(t, cfgDir, "noport.yaml", "keys: {secret: s.key, bank: b.key}\n")
	badLang := writeFile(t, cfgDir, "lang.yaml", "training: true\nlanguage: de\n")
	today := time.Now().Format("2006-01-02")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		// Commands.
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"command in capitals", []string{"PAY"}, exitUsage, "unknown command"},
		{"half a command", []string{"shift"}, exitUsage, "unknown command"},
		{"unknown subcommand", []string{"shift", "reopen"}, exitUsage, `unknown command "shift reopen"`},
		{"unknown db command", []string{"db", "drop"}, exitUsage, "unknown command"},
		// Flags.
		{"unknown flag", pay("--amount", "100.00", "--colour", "red"), exitUsage, "flag provided but not defined: -colour"},
		{"flag of another command", []string{"pay", "--resolve"}, exitUsage, "flag provided but not defined: -resolve"},
		{"flag without its value", []string{"pay", "--cashier"}, exitUsage, "flag needs an argument: -cashier"},
		{"bad boolean", []string{"pending", "--resolve=maybe"}, exitUsage, "invalid boolean value"},
		{"bad boolean csv", []string{"report", "commission", "--csv=perhaps"}, exitUsage, "invalid boolean value"},
		// Missing flags and arguments.
		{"pay with nothing", []string{"pay"}, exitUsage, "are required"},
		{"pay without a number", []string{"pay", "--provider", "mts", "--amount", "100.00"}, exitUsage, "are required"},
		{"pay with number and account", pay("--account", "123456789012", "--amount", "100.00"), exitUsage, "are required"},
		{"pay without an amount", pay(), exitUsage, "are required"},
		{"close without counted cash", []string{"shift", "close", "--cashier", "manager", "--pin-file", manager}, exitUsage, "--counted is required"},
		{"cash in without a sum", []string{"cash", "in", "--cashier", "kassir", "--pin-file", kassir}, exitUsage, "give the sum"},
		{"cash in two sums", []string{"cash", "in", "1.00", "2.00", "--cashier", "kassir", "--pin-file", kassir}, exitUsage, "give the sum"},
		{"backup without a file", []string{"db", "backup"}, exitUsage, "give the backup file"},
		{"cashier without a login", []string{"cashier", "add", "--name", "Кассир Орлова О.О."}, exitUsage, "--login and --name are required"},
		{"cashier with a blank name", []string{"cashier", "add", "--login", "olga", "--name", "   "}, exitUsage, "--login and --name are required"},
		{"cashier with a blank login", []string{"cashier", "add", "--login", " ", "--name", "Кассир Орлова О.О."}, exitUsage, "--login and --name are required"},
		{"cashier with a bad role", []string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--role", "boss"}, exitUsage, "--role must be"},
		{"gw without a config", []string{"gw", "check", "--provider", "mts"}, exitUsage, "--config is required"},
		{"gw with a stray argument", []string{"gw", "balance", "--config", badYAML, "now"}, exitUsage, `unexpected argument "now"`},
		{"kkm without a port", []string{"kkm", "status"}, exitUsage, "--port is required"},
		{"kkm with password 0", []string{"kkm", "status", "--port", "tcp://127.0.0.1:1", "--password", "0"}, exitUsage, "--password 0 out of range"},
		{"kkm with a negative password", []string{"kkm", "status", "--port", "tcp://127.0.0.1:1", "--password", "-1"}, exitUsage, "invalid value"},
		{"kkm with a negative baud", []string{"kkm", "status", "--port", "tcp://127.0.0.1:1", "--baud", "-9600"}, exitUsage, "--baud -9600 out of range"},
		{"kkm with a stray argument", []string{"kkm", "status", "now", "--port", "tcp://127.0.0.1:1"}, exitUsage, "takes 0 argument(s), got 1"},
		{"kkm cash-in without a sum", []string{"kkm", "cash-in", "--port", "tcp://127.0.0.1:1"}, exitUsage, "takes 1 argument(s), got 0"},
		{"kkm ports with an argument", []string{"kkm", "ports", "all"}, exitUsage, "takes no arguments"},
		// Amounts and sums.
		{"amount letters", pay("--amount", "abc"), exitUsage, "--amount"},
		{"amount fraction of a kopeck", pay("--amount", "100.001"), exitUsage, "--amount"},
		{"amount comma fraction of a kopeck", pay("--amount", "100,005"), exitUsage, "--amount"},
		{"amount negative", pay("--amount", "-5.00"), exitUsage, "--amount"},
		{"amount exponent", pay("--amount", "1e3"), exitUsage, "--amount"},
		{"amount hexadecimal", pay("--amount", "0x10"), exitUsage, "--amount"},
		{"amount full-width", pay("--amount", "１００.００"), exitUsage, "--amount"},
		{"amount two commas", pay("--amount", "100,,00"), exitUsage, "--amount"},
		{"amount trailing point", pay("--amount", "100."), exitUsage, "--amount"},
		{"amount leading point", pay("--amount", ".50"), exitUsage, "--amount"},
		{"amount with a space", pay("--amount", "1 000.00"), exitUsage, "--amount"},
		{"amount with roubles", pay("--amount", "100 руб."), exitUsage, "--amount"},
		{"amount too large", pay("--amount", "100000000000000000000"), exitUsage, "--amount"},
		{"amount blank", pay("--amount", "   "), exitUsage, "--amount"},
		{"tool", pay("--amount", "100.00", "--tool", "bitcoin"), exitUsage, "--tool must be cash or card"},
		{"float negative", []string{"shift", "open", "--cashier", "kassir", "--pin-file", kassir, "--float", "-1"}, exitUsage, "--float"},
		{"float letters", []string{"shift", "open", "--cashier", "kassir", "--pin-file", kassir, "--float", "much"}, exitUsage, "--float"},
		{"counted fraction of a kopeck", []string{"shift", "close", "--cashier", "manager", "--pin-file", manager, "--counted", "1.234"}, exitUsage, "--counted"},
		{"cash sum letters", []string{"cash", "in", "ten", "--cashier", "kassir", "--pin-file", kassir}, exitUsage, "--sum"},
		{"cash sum negative", []string{"cash", "out", "-5.00", "--cashier", "manager", "--pin-file", manager}, exitUsage, "-5.00: a negative number"},
		{"sim balance", []string{"gateway-sim", "--balance", "-100"}, exitUsage, "--balance"},
		{"sim max payment", []string{"gateway-sim", "--max-payment", "lots"}, exitUsage, "--max-payment"},
		// Dates.
		{"month 13", []string{"report", "commission", "--from", "2026-13-01"}, exitUsage, `--from: "2026-13-01" is not a date`},
		{"30 February", []string{"report", "shift", "--from", "2026-02-30"}, exitUsage, "is not a date"},
		{"Russian date order", []string{"report", "commission", "--from", "26.11.2026"}, exitUsage, "is not a date"},
		{"words for a date", []string{"report", "commission", "--from", today, "--to", "yesterday"}, exitUsage, `--to: "yesterday" is not a date`},
		{"report by nonsense", []string{"report", "commission", "--by", "weather"}, exitUsage, `--by "weather": use provider, day, cashier or shift`},
		{"to before from", []string{"report", "commission", "--from", today, "--to", "2000-01-01"}, exitUsage, "--to is before --from"},
		// Durations and counts.
		{"status delay words", []string{"gateway-sim", "--status-delay", "soon"}, exitUsage, "invalid value"},
		{"status delay without unit", []string{"gateway-sim", "--status-delay", "10"}, exitUsage, "invalid value"},
		{"training latency negative", []string{"gateway-sim", "--training-latency", "-1s"}, exitUsage, "must not be negative"},
		{"soak life words", []string{"soak", "--max-life", "a while"}, exitUsage, "invalid value"},
		{"soak life zero", []string{"soak", "--max-life", "0"}, exitUsage, "--max-life must be positive"},
		{"soak life negative", []string{"soak", "--max-life", "-1s"}, exitUsage, "--max-life must be positive"},
		{"soak shift zero", []string{"soak", "--shift", "0"}, exitUsage, "must be positive"},
		{"soak count zero", []string{"soak", "--n", "0"}, exitUsage, "must be positive"},
		{"soak count negative", []string{"soak", "--n", "-3"}, exitUsage, "must be positive"},
		{"soak count words", []string{"soak", "--n", "ten"}, exitUsage, "invalid value"},
		{"soak driver unknown", []string{"soak", "--driver", "epson"}, exitUsage, `--driver "epson": want shtrih or atol`},
		{"kkm byte timeout", []string{"kkm", "status", "--port", "tcp://127.0.0.1:1", "--byte-timeout", "fast"}, exitUsage, "invalid value"},
		{"faults", []string{"gateway-sim", "--faults", "refuse=pay"}, exitUsage, "--faults"},
		// Configuration files.
		{"config missing", pay("--amount", "100.00", "--config", missingCfg), exitFailed, "не удалось прочитать файл настроек"},
		{"config not YAML", pay("--amount", "100.00", "--config", badYAML), exitFailed, "не является корректным YAML"},
		{"config wrong type", pay("--amount", "100.00", "--config", wrongType), exitFailed, "fiscal.baud: значение неверного типа"},
		{"config production without port", pay("--amount", "100.00", "--config", noPort), exitFailed, "fiscal.port: обязателен вне учебного режима"},
		{"config bad language", []string{"pending", "--config", badLang}, exitFailed, "language: «de» — допустимо ru или en"},
		{"report with a bad config", []string{"report", "commission", "--config", wrongType}, exitFailed, "fiscal.baud"},
		{"db check with a bad config", []string{"db", "check", "--config", badYAML}, exitFailed, "YAML"},
		{"gw with a bad config", []string{"gw", "balance", "--config", wrongType}, exitFailed, "fiscal.baud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := testutil.Fingerprint(t, dir)
			r := runCLI(t, nil, tt.args...)
			assertOneLine(t, r, tt.code, tt.want)
			assert.Equal(t, before, testutil.Fingerprint(t, dir), "no file of the data folder changed")
		})
	}
	t.Run("config from the environment", func(t *testing.T) {
		t.Setenv("PAYDESK_FISCAL_BAUD", "fast")
		before := testutil.Fingerprint(t, dir)
		r := runCLI(t, nil, "pending")
		assertOneLine(t, r, exitFailed, "fiscal.baud: значение неверного типа")
		assert.Equal(t, before, testutil.Fingerprint(t, dir))
	})
	t.Run("production keys with the wrong passphrase", func(t *testing.T) {
		prod := t.TempDir()
		keys := filepath.Join(dir, "training", "keys")
		writeFile(t, prod, "wrong-pass", "not it\n")
		file := writeFile(t, prod, "paydesk.yaml", fmt.Sprintf(`language: en
data_dir: %s
point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: %s, passphrase_file: wrong-pass, bank: %s, bank_serial: 64182}
gateway: {base_url: "https://127.0.0.1:1"}
fiscal: {port: none}
agent: {tax_system: usn, fee_tax: none}
`, filepath.Join(prod, "data"), filepath.Join(keys, "secret.key"), filepath.Join(keys, "pubkeys.key")))
		before := testutil.Fingerprint(t, prod)
		r := runCLI(t, nil, "pending", "--config", file)
		assertOneLine(t, r, exitFailed, "keys.passphrase_file: wrong passphrase for the point's secret key")
		assert.Equal(t, before, testutil.Fingerprint(t, prod), "no data folder, no books")
	})
}

// TestBadInputCLIBooks: commands refused after the till started (the
// cashier signed in): wrong PINs, numbers and amounts the catalogue
// refuses, cash the drawer does not hold. The books do not change, nor
// the network's or the device's state.
func TestBadInputCLIBooks(t *testing.T) {
	if raceDetector {
		// Messages and unchanged books, not concurrency: make test runs
		// these without the race detector, which makes them minutes long.
		t.Skip("runs without the race detector")
	}
	dir, pins := cliTill(t)
	kassir, manager, admin := pins["kassir"], pins["manager"], pins["admin"]
	pay := func(extra ...string) []string {
		return append([]string{"pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "mts"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wrong PIN", []string{"pay", "--cashier", "kassir", "--pin-file", pins["wrong"], "--provider", "mts", "--number", "9161234567", "--amount", "100.00"},
			exitFailed, "Неверный логин или PIN: осталось попыток — 4"},
		{"empty PIN", []string{"shift", "x", "--cashier", "kassir", "--pin-file", writeFile(t, t.TempDir(), "empty.pin", "")}, exitFailed, "Неверный логин или PIN"},
		{"unknown cashier", []string{"shift", "x", "--cashier", "nobody", "--pin-file", kassir}, exitFailed, "Неверный логин или PIN: осталось попыток — 4"},
		{"no cashier", []string{"cash", "in", "10.00", "--pin-file", kassir}, exitUsage, "--cashier is required"},
		{"PIN file missing", []string{"shift", "x", "--cashier", "kassir", "--pin-file", filepath.Join(dir, "nope.pin")}, exitFailed, "cannot read the PIN file " + filepath.Join(dir, "nope.pin")},
		{"PIN file a folder", []string{"shift", "x", "--cashier", "kassir", "--pin-file", dir}, exitFailed, "cannot read the PIN file " + dir},
		{"unknown provider", []string{"pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "beeline2", "--number", "9031234567", "--amount", "100.00"},
			exitUsage, "Неизвестный оператор «beeline2»"},
		{"number too short", pay("--number", "12345", "--amount", "100.00"), exitUsage, "Номер «12345» не подходит для МТС: 10 цифр"},
		{"number too long", pay("--number", "916123456789", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"number letters", pay("--number", "nine-one-six", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"number full-width", pay("--number", "９１６１２３４５６７", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"number blank", pay("--number", "   ", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"number +1", pay("--number", "+1 916 123 45 67", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"account for a phone provider", pay("--account", "12", "--amount", "100.00"), exitUsage, "не подходит для МТС"},
		{"account too short", []string{"pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "rostelecom", "--account", "12345", "--amount", "100.00"},
			exitUsage, "Лицевой счёт «12345» не подходит"},
		{"amount zero", pay("--number", "9161234567", "--amount", "0"), exitUsage, "Сумма 0.00 вне допустимого диапазона 10.00–15000.00 для МТС"},
		{"amount below the minimum", pay("--number", "9161234567", "--amount", "9.99"), exitUsage, "вне допустимого диапазона 10.00–15000.00"},
		{"amount above the maximum", pay("--number", "9161234567", "--amount", "15000.01"), exitUsage, "вне допустимого диапазона 10.00–15000.00"},
		{"amount far above", pay("--number", "9161234567", "--amount", "999999999999.99"), exitUsage, "вне допустимого диапазона"},
		{"account amount below the minimum", []string{"pay", "--cashier", "kassir", "--pin-file", kassir, "--provider", "rostelecom", "--account", "123456789012", "--amount", "49.99"},
			exitUsage, "вне допустимого диапазона 50.00–30000.00"},
		{"cash in zero", []string{"cash", "in", "0", "--cashier", "kassir", "--pin-file", kassir}, exitUsage, "Сумма должна быть больше нуля"},
		{"cash out by a cashier", []string{"cash", "out", "10.00", "--cashier", "kassir", "--pin-file", kassir}, exitFailed, "Это может сделать только менеджер"},
		{"cash out more than the drawer", []string{"cash", "out", "1000000.00", "--cashier", "manager", "--pin-file", manager}, exitUsage, "В кассе должно быть 1100.00"},
		{"second shift", []string{"shift", "open", "--cashier", "kassir", "--pin-file", kassir}, exitFailed, "Смена уже открыта"},
		{"close by a cashier", []string{"shift", "close", "--cashier", "kassir", "--pin-file", kassir, "--counted", "1100.00"}, exitFailed, "только менеджер"},
		{"cashier without approval", []string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", kassir}, exitUsage, "an administrator must approve"},
		{"cashier approved by a manager", []string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", kassir, "--admin", "manager", "--admin-pin-file", manager},
			exitFailed, "только администратор"},
		{"cashier approval with a wrong PIN", []string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", kassir, "--admin", "admin", "--admin-pin-file", pins["wrong"]},
			exitFailed, "Неверный логин или PIN"},
		{"cashier with a weak PIN", []string{"cashier", "add", "--login", "olga", "--name", "Кассир Орлова О.О.", "--pin-file", pins["weak"], "--admin", "admin", "--admin-pin-file", admin},
			exitFailed, "PIN — от 4 до 8 цифр"},
		{"cashier twice", []string{"cashier", "add", "--login", "kassir", "--name", "Кассир Иванова А.А.", "--pin-file", kassir, "--admin", "admin", "--admin-pin-file", admin},
			exitFailed, "Этот логин уже занят: выберите другой"},
	}
	db := filepath.Join(dir, "training.db")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			books := readBooks(t, db)
			files := testutil.Fingerprint(t, dir, "training.db", "training.db-wal", "training.db-shm")
			r := runCLI(t, nil, tt.args...)
			assertOneLine(t, r, tt.code, tt.want)
			assert.Equal(t, books, readBooks(t, db), "the books did not change")
			assert.Equal(t, files, testutil.Fingerprint(t, dir, "training.db", "training.db-wal", "training.db-shm"),
				"the network's and the device's state did not change")
			// A right PIN clears a wrong one's count, so the cases do not add up to a lock.
			require.Equal(t, 0, runCLI(t, nil, "shift", "x", "--cashier", "kassir", "--pin-file", kassir).code)
		})
	}
}
