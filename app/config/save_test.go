package config

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clearEnv keeps the developer's PAYDESK_ variables out of a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, EnvPrefix+"_") {
			t.Setenv(k, "")
		}
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Mode().Perm()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestFieldsAreTheKeys: Save knows every key Load knows.
func TestFieldsAreTheKeys(t *testing.T) {
	var keys, want []string
	for _, f := range fields(&Config{}) {
		keys = append(keys, f.key)
	}
	for k := range defaults {
		want = append(want, k)
	}
	sort.Strings(keys)
	sort.Strings(want)
	assert.Equal(t, want, keys)
}

// TestSaveRoundTrip: what Save writes loads back, by Load, to the
// configuration saved; the file is 0600 and says only what it must.
func TestSaveRoundTrip(t *testing.T) {
	clearEnv(t)
	example, err := os.ReadFile(filepath.Join("..", "..", "packaging", "paydesk.example.yaml"))
	require.NoError(t, err)
	tests := []struct {
		name   string
		file   string // the file before; "-": none
		loaded bool   // the configuration is the file's (else training defaults)
		change func(c *Config)
		has    []string // lines the saved file holds
		hasNot []string // text it does not
	}{
		{name: "training defaults to a new file", file: "-", change: func(c *Config) {},
			has: []string{"training: true\n"}, hasNot: []string{"point", "language", "fiscal", "agent", "passphrase"}},
		{name: "training defaults made a production file", file: "-", change: func(c *Config) {
			c.Training = false
			c.Fiscal.Port, c.Keys.Secret, c.Keys.Bank, c.Gateway.BaseURL = "none", "/keys/secret.key", "/keys/pubkeys.key", "https://service.cyberplat.ru"
			c.Agent.TaxSystem, c.Agent.FeeTax = "usn", "vat22"
		}, has: []string{`sd: "17031"`, `ap: "17032"`, `op: "17034"`, "port: none", "base_url: https://service.cyberplat.ru"}, hasNot: []string{"training"}},
		{name: "settings of a new file", file: "-", change: func(c *Config) {
			c.Fiscal.Port, c.Fiscal.Baud, c.Language = "tcp://127.0.0.1:7778", 9600, "en"
			c.Keys.Secret, c.Keys.Bank = "/keys/secret.key", "/keys/pubkeys.key"
			c.Gateway.Timeout = 90 * time.Second
			c.Agent.TaxSystem = "usn"
		}, has: []string{"training: true", "port: tcp://127.0.0.1:7778", "baud: 9600", "language: en", "secret: /keys/secret.key", "timeout: 90s", "tax_system: usn"},
			hasNot: []string{"password", "hash"}},
		{name: "production file, one key changed", file: production, loaded: true, change: func(c *Config) { c.Fiscal.Port = "/dev/ttyACM0" },
			has: []string{`fiscal: {port: "/dev/ttyACM0", baud: 115200, password: 30}`, `point: {sd: "17031", ap: "17032", op: "17034"}`,
				"keys: {secret: keys/secret.key, passphrase_file: keys/passphrase, bank: keys/pubkeys.key, bank_serial: 64182}"}},
		{name: "production file, relative path", file: production, loaded: true, change: func(c *Config) { c.Providers = "catalogue/providers.yaml" },
			has: []string{"providers: catalogue/providers.yaml"}},
		{name: "production file, a key back to its default", file: production + "language: en\nproviders: p.yaml\n", loaded: true,
			change: func(c *Config) { c.Language, c.Providers = "ru", "" }, has: []string{"language: ru", `providers: ""`}},
		{name: "example file, comments kept", file: string(example), loaded: true, change: func(c *Config) {
			c.Fiscal.Password = 1234
			c.Agent.Name = `ООО "Василёк"`
			c.Point.AP = "17099"
		}, has: []string{"# The Shtrih-M fiscal register.", "  # Serial speed, as set in the register (115200 by default; 1200..921600).",
			"  password: 1234", `  name: 'ООО "Василёк"'`, `  ap: "17099"`, "\n\n# The database.\n"}},
		{name: "a key the program does not know stays", file: sample, loaded: true, change: func(c *Config) { c.Agent.INN = "770123456789" },
			has: []string{"shop_note: any other key may be added", `inn: "770123456789"`}},
		{name: "comment-only file", file: "# the shop's settings\n", change: func(c *Config) { c.Language = "en" },
			has: []string{"# the shop's settings", "language: en", "training: true"}},
		{name: "null sections", file: "training: true\nfiscal:\nagent: ~\n", loaded: true,
			change: func(c *Config) { c.Fiscal.Port, c.Agent.Role = "none", "agent" }, has: []string{"  port: none", "  role: agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "conf", "paydesk.yaml")
			if tt.file != "-" {
				write(t, dir, "conf/paydesk.yaml", tt.file)
			}
			var c *Config
			var err error
			if tt.loaded {
				c, err = Load(path)
			} else {
				c, err = Load("")
			}
			require.NoError(t, err)
			tt.change(c)
			require.NoError(t, Save(path, c))

			got, err := Load(path)
			require.NoError(t, err, read(t, path))
			want := *c
			want.File, want.Dir = path, filepath.Dir(path)
			want.resolve()
			assert.Equal(t, want, *got)
			assert.Equal(t, os.FileMode(0o600), mode(t, path))
			text := read(t, path)
			for _, h := range tt.has {
				assert.Contains(t, text, h)
			}
			for _, h := range tt.hasNot {
				assert.NotContains(t, text, h)
			}

			// Saving what was loaded changes nothing.
			require.NoError(t, Save(path, got))
			assert.Equal(t, text, read(t, path))
		})
	}
}

