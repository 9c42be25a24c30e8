package config

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"paydesk/internal/clock"
	"paydesk/internal/testutil"
	"paydesk/protocol/ipriv/ipritest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// production is a complete production configuration: every bad-input case
// below breaks exactly one thing of it.
const production = `point: {sd: "17031", ap: "17032", op: "17034"}
keys: {secret: keys/secret.key, passphrase_file: keys/passphrase, bank: keys/pubkeys.key, bank_serial: 64182}
gateway: {base_url: "https://service.cyberplat.ru", balance_url: "https://service.cyberplat.ru/cgi-bin/status/get_rest.cgi", timeout: 60s}
fiscal: {port: "tcp://127.0.0.1:7778", baud: 115200, password: 30}
agent: {tax_system: usn, fee_tax: none}
`

// edit returns production with old replaced by new.
func edit(old, new string) string {
	if !strings.Contains(production, old) {
		panic("badinput_test: " + old + " is not in the production sample")
	}
	return strings.Replace(production, old, new, 1)
}

// rawMarkers are pieces of Go error text that must never reach a person.
var rawMarkers = []string{"strconv.", "decoding failed", "yaml:", "no such file", "is a directory", "invalid syntax",
	"%!", "<nil>", "goroutine", "panic", "interface {}", "mapstructure"}

