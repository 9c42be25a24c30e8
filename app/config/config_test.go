package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"paydesk/internal/clock"
	"paydesk/protocol/ipriv/ipritest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `point: {sd: "17031", ap: "17032", op: "17034"}
keys:
  secret: keys/secret.key
  passphrase_file: keys/passphrase
  bank: keys/pubkeys.key
  bank_serial: 64182
  hash: md5
gateway:
  timeout: 60s
  balance_url: https://service.cyberplat.ru/cgi-bin/status/get_rest.cgi
providers: providers.yaml
fiscal: {port: "tcp://127.0.0.1:7778", baud: 115200, password: 30}
agent: {name: 'ООО "Волна"', inn: "7701234567", phone: "+74950000001", operator_phone: "+74950000002", tax_system: usn, fee_tax: none}
shop_note: any other key may be added
`

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "paydesk.yaml", sample)
	c, err := Load(file)
	require.NoError(t, err)
	assert.False(t, c.Training)
	assert.Equal(t, "ru", c.Language)
	assert.Equal(t, Point{"17031", "17032", "17034"}, c.Point)
	assert.Equal(t, filepath.Join(dir, "keys/secret.key"), c.Keys.Secret, "relative to the file's folder")
	assert.Equal(t, filepath.Join(dir, "providers.yaml"), c.Providers)
	assert.Equal(t, uint32(64182), c.Keys.BankSerial)
	assert.Equal(t, 60*time.Second, c.Gateway.Timeout)
}

func TestEnvironmentOverrides(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "paydesk.yaml", sample)
	t.Setenv("PAYDESK_POINT_AP", "99999")
	t.Setenv("PAYDESK_KEYS_PASSPHRASE", "from env")
	t.Setenv("PAYDESK_GATEWAY_TIMEOUT", "90s")
	t.Setenv("PAYDESK_LANGUAGE", "en")
	c, err := Load(file)
	require.NoError(t, err)
	assert.Equal(t, "99999", c.Point.AP)
	assert.Equal(t, 90*time.Second, c.Gateway.Timeout)
	assert.Equal(t, "en", c.Language)
	p, err := c.Passphrase()
	require.NoError(t, err)
	assert.Equal(t, "from env", string(p))
}

func TestTrainingDefaults(t *testing.T) {
	c, err := Load("")
	require.NoError(t, err)
	assert.True(t, c.Training)
	assert.Equal(t, Point{"17031", "17032", "17034"}, c.Point)
	assert.Equal(t, uint32(64182), c.Keys.BankSerial)
	cat, err := func() (any, error) {
		c.Gateway.BaseURL = "http://127.0.0.1:8780"
		return c.Catalogue()
	}()
	require.NoError(t, err)
	assert.NotNil(t, cat)
}

func TestBadValues(t *testing.T) {
	tests := map[string]struct {
		yaml string
		key  string
	}{
		"letters in SD":         {"point: {sd: 17O31}\ntraining: true", "point.sd"},
		"empty AP":              {"point: {ap: ''}\ntraining: true", "point.ap"},
		"hash":                  {"keys: {hash: sha1}\ntraining: true", "keys.hash"},
		"bank serial zero":      {"keys: {bank_serial: 0}\ntraining: true", "keys.bank_serial"},
		"timeout too short":     {"gateway: {timeout: 10ms}\ntraining: true", "gateway.timeout"},
		"http balance URL":      {"gateway: {balance_url: 'http://service.cyberplat.ru/x'}\ntraining: true", "gateway.balance_url"},
		"language":              {"language: de\ntraining: true", "language"},
		"no keys in production": {"point: {sd: '1'}\nfiscal: {port: none}", "keys.secret"},
		"no bank key":           {"keys: {secret: s.key}\nfiscal: {port: none}", "keys.bank"},
		"timeout not duration":  {"gateway: {timeout: soon}\ntraining: true", "gateway.timeout"},
		"agent role":            {"agent: {role: broker}\ntraining: true", "agent.role"},
		"tax system":            {"agent: {tax_system: usn6}\ntraining: true", "agent.tax_system"},
		"agent fee":             {"agent: {fee: lots}\ntraining: true", "agent.fee"},
		"agent INN":             {"agent: {inn: '123'}\ntraining: true", "agent.inn"},
		"agent phone":           {"agent: {phone: '8-495'}\ntraining: true", "agent.phone"},
		"baud":                  {"fiscal: {baud: 7}\ntraining: true", "fiscal.baud"},
		"fiscal password":       {"fiscal: {password: 0}\ntraining: true", "fiscal.password"},
		"fiscal driver":         {"fiscal: {driver: epson}\ntraining: true", "fiscal.driver"},
		"no fiscal port":        {"keys: {secret: s, bank: b}", "fiscal.port"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			file := write(t, t.TempDir(), "c.yaml", tt.yaml)
			_, err := Load(file)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.key, ce.Key)
			assert.NotEmpty(t, ce.Msg().In("ru"))
			assert.NotEmpty(t, ce.Msg().In("en"))
		})
	}
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Msg().In("ru"), "не удалось прочитать")
	_, err = Load(write(t, t.TempDir(), "c.yaml", "point: [unclosed"))
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Msg().In("en"), "not valid YAML")
}

func TestClientFromKeys(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	dealer, bank := ipritest.DealerKey(), ipritest.BankKey()
	sec, err := dealer.Marshal([]byte("secret pass"), nil)
	require.NoError(t, err)
	pub, err := bank.Public().MarshalCertified(dealer, now)
	require.NoError(t, err)
	write(t, dir, "keys/secret.key", string(sec))
	write(t, dir, "keys/passphrase", "secret pass\r\n")
	write(t, dir, "keys/pubkeys.key", string(pub))
	write(t, dir, "providers.yaml", "providers:\n  - {code: x, name: X, group: mobile, check_url: /c, pay_url: /p, status_url: /s}\n")
	file := write(t, dir, "paydesk.yaml", sample)
	t.Setenv("PAYDESK_GATEWAY_BASE_URL", "https://service.cyberplat.ru")
	c, err := Load(file)
	require.NoError(t, err)
	cl, err := c.Client(clock.Real{}, nil, nil)
	require.NoError(t, err)
	assert.NotNil(t, cl)
	cat, err := c.Catalogue()
	require.NoError(t, err)
	assert.Equal(t, "https://service.cyberplat.ru/c", cat.Providers[0].CheckURL)

	// A wrong passphrase is named as such.
	t.Setenv("PAYDESK_KEYS_PASSPHRASE", "wrong")
	c, err = Load(file)
	require.NoError(t, err)
	_, err = c.Client(clock.Real{}, nil, nil)
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "keys.passphrase_file", ce.Key)
	assert.Equal(t, "неверный пароль секретного ключа точки", ce.Msg().In("ru"))

	// A bank serial that is not in the file.
	t.Setenv("PAYDESK_KEYS_PASSPHRASE", "")
	t.Setenv("PAYDESK_KEYS_BANK_SERIAL", "904291")
	c, err = Load(file)
	require.NoError(t, err)
	_, err = c.BankKey()
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "keys.bank_serial", ce.Key)
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	assert.Equal(t, "", DefaultFile())
	c, err := Load("")
	require.NoError(t, err)
	p, err := c.StorePath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "paydesk", "training.db"), p)
	write(t, dir, "paydesk/paydesk.yaml", "training: true\n")
	assert.Equal(t, filepath.Join(dir, "paydesk", "paydesk.yaml"), DefaultFile())
	c, err = Load(DefaultFile())
	require.NoError(t, err)
	c.Training = false
	p, err = c.StorePath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "paydesk", "paydesk.db"), p)
}

func TestFiscalDriver(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"training: true", "shtrih"},
		{"training: true\nfiscal: {driver: atol}", "atol"},
		{"training: true\nfiscal: {driver: shtrih}", "shtrih"},
	}
	for _, tt := range tests {
		c, err := Load(write(t, t.TempDir(), "c.yaml", tt.yaml))
		require.NoError(t, err, tt.yaml)
		assert.Equal(t, tt.want, c.Fiscal.Driver)
	}
	_, err := Load(write(t, t.TempDir(), "c.yaml", "training: true\nfiscal: {driver: ATOL}"))
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Msg().In("en"), "shtrih or atol")
	assert.Contains(t, ce.Msg().In("ru"), "неизвестный драйвер ККТ")
}