// TestSaveUnchangedFile: a save with nothing to change leaves the file byte
// for byte (and its blank lines and comments with it).
func TestSaveUnchangedFile(t *testing.T) {
	clearEnv(t)
	example, err := os.ReadFile(filepath.Join("..", "..", "packaging", "paydesk.example.yaml"))
	require.NoError(t, err)
	for name, content := range map[string]string{"example": string(example), "production": production, "sample": sample} {
		t.Run(name, func(t *testing.T) {
			path := write(t, t.TempDir(), "paydesk.yaml", content)
			c, err := Load(path)
			require.NoError(t, err)
			require.NoError(t, Save(path, c))
			assert.Equal(t, content, read(t, path))
			assert.Equal(t, os.FileMode(0o600), mode(t, path))
		})
	}
	// A file of another mode is written back 0600: it names the key files.
	path := write(t, t.TempDir(), "paydesk.yaml", production)
	require.NoError(t, os.Chmod(path, 0o644))
	c, err := Load(path)
	require.NoError(t, err)
	c.Fiscal.Baud = 9600
	require.NoError(t, Save(path, c))
	assert.Equal(t, os.FileMode(0o600), mode(t, path))
}

// TestSaveRefusesWhatLoadRefuses: a configuration Load would refuse is
// refused by Save with the same *Error, and nothing is written.
func TestSaveRefusesWhatLoadRefuses(t *testing.T) {
	clearEnv(t)
	tests := map[string]struct {
		yaml   string // the same fault written in the file, for Load
		change func(c *Config)
	}{
		"language":          {production + "language: de\n", func(c *Config) { c.Language = "de" }},
		"empty language":    {production + "language: ''\n", func(c *Config) { c.Language = "" }},
		"SD letters":        {edit(`sd: "17031"`, "sd: 17O31"), func(c *Config) { c.Point.SD = "17O31" }},
		"empty AP":          {edit(`ap: "17032"`, "ap: ''"), func(c *Config) { c.Point.AP = "" }},
		"hash":              {edit("bank_serial: 64182", "bank_serial: 64182, hash: sha1"), func(c *Config) { c.Keys.Hash = "sha1" }},
		"bank serial zero":  {edit("bank_serial: 64182", "bank_serial: 0"), func(c *Config) { c.Keys.BankSerial = 0 }},
		"timeout short":     {edit("timeout: 60s", "timeout: 10ms"), func(c *Config) { c.Gateway.Timeout = 10 * time.Millisecond }},
		"timeout long":      {edit("timeout: 60s", "timeout: 11m"), func(c *Config) { c.Gateway.Timeout = 11 * time.Minute }},
		"http balance URL":  {edit(`balance_url: "https://service.cyberplat.ru/cgi-bin/status/get_rest.cgi"`, `balance_url: "http://service.cyberplat.ru/x"`), func(c *Config) { c.Gateway.BalanceURL = "http://service.cyberplat.ru/x" }},
		"agent role":        {edit("agent: {", "agent: {role: broker, "), func(c *Config) { c.Agent.Role = "broker" }},
		"tax system":        {edit("tax_system: usn", "tax_system: usn6"), func(c *Config) { c.Agent.TaxSystem = "usn6" }},
		"agent fee":         {edit("agent: {", "agent: {fee: lots, "), func(c *Config) { c.Agent.Fee = "lots" }},
		"agent INN":         {edit("agent: {", "agent: {inn: '123', "), func(c *Config) { c.Agent.INN = "123" }},
		"agent phone":       {edit("agent: {", "agent: {phone: '8-495', "), func(c *Config) { c.Agent.Phone = "8-495" }},
		"baud":              {edit("baud: 115200", "baud: 7"), func(c *Config) { c.Fiscal.Baud = 7 }},
		"password zero":     {edit("password: 30", "password: 0"), func(c *Config) { c.Fiscal.Password = 0 }},
		"password too big":  {edit("password: 30", "password: 10000"), func(c *Config) { c.Fiscal.Password = 10000 }},
		"no fiscal port":    {edit(`fiscal: {port: "tcp://127.0.0.1:7778", baud: 115200, password: 30}`, ""), func(c *Config) { c.Fiscal.Port = "" }},
		"no secret key":     {edit("secret: keys/secret.key, ", ""), func(c *Config) { c.Keys.Secret = "" }},
		"no bank key":       {edit("bank: keys/pubkeys.key, ", ""), func(c *Config) { c.Keys.Bank = "" }},
		"no gateway URL":    {edit(`base_url: "https://service.cyberplat.ru", `, ""), func(c *Config) { c.Gateway.BaseURL = "" }},
		"training password": {"training: true\nfiscal: {password: 0}\n", func(c *Config) { c.Training, c.Fiscal.Password = true, 0 }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, loadErr := Load(write(t, dir, "bad.yaml", tt.yaml))
			var want *Error
			require.ErrorAs(t, loadErr, &want)

			path := write(t, dir, "paydesk.yaml", production)
			c, err := Load(path)
			require.NoError(t, err)
			tt.change(c)
			before := testutil.Fingerprint(t, dir)
			err = Save(path, c)
			var got *Error
			require.ErrorAs(t, err, &got)
			assert.Equal(t, want.Key, got.Key)
			assert.Equal(t, want.Text.In("en"), got.Text.In("en"))
			assert.Equal(t, want.Text.In("ru"), got.Text.In("ru"))
			assert.Equal(t, loadErr.Error(), err.Error())
			assert.Equal(t, before, testutil.Fingerprint(t, dir), "a refused save writes nothing")

			// Nor is a new file made.
			fresh := filepath.Join(dir, "new", "paydesk.yaml")
			require.Error(t, Save(fresh, c))
			assert.NoFileExists(t, fresh)
		})
	}
}