// assertHuman checks a message pair: both set, Russian with Cyrillic, no
// Go error text.
func assertHuman(t *testing.T, ru, en string) {
	t.Helper()
	assert.NotEmpty(t, strings.TrimSpace(ru), "Russian message")
	assert.NotEmpty(t, strings.TrimSpace(en), "English message")
	assert.True(t, hasCyrillic(ru), "Russian message without Cyrillic: %q", ru)
	assert.NotEqual(t, ru, en)
	for _, m := range rawMarkers {
		assert.NotContains(t, ru, m)
		assert.NotContains(t, en, m)
	}
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// TestBadInputConfigFile: every bad value a person can put in the file is
// refused by Load with a *Error naming the key, a message in both
// languages, and nothing written.
func TestBadInputConfigFile(t *testing.T) {
	tests := map[string]struct {
		yaml string
		key  string
	}{
		// Missing in production mode (the training defaults must not stand in).
		"production without fiscal.port": {edit(`fiscal: {port: "tcp://127.0.0.1:7778", baud: 115200, password: 30}`, ""), "fiscal.port"},
		"production without keys.secret": {edit("secret: keys/secret.key, ", ""), "keys.secret"},
		"production without keys.bank":   {edit("bank: keys/pubkeys.key, ", ""), "keys.bank"},
		"production without point.sd":    {edit(`sd: "17031", `, ""), "point.sd"},
		"production without point.ap":    {edit(`ap: "17032", `, ""), "point.ap"},
		"production without point.op":    {edit(`, op: "17034"`, ""), "point.op"},
		"production without any point":   {edit(`point: {sd: "17031", ap: "17032", op: "17034"}`, ""), "point.sd"},
		"production without gateway URL": {edit(`base_url: "https://service.cyberplat.ru", `, ""), "gateway.base_url"},
		"empty file is production":       {"", "fiscal.port"},
		"comment-only file":              {"# nothing here\n", "fiscal.port"},

		// Wrong types.
		"training not a bool":            {production + "training: maybe\n", "training"},
		"language a list":                {production + "language: [ru, en]\n", "language"},
		"language in capitals":           {production + "language: RU\n", "language"},
		"point a number":                 {edit(`point: {sd: "17031", ap: "17032", op: "17034"}`, "point: 17031"), "point"},
		"point.sd a list":                {edit(`sd: "17031"`, "sd: [17031, 17032]"), "point.sd"},
		"point.sd letters":               {edit(`sd: "17031"`, "sd: 17O31"), "point.sd"},
		"point.ap with a space":          {edit(`ap: "17032"`, `ap: "170 32"`), "point.ap"},
		"point.op full-width digits":     {edit(`op: "17034"`, `op: "１７０３４"`), "point.op"},
		"point.op negative":              {edit(`op: "17034"`, `op: -17034`), "point.op"},
		"keys.hash a map":                {edit("bank_serial: 64182", "bank_serial: 64182, hash: {name: md5}"), "keys.hash"},
		"keys.hash sha1":                 {edit("bank_serial: 64182", "bank_serial: 64182, hash: sha1"), "keys.hash"},
		"bank_serial letters":            {edit("bank_serial: 64182", "bank_serial: abc"), "keys.bank_serial"},
		"bank_serial negative":           {edit("bank_serial: 64182", "bank_serial: -5"), "keys.bank_serial"},
		"bank_serial zero":               {edit("bank_serial: 64182", "bank_serial: 0"), "keys.bank_serial"},
		"bank_sha256 not a bool":         {edit("bank_serial: 64182", "bank_serial: 64182, bank_sha256: perhaps"), "keys.bank_sha256"},
		"passphrase_store unknown":       {edit("bank_serial: 64182", "bank_serial: 64182, passphrase_store: vault"), "keys.passphrase_store"},
		"passphrase_store capitals":      {edit("bank_serial: 64182", "bank_serial: 64182, passphrase_store: Keyring"), "keys.passphrase_store"},
		"passphrase_store a list":        {edit("bank_serial: 64182", "bank_serial: 64182, passphrase_store: [keyring]"), "keys.passphrase_store"},
		"passphrase_store file, no file": {edit("passphrase_file: keys/passphrase, ", "passphrase_store: file, "), "keys.passphrase_file"},
		"keyring beside a plain file":    {edit("bank_serial: 64182", "bank_serial: 64182, passphrase_store: keyring"), "keys.passphrase_file"},
		"ask beside a plain file":        {edit("bank_serial: 64182", "bank_serial: 64182, passphrase_store: ask"), "keys.passphrase_file"},
		"timeout not a duration":         {edit("timeout: 60s", "timeout: soon"), "gateway.timeout"},
		"timeout bare number":            {edit("timeout: 60s", "timeout: 60"), "gateway.timeout"},
		"timeout negative":               {edit("timeout: 60s", "timeout: -5s"), "gateway.timeout"},
		"timeout too long":               {edit("timeout: 60s", "timeout: 11m"), "gateway.timeout"},
		"timeout a list":                 {edit("timeout: 60s", "timeout: [60s]"), "gateway.timeout"},
		"base_url not a URL":             {edit(`base_url: "https://service.cyberplat.ru"`, `base_url: "service cyberplat"`), "gateway.base_url"},
		"base_url ftp":                   {edit(`base_url: "https://service.cyberplat.ru"`, `base_url: "ftp://service.cyberplat.ru"`), "gateway.base_url"},
		"base_url plain http":            {edit(`base_url: "https://service.cyberplat.ru"`, `base_url: "http://service.cyberplat.ru"`), "gateway.base_url"},
		"balance_url without host":       {edit(`balance_url: "https://service.cyberplat.ru/cgi-bin/status/get_rest.cgi"`, `balance_url: "https://"`), "gateway.balance_url"},
		"baud letters":                   {edit("baud: 115200", "baud: fast"), "fiscal.baud"},
		"baud negative":                  {edit("baud: 115200", "baud: -9600"), "fiscal.baud"},
		"baud zero":                      {edit("baud: 115200", "baud: 0"), "fiscal.baud"},
		"baud too high":                  {edit("baud: 115200", "baud: 9216000"), "fiscal.baud"},
		"baud a list":                    {edit("baud: 115200", "baud: [9600]"), "fiscal.baud"},
		"password letters":               {edit("password: 30", "password: x"), "fiscal.password"},
		"password negative":              {edit("password: 30", "password: -1"), "fiscal.password"},
		"password too long":              {edit("password: 30", "password: 100000"), "fiscal.password"},
		"port a map":                     {edit(`port: "tcp://127.0.0.1:7778"`, "port: {tcp: 7778}"), "fiscal.port"},
		"agent a list":                   {edit("agent: {tax_system: usn, fee_tax: none}", "agent: [1]"), "agent"},
		"agent role":                     {edit("agent: {", "agent: {role: owner, "), "agent.role"},
		"agent tax system":               {edit("tax_system: usn", "tax_system: USN"), "agent.tax_system"},
		"agent tax system missing":       {edit("tax_system: usn, ", ""), "agent.tax_system"},
		"agent fee tax":                  {edit("fee_tax: none", "fee_tax: vat20"), "agent.fee_tax"},
		"agent fee tax missing":          {edit(", fee_tax: none", ""), "agent.fee_tax"},
		"agent fee over 100%":            {edit("agent: {", "agent: {fee: '101%', "), "agent.fee"},
		"agent fee negative":             {edit("agent: {", "agent: {fee: '-1%', "), "agent.fee"},
		"agent INN 11 digits":            {edit("agent: {", "agent: {inn: '77012345678', "), "agent.inn"},
		"agent INN letters":              {edit("agent: {", "agent: {inn: '77O1234567', "), "agent.inn"},
		"agent phone with spaces":        {edit("agent: {", "agent: {phone: '+7 495 000 00 01', "), "agent.phone"},
		"operator phone without +":       {edit("agent: {", "agent: {operator_phone: '84950000002', "), "agent.operator_phone"},
		"operator phone too long":        {edit("agent: {", "agent: {operator_phone: '+74950000002000000000', "), "agent.operator_phone"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := write(t, dir, "paydesk.yaml", tt.yaml)
			before := testutil.Fingerprint(t, dir)
			c, err := Load(file)
			assert.Nil(t, c)
			var ce *Error
			require.ErrorAs(t, err, &ce, "%v", err)
			assert.Equal(t, tt.key, ce.Key, "%v", err)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
			assert.Equal(t, before, testutil.Fingerprint(t, dir), "a refused load writes nothing")
		})
	}
}

