package config

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
)

// FuzzLoad writes arbitrary text as the configuration file and loads it.
// A configuration that loads satisfies every rule validate claims, with its
// paths resolved against the file's folder, and loads the same again; one
// that does not is a *config.Error naming a known key (or none) with a
// message in both languages.
func FuzzLoad(f *testing.F) {
	// The environment overrides the file: keep the developer's out of it.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, EnvPrefix+"_") {
			f.Setenv(k, "")
		}
	}
	f.Add([]byte(sample))
	f.Add([]byte("training: true\n"))
	f.Add([]byte("training: true\nlanguage: en\ngateway: {base_url: 'http://127.0.0.1:8780', timeout: 90s}\nfiscal: {port: emulator, baud: 9600}\n"))
	f.Add([]byte("point: {sd: 17O31}\ntraining: true"))
	f.Add([]byte("gateway: {timeout: soon}\ntraining: true"))
	f.Add([]byte("point: [unclosed"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content []byte) {
		file := filepath.Join(dir, "paydesk.yaml")
		require.NoError(t, os.WriteFile(file, content, 0o600))
		c, err := Load(file)
		if err != nil {
			require.Nil(t, c)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%T %v", err, err)
			require.True(t, knownKey(ce.Key), "key %q", ce.Key)
			require.NotEmpty(t, ce.Msg().In("ru"))
			require.NotEmpty(t, ce.Msg().In("en"))
			require.NotEmpty(t, ce.Error())
			return
		}
		checkConfig(t, c, dir)
		again, err := Load(file)
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}

// knownKey reports whether an error's key names a setting or a section of
// settings ("keys"), or is empty (the file as a whole).
func knownKey(key string) bool {
	if key == "" {
		return true
	}
	for k := range defaults {
		if k == key || strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// checkConfig asserts, independently of validate, what a loaded
// configuration guarantees.
func checkConfig(t *testing.T, c *Config, dir string) {
	t.Helper()
	require.Equal(t, dir, c.Dir)
	require.Contains(t, []string{"ru", "en"}, c.Language)
	for _, p := range []string{c.Point.SD, c.Point.AP, c.Point.OP} {
		require.NotEmpty(t, p)
		require.Empty(t, strings.Trim(p, "0123456789"), p)
	}
	_, err := ipriv.ParseHash(c.Keys.Hash)
	require.NoError(t, err)
	require.NotZero(t, c.Keys.BankSerial)
	require.GreaterOrEqual(t, c.Gateway.Timeout, time.Second)
	require.LessOrEqual(t, c.Gateway.Timeout, 10*time.Minute)
	for _, u := range []string{c.Gateway.BalanceURL, c.Gateway.BaseURL} {
		if u != "" {
			require.NoError(t, gateway.CheckURL(u))
		}
	}
	require.Contains(t, []string{"subagent", "agent"}, c.Agent.Role)
	require.Contains(t, []string{"osn", "usn", "usn-minus", "eshn", "psn"}, cmp.Or(c.Agent.TaxSystem, TrainingTaxSystem))
	require.Contains(t, []string{"none", "vat22", "vat10", "vat7", "vat5", "vat0"}, cmp.Or(c.Agent.FeeTax, TrainingFeeTax))
	if !c.Training {
		require.NotEmpty(t, c.Agent.TaxSystem)
		require.NotEmpty(t, c.Agent.FeeTax)
	}
	ts, ft := c.Taxes()
	require.NotZero(t, ts)
	require.NotZero(t, ft)
	r, err := money.ParseRate(c.Agent.Fee)
	require.NoError(t, err)
	require.GreaterOrEqual(t, r, money.Rate(0))
	if inn := c.Agent.INN; inn != "" {
		require.Contains(t, []int{10, 12}, len(inn))
		require.Empty(t, strings.Trim(inn, "0123456789"))
	}
	for _, ph := range []string{c.Agent.Phone, c.Agent.OperatorPhone} {
		if ph != "" {
			require.Regexp(t, `^\+\d+$`, ph)
			require.LessOrEqual(t, len(ph), 19)
		}
	}
	require.GreaterOrEqual(t, c.Fiscal.Baud, 1200)
	require.LessOrEqual(t, c.Fiscal.Baud, 921600)
	require.GreaterOrEqual(t, c.Fiscal.Password, uint32(1))
	require.LessOrEqual(t, c.Fiscal.Password, uint32(9999))
	if !c.Training {
		require.NotEmpty(t, c.Fiscal.Port)
		require.NotEmpty(t, c.Keys.Secret)
		require.NotEmpty(t, c.Keys.Bank)
		require.True(t, c.Providers != "" || c.Gateway.BaseURL != "", "the built-in catalogue needs gateway.base_url")
	}
	// Every path is resolved: absolute, or empty when not given.
	for _, p := range []string{c.Keys.Secret, c.Keys.PassphraseFile, c.Keys.Bank, c.Providers, c.DataDir, c.Store.Path} {
		require.True(t, p == "" || filepath.IsAbs(p), "path %q", p)
	}
	// Resolution keeps the configuration valid.
	require.NoError(t, c.validate())
}

// TestLoadFuzzCases names inputs of FuzzLoad's corpus. The first was
// written by the fuzzer: a section given a scalar is a decoding error that
// names the section ("keys"), not a setting, and the property now accepts
// section names.
func TestLoadFuzzCases(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		key  string // "-": loads
	}{
		{"section given a scalar", "keys: s", "keys"},
		{"setting given a list", "training: [1]", "training"},
		{"training defaults", "training: true\n", "-"},
		{"negative bank serial", "training: true\nkeys: {bank_serial: -1}\n", "keys.bank_serial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c, err := Load(write(t, dir, "paydesk.yaml", tt.yaml))
			if tt.key == "-" {
				require.NoError(t, err)
				checkConfig(t, c, dir)
				return
			}
			var ce *Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.key, ce.Key)
			require.True(t, knownKey(ce.Key))
			require.NotEmpty(t, ce.Msg().In("ru"))
			require.NotEmpty(t, ce.Msg().In("en"))
		})
	}
}