// TestSaveRefusals: what Save refuses beyond Load's rules, writing nothing.
func TestSaveRefusals(t *testing.T) {
	clearEnv(t)
	tests := map[string]struct {
		file   string
		env    map[string]string
		change func(c *Config)
		key    string
		en     string
	}{
		"the environment overrides the new value": {production, map[string]string{"PAYDESK_FISCAL_PORT": "none"},
			func(c *Config) { c.Fiscal.Port = "/dev/ttyUSB0" }, "fiscal.port", "PAYDESK_FISCAL_PORT"},
		"the environment overrides an emptied path": {production + "providers: p.yaml\n", map[string]string{"PAYDESK_PROVIDERS": "/q.yaml"},
			func(c *Config) { c.Providers = "" }, "providers", "PAYDESK_PROVIDERS"},
		"the file is not YAML":      {"fiscal: {port: none\n", nil, func(c *Config) {}, "", "not valid YAML"},
		"the file has a wrong type": {"training: true\nfiscal: {baud: fast}\n", nil, func(c *Config) {}, "fiscal.baud", "wrong type"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c, err := Load(write(t, t.TempDir(), "paydesk.yaml", production))
			require.NoError(t, err)
			path := write(t, dir, "paydesk.yaml", tt.file)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c.File, c.Dir = path, dir
			tt.change(c)
			before := testutil.Fingerprint(t, dir)
			err = Save(path, c)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.key, ce.Key)
			assert.Contains(t, ce.Msg().In("en"), tt.en)
			assertHuman(t, ce.Msg().In("ru"), ce.Msg().In("en"))
			assert.Equal(t, before, testutil.Fingerprint(t, dir))
		})
	}
}

// TestSaveEnvironment: values that come from the environment are not
// copied into the file (a passphrase above all).
func TestSaveEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("PAYDESK_KEYS_PASSPHRASE", "from env")
	t.Setenv("PAYDESK_POINT_AP", "99999")
	t.Setenv("PAYDESK_DATA_DIR", "/var/lib/paydesk")
	path := write(t, t.TempDir(), "paydesk.yaml", production)
	c, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, "from env", c.Keys.Passphrase)
	c.Fiscal.Port = "none"
	require.NoError(t, Save(path, c))
	text := read(t, path)
	assert.NotContains(t, text, "from env")
	assert.NotContains(t, text, "99999")
	assert.NotContains(t, text, "/var/lib/paydesk")
	assert.Contains(t, text, `port: "none"`, "in place, quoted as it was")
	got, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, *c, *got)

	// A new file gets the point's codes unless the environment gives them.
	fresh := filepath.Join(t.TempDir(), "paydesk.yaml")
	require.NoError(t, Save(fresh, c))
	text = read(t, fresh)
	assert.Contains(t, text, `sd: "17031"`)
	assert.NotContains(t, text, "ap:")
	got, err = Load(fresh)
	require.NoError(t, err)
	c.File, c.Dir = got.File, got.Dir
	c.Keys.Secret, c.Keys.PassphraseFile, c.Keys.Bank = got.Keys.Secret, got.Keys.PassphraseFile, got.Keys.Bank
	assert.Equal(t, *c, *got)
}