// TestBadInputConfigUnreadable: files that are not YAML, or not files.
func TestBadInputConfigUnreadable(t *testing.T) {
	tests := map[string]struct {
		make func(t *testing.T, dir string) string
		ru   string
		en   string
	}{
		"missing file": {func(t *testing.T, dir string) string { return filepath.Join(dir, "nope.yaml") },
			"не удалось прочитать файл настроек", "cannot read the configuration file"},
		"a directory": {func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "paydesk.yaml")
			require.NoError(t, os.Mkdir(p, 0o700))
			return p
		}, "не удалось прочитать файл настроек", "cannot read the configuration file"},
		"unclosed bracket": {func(t *testing.T, dir string) string { return write(t, dir, "c.yaml", "point: {sd: 1") },
			"не является корректным YAML", "not valid YAML"},
		"tab indentation": {func(t *testing.T, dir string) string { return write(t, dir, "c.yaml", "fiscal:\n\tport: none\n") },
			"не является корректным YAML", "not valid YAML"},
		"a list, not a map": {func(t *testing.T, dir string) string { return write(t, dir, "c.yaml", "- training\n- true\n") },
			"не является корректным YAML", "not valid YAML"},
		"duplicate key": {func(t *testing.T, dir string) string {
			return write(t, dir, "c.yaml", "training: true\ntraining: false\n")
		}, "не является корректным YAML", "not valid YAML"},
		"binary junk": {func(t *testing.T, dir string) string {
			return write(t, dir, "c.yaml", "\x00\x01\x02\xff\xfe: [")
		}, "не является корректным YAML", "not valid YAML"},
	}
	if os.Geteuid() != 0 {
		tests["no permission"] = struct {
			make func(t *testing.T, dir string) string
			ru   string
			en   string
		}{func(t *testing.T, dir string) string {
			p := write(t, dir, "c.yaml", production)
			require.NoError(t, os.Chmod(p, 0))
			t.Cleanup(func() { _ = os.Chmod(p, 0o600) })
			return p
		}, "не удалось прочитать файл настроек", "cannot read the configuration file"}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := tt.make(t, dir)
			before := testutil.Fingerprint(t, dir)
			c, err := Load(file)
			assert.Nil(t, c)
			var ce *Error
			require.ErrorAs(t, err, &ce, "%v", err)
			assert.Contains(t, ce.Msg().In("ru"), tt.ru)
			assert.Contains(t, ce.Msg().In("en"), tt.en)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
			assert.Equal(t, before, testutil.Fingerprint(t, dir))
		})
	}
}

