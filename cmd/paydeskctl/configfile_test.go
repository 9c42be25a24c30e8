package main

import (
	"os"
	"path/filepath"
	"testing"

	"paydesk/protocol/ipriv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGatewayConfigLookup: gw takes its configuration from --config or
// $PAYDESK_CONFIG only (config.NamedOnly), never from the user's file or
// training defaults.
func TestGatewayConfigLookup(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	require.NoError(t, os.MkdirAll(filepath.Join(home, "paydesk"), 0o700))
	writeFile(t, filepath.Join(home, "paydesk"), "paydesk.yaml", "training: true\n")
	dir := t.TempDir()
	flagFile := writeFile(t, dir, "flag.yaml", "fiscal: {port: none\n")
	envFile := writeFile(t, dir, "env.yaml", "training: true\nlanguage: de\n")
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"nothing named: the user's file is not used", "", nil, "--config is required"},
		{"the environment", envFile, nil, "language"},
		{"the flag", "", []string{"--config", flagFile}, "flag.yaml"},
		{"the flag before the environment", envFile, []string{"--config", flagFile}, "flag.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PAYDESK_CONFIG", tt.env)
			r := runCLI(t, nil, append([]string{"gw", "balance"}, tt.args...)...)
			assert.NotEqual(t, 0, r.code)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

// TestGatewaySimTrainingDir: the training key set lives in the user's
// PayDesk folder.
func TestGatewaySimTrainingDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	t.Setenv("AppData", home)
	assert.Equal(t, filepath.Join(home, "paydesk", "training-keys"), defaultTrainingDir())
}

// TestKeysGenExisting: keys gen refuses a folder holding either key file
// and writes nothing; --force replaces both.
func TestKeysGenExisting(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		force    bool
		code     int
	}{
		{"secret key there", []string{ipriv.SecretKeyFile}, false, 1},
		{"public key there", []string{ipriv.PublicKeyFile}, false, 1},
		{"both there, --force", []string{ipriv.SecretKeyFile, ipriv.PublicKeyFile}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pass := writeFile(t, dir, "pass", "p\n")
			out := filepath.Join(dir, "keys")
			require.NoError(t, os.Mkdir(out, 0o700))
			for _, f := range tt.existing {
				writeFile(t, out, f, "old "+f)
			}
			args := []string{"keys", "gen", "--serial", "17033", "--user", "api17032", "--out", out, "--passphrase-file", pass}
			if tt.force {
				args = append(args, "--force")
			}
			r := runCLI(t, nil, args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.code != 0 {
				assert.Contains(t, r.stderr, filepath.Join(out, tt.existing[0])+" exists: a new key would replace the registered one (use --force)")
				for _, f := range tt.existing {
					b, err := os.ReadFile(filepath.Join(out, f))
					require.NoError(t, err)
					assert.Equal(t, "old "+f, string(b))
				}
				entries, err := os.ReadDir(out)
				require.NoError(t, err)
				assert.Len(t, entries, len(tt.existing), "nothing written")
				return
			}
			sec, err := os.ReadFile(filepath.Join(out, ipriv.SecretKeyFile))
			require.NoError(t, err)
			_, err = ipriv.ParseSecretKey(sec, []byte("p"))
			require.NoError(t, err)
			st, err := os.Stat(filepath.Join(out, ipriv.SecretKeyFile))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		})
	}
}