// TestEdit: Edit changes what the file says now, not a copy loaded earlier.
func TestEdit(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	path := write(t, dir, "paydesk.yaml", production)
	require.NoError(t, Edit(path, func(c *Config) {
		assert.Equal(t, filepath.Join(dir, "keys", "secret.key"), c.Keys.Secret, "paths resolved")
		c.Language = "en"
	}))
	// Someone edits the file by hand meanwhile.
	edited := strings.Replace(read(t, path), "tax_system: usn", "name: Shop, tax_system: usn", 1)
	require.Contains(t, edited, "name: Shop")
	write(t, dir, "paydesk.yaml", edited)
	require.NoError(t, Edit(path, func(c *Config) { c.Fiscal.Baud = 9600 }))
	c, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, "en", c.Language)
	assert.Equal(t, "Shop", c.Agent.Name)
	assert.Equal(t, 9600, c.Fiscal.Baud)
	assert.Contains(t, read(t, path), "keys: {secret: keys/secret.key,", "untouched keys stay as written")

	// A missing file is made; a refused edit writes nothing.
	fresh := filepath.Join(dir, "new", "paydesk.yaml")
	require.NoError(t, Edit(fresh, func(c *Config) { c.Training = true }))
	c, err = Load(fresh)
	require.NoError(t, err)
	assert.True(t, c.Training)
	before := testutil.Fingerprint(t, dir)
	err = Edit(path, func(c *Config) { c.Fiscal.Password = 0 })
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "fiscal.password", ce.Key)
	assert.Equal(t, before, testutil.Fingerprint(t, dir))
}

func TestTaxSystem(t *testing.T) {
	tests := []struct {
		name string
		want fiscal.TaxSystem
		ok   bool
	}{
		{"osn", fiscal.OSN, true},
		{"usn", fiscal.USNIncome, true},
		{"usn-minus", fiscal.USNIncomeMinus, true},
		{"eshn", fiscal.ESHN, true},
		{"psn", fiscal.PSN, true},
		{"USN", 0, false},
		{"usn6", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := TaxSystem(tt.name)
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
	assert.Equal(t, []string{"osn", "usn", "usn-minus", "eshn", "psn"}, TaxSystemNames())
	// Load accepts exactly these names.
	for _, n := range append(TaxSystemNames(), "usn6") {
		_, err := Load(write(t, t.TempDir(), "c.yaml", "training: true\nagent: {tax_system: "+n+"}\n"))
		_, ok := TaxSystem(n)
		assert.Equal(t, ok, err == nil, n)
	}
}

func TestFiscalPasswordOK(t *testing.T) {
	for p, ok := range map[int64]bool{-1: false, 0: false, 1: true, 30: true, 9999: true, 10000: false, 1 << 32: false} {
		assert.Equal(t, ok, FiscalPasswordOK(p), p)
	}
}

// FuzzSave: a configuration file that loads, changed and saved, loads back
// to the configuration saved, and keeps the keys Save does not know.
func FuzzSave(f *testing.F) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, EnvPrefix+"_") {
			f.Setenv(k, "")
		}
	}
	f.Add([]byte(sample))
	f.Add([]byte(production))
	f.Add([]byte("training: true\n"))
	f.Add([]byte("# c\ntraining: true\n\nfiscal:\n  port: none # p\n\n  baud: 9600\nagent: {name: x}\n"))
	f.Add([]byte("training: true\nFiscal: {Baud: 9600}\nextra: |\n  a\n\n  b\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content []byte) {
		file := filepath.Join(dir, "paydesk.yaml")
		require.NoError(t, os.WriteFile(file, content, 0o600))
		c, err := Load(file)
		if err != nil {
			return
		}
		c.Language = map[string]string{"ru": "en", "en": "ru"}[c.Language]
		c.Fiscal.Baud = 9600 + 115200 - c.Fiscal.Baud
		if c.Fiscal.Baud < 1200 || c.Fiscal.Baud > 921600 {
			c.Fiscal.Baud = 9600
		}
		c.Agent.Name = "ООО \"Ромашка\" 'один'"
		c.Gateway.Timeout = 90 * time.Second
		require.NoError(t, Save(file, c))
		got, err := Load(file)
		require.NoError(t, err)
		require.Equal(t, *c, *got)
	})
}

// Save writes c to the configuration file path as Edit saves (the tests'
// way to write a whole configuration).
func Save(path string, c *Config) error {
	old, err := existing(path)
	if err != nil {
		return err
	}
	return save(path, old, c)
}