// TestBadInputEnvironment: PAYDESK_* variables override the file and are
// checked the same way, naming the key they set.
func TestBadInputEnvironment(t *testing.T) {
	tests := map[string]struct{ env, value, key string }{
		"training":       {"PAYDESK_TRAINING", "sometimes", "training"},
		"language":       {"PAYDESK_LANGUAGE", "de", "language"},
		"point sd":       {"PAYDESK_POINT_SD", "SD17031", "point.sd"},
		"point op":       {"PAYDESK_POINT_OP", "17 034", "point.op"},
		"hash":           {"PAYDESK_KEYS_HASH", "sha512", "keys.hash"},
		"bank serial":    {"PAYDESK_KEYS_BANK_SERIAL", "-1", "keys.bank_serial"},
		"bank serial x":  {"PAYDESK_KEYS_BANK_SERIAL", "x64182", "keys.bank_serial"},
		"bank sha256":    {"PAYDESK_KEYS_BANK_SHA256", "yes please", "keys.bank_sha256"},
		"timeout":        {"PAYDESK_GATEWAY_TIMEOUT", "a minute", "gateway.timeout"},
		"timeout short":  {"PAYDESK_GATEWAY_TIMEOUT", "500ms", "gateway.timeout"},
		"balance URL":    {"PAYDESK_GATEWAY_BALANCE_URL", "http://example.com/get_rest.cgi", "gateway.balance_url"},
		"base URL":       {"PAYDESK_GATEWAY_BASE_URL", "::not a url::", "gateway.base_url"},
		"baud":           {"PAYDESK_FISCAL_BAUD", "115200bps", "fiscal.baud"},
		"baud low":       {"PAYDESK_FISCAL_BAUD", "300", "fiscal.baud"},
		"password":       {"PAYDESK_FISCAL_PASSWORD", "0", "fiscal.password"},
		"password words": {"PAYDESK_FISCAL_PASSWORD", "thirty", "fiscal.password"},
		"agent INN":      {"PAYDESK_AGENT_INN", "123", "agent.inn"},
		"agent fee":      {"PAYDESK_AGENT_FEE", "one percent", "agent.fee"},
		"agent role":     {"PAYDESK_AGENT_ROLE", "AGENT", "agent.role"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := write(t, dir, "paydesk.yaml", production)
			before := testutil.Fingerprint(t, dir)
			t.Setenv(tt.env, tt.value)
			c, err := Load(file)
			assert.Nil(t, c)
			var ce *Error
			require.ErrorAs(t, err, &ce, "%v", err)
			assert.Equal(t, tt.key, ce.Key, "%v", err)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
			assert.Equal(t, before, testutil.Fingerprint(t, dir))
		})
	}
	// The point's codes may come from the environment alone.
	t.Run("point from the environment", func(t *testing.T) {
		file := write(t, t.TempDir(), "paydesk.yaml", edit(`point: {sd: "17031", ap: "17032", op: "17034"}`, ""))
		t.Setenv("PAYDESK_POINT_SD", "1")
		t.Setenv("PAYDESK_POINT_AP", "2")
		t.Setenv("PAYDESK_POINT_OP", "3")
		c, err := Load(file)
		require.NoError(t, err)
		assert.Equal(t, Point{"1", "2", "3"}, c.Point)
	})
	// A catalogue file with full URLs needs no base URL.
	t.Run("providers instead of base URL", func(t *testing.T) {
		file := write(t, t.TempDir(), "paydesk.yaml", edit(`base_url: "https://service.cyberplat.ru", `, "")+"providers: providers.yaml\n")
		_, err := Load(file)
		require.NoError(t, err)
	})
}

var (
	keysOnce sync.Once
	keyFiles struct{ secret, pub, dealerOnly []byte }
)

// keySet writes a good key set (passphrase "secret pass") into dir/keys once
// generated, and returns the configuration file.
func keySet(t *testing.T, dir string) string {
	t.Helper()
	keysOnce.Do(func() {
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		dealer, bank := ipritest.DealerKey(), ipritest.BankKey()
		var err error
		keyFiles.secret, err = dealer.Marshal([]byte("secret pass"), nil)
		require.NoError(t, err)
		keyFiles.pub, err = bank.Public().MarshalCertified(dealer, now)
		require.NoError(t, err)
		keyFiles.dealerOnly, err = dealer.Public().MarshalCertified(dealer, now)
		require.NoError(t, err)
	})
	write(t, dir, "keys/secret.key", string(keyFiles.secret))
	write(t, dir, "keys/passphrase", "secret pass\n")
	write(t, dir, "keys/pubkeys.key", string(keyFiles.pub))
	return write(t, dir, "paydesk.yaml", production)
}

// TestBadInputKeys: key files that are missing, unreadable, garbage, or
// opened with the wrong passphrase. Load succeeds (it does not read keys);
// building the client fails with the key named, and nothing is written.
func TestBadInputKeys(t *testing.T) {
	dirInsteadOfFile := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, "keys", name)
			require.NoError(t, os.Remove(p))
			require.NoError(t, os.Mkdir(p, 0o700))
		}
	}
	replace := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { write(t, dir, filepath.Join("keys", name), content) }
	}
	remove := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "keys", name))) }
	}
	unreadable := dirInsteadOfFile("secret.key")
	if os.Geteuid() != 0 {
		// As root a file with mode 000 stays readable: a folder in its place
		// stands in for it then.
		unreadable = func(t *testing.T, dir string) {
			p := filepath.Join(dir, "keys", "secret.key")
			require.NoError(t, os.Chmod(p, 0))
			t.Cleanup(func() { _ = os.Chmod(p, 0o600) })
		}
	}
	tests := map[string]struct {
		spoil  func(t *testing.T, dir string)
		env    map[string]string
		key    string
		ru, en string
	}{
		"secret key missing":    {remove("secret.key"), nil, "keys.secret", "не удалось прочитать секретный ключ", "cannot read the point's secret key"},
		"secret key unreadable": {unreadable, nil, "keys.secret", "не удалось прочитать секретный ключ", "cannot read the point's secret key"},
		"secret key a folder":   {dirInsteadOfFile("secret.key"), nil, "keys.secret", "не удалось прочитать секретный ключ", "cannot read the point's secret key"},
		"secret key garbage":    {replace("secret.key", "this is not a key\n"), nil, "keys.secret", "не удалось загрузить секретный ключ", "cannot be loaded"},
		"secret key empty":      {replace("secret.key", ""), nil, "keys.secret", "не удалось загрузить секретный ключ", "cannot be loaded"},
		"secret key is the bank's public key": {func(t *testing.T, dir string) {
			write(t, dir, "keys/secret.key", string(keyFiles.pub))
		}, nil, "keys.secret", "не удалось загрузить секретный ключ", "cannot be loaded"},
		"wrong passphrase in the file":     {replace("passphrase", "secret pass!\n"), nil, "keys.passphrase_file", "неверный пароль", "wrong passphrase"},
		"passphrase with a trailing space": {replace("passphrase", "secret pass \n"), nil, "keys.passphrase_file", "неверный пароль", "wrong passphrase"},
		"empty passphrase file":            {replace("passphrase", ""), nil, "keys.passphrase_file", "неверный пароль", "wrong passphrase"},
		"wrong passphrase in the environment": {nil, map[string]string{"PAYDESK_KEYS_PASSPHRASE": "Secret Pass"},
			"keys.passphrase_file", "неверный пароль", "wrong passphrase"},
		"passphrase file missing":  {remove("passphrase"), nil, "keys.passphrase_file", "не удалось прочитать файл пароля", "cannot read the passphrase file"},
		"passphrase file a folder": {dirInsteadOfFile("passphrase"), nil, "keys.passphrase_file", "не удалось прочитать файл пароля", "cannot read the passphrase file"},
		"bank key missing":         {remove("pubkeys.key"), nil, "keys.bank", "не удалось прочитать файл открытого ключа банка", "cannot read the bank's public key file"},
		"bank key a folder":        {dirInsteadOfFile("pubkeys.key"), nil, "keys.bank", "не удалось прочитать файл открытого ключа банка", "cannot read the bank's public key file"},
		"bank key garbage":         {replace("pubkeys.key", "BEGIN nothing\n"), nil, "keys.bank", "не удалось загрузить файл открытого ключа банка", "cannot be loaded"},
		"bank key empty":           {replace("pubkeys.key", ""), nil, "keys.bank", "не удалось загрузить файл открытого ключа банка", "cannot be loaded"},
		"bank key file is the secret key": {func(t *testing.T, dir string) {
			write(t, dir, "keys/pubkeys.key", string(keyFiles.secret))
		}, nil, "keys.bank", "не удалось загрузить файл открытого ключа банка", "cannot be loaded"},
		"bank key file without the bank's key": {func(t *testing.T, dir string) {
			write(t, dir, "keys/pubkeys.key", string(keyFiles.dealerOnly))
		}, nil, "keys.bank_serial", "нет ключа с номером 64182", "no key with serial 64182"},
		"bank serial not in the file": {nil, map[string]string{"PAYDESK_KEYS_BANK_SERIAL": "1"},
			"keys.bank_serial", "нет ключа с номером 1", "no key with serial 1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := keySet(t, dir)
			if tt.spoil != nil {
				tt.spoil(t, dir)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := testutil.Fingerprint(t, dir)
			c, err := Load(file)
			require.NoError(t, err, "keys are read when the client is built, not by Load")
			cl, err := c.Client(clock.Real{}, nil, nil)
			assert.Nil(t, cl)
			var ce *Error
			require.ErrorAs(t, err, &ce, "%v", err)
			assert.Equal(t, tt.key, ce.Key, "%v", err)
			assert.Contains(t, ce.Msg().In("ru"), tt.ru)
			assert.Contains(t, ce.Msg().In("en"), tt.en)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
			assert.Equal(t, before, testutil.Fingerprint(t, dir), "a refused key changes no file")
		})
	}
	// The good set builds a client: the cases above fail for their one fault.
	c, err := Load(keySet(t, t.TempDir()))
	require.NoError(t, err)
	_, err = c.Client(clock.Real{}, nil, nil)
	require.NoError(t, err)
}
