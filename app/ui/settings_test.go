package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paydesk/app/config"
	"paydesk/protocol/ipriv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settingsAsAdmin opens Settings as the administrator, with the user's
// configuration folder a new temporary one.
func settingsAsAdmin(t *testing.T) (*harness, *settingsScreen, string) {
	h := newHarness(t, "ru")
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	t.Setenv(config.EnvFile, "")
	h.signIn("admin", "999999")
	h.u.Show("settings")
	return h, h.u.settings, filepath.Join(home, "paydesk", "paydesk.yaml")
}

// TestSettingsSaveKeepsTheFile: Save changes the form's keys in the file
// and leaves the rest (comments, keys the form does not show) as it was.
func TestSettingsSaveKeepsTheFile(t *testing.T) {
	h, st, file := settingsAsAdmin(t)
	assert.Equal(t, file, configTarget(h.rt.Config), "training without a file: the user's paydesk.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o700))
	const before = "# The shop's own settings.\ntraining: true\n\n# The register.\nfiscal:\n  port: none # until it is delivered\nagent: {name: 'ООО \"Волна\"', tax_system: usn}\nshop_note: keep me\n"
	require.NoError(t, os.WriteFile(file, []byte(before), 0o644))

	st.port.SetText("tcp://127.0.0.1:7778")
	st.save()
	assert.Contains(t, st.message.Text, "Сохранено в "+file)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	text := string(b)
	for _, kept := range []string{"# The shop's own settings.\n", "\n\n# The register.\n", "port: tcp://127.0.0.1:7778 # until it is delivered",
		`agent: {name: 'ООО "Волна"', tax_system: usn}`, "shop_note: keep me"} {
		assert.Contains(t, text, kept)
	}
	st2, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st2.Mode().Perm())
	c, err := config.Load(file)
	require.NoError(t, err)
	assert.Equal(t, "tcp://127.0.0.1:7778", c.Fiscal.Port)
	assert.Equal(t, "usn", c.Agent.TaxSystem)
	assert.True(t, c.Training)
}

// TestSettingsSaveRefused: what the configuration refuses is not written,
// and the administrator is told why.
func TestSettingsSaveRefused(t *testing.T) {
	tests := []struct {
		name string
		set  func(st *settingsScreen)
		want string
	}{
		{"password zero", func(st *settingsScreen) { st.password.SetText("0") }, "{settings.password_bad}"},
		{"password too big", func(st *settingsScreen) { st.password.SetText("10000") }, "{settings.password_bad}"},
		{"password letters", func(st *settingsScreen) { st.password.SetText("тридцать") }, "{settings.password_bad}"},
		{"SD letters", func(st *settingsScreen) { st.sd.SetText("17O31") }, "point.sd"},
		{"production without a port", func(st *settingsScreen) { st.training.SetChecked(false); st.port.SetText("") }, "fiscal.port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, file := settingsAsAdmin(t)
			tt.set(st)
			st.save()
			want := tt.want
			if key, ok := strings.CutPrefix(want, "{"); ok {
				want = st.u.T(strings.TrimSuffix(key, "}")) // a key of the catalogue
			}
			assert.Contains(t, st.message.Text, want)
			assert.NoFileExists(t, file, "nothing written")
		})
	}
}

// TestSettingsGenerate: the key pair is written once; a second one would
// replace it and is refused.
func TestSettingsGenerate(t *testing.T) {
	h, st, _ := settingsAsAdmin(t)
	dir := filepath.Join(h.rt.DataDir, "keys")
	st.keySer.SetText("17099")
	st.keyPass.SetText("new key pass")
	st.generate()
	h.wait("keys", func() bool { return st.genNote.Text != "" })
	assert.Equal(t, "✓ "+st.u.T("settings.key_done", "Dir", dir), st.genNote.Text)
	sec, err := os.ReadFile(filepath.Join(dir, ipriv.SecretKeyFile))
	require.NoError(t, err)
	k, err := ipriv.ParseSecretKey(sec, []byte("new key pass"))
	require.NoError(t, err)
	assert.Equal(t, uint32(17099), k.Serial)
	assert.Equal(t, "api17032", k.UserID, "the user id defaults to api<AP>")
	pub, err := os.ReadFile(filepath.Join(dir, ipriv.PublicKeyFile))
	require.NoError(t, err)
	assert.Equal(t, string(pub), st.pubKey.Text)

	st.genNote.clear()
	st.keySer.SetText("17100")
	st.generate()
	h.wait("refusal", func() bool { return st.genNote.Text != "" })
	assert.Equal(t, "✗ "+st.u.T("settings.key_exists", "Dir", dir), st.genNote.Text)
	again, err := os.ReadFile(filepath.Join(dir, ipriv.SecretKeyFile))
	require.NoError(t, err)
	assert.Equal(t, sec, again, "the first key stays")
}

// TestSettingsSavedThroughTheCore: Save goes through the till's door, which
// checks the role itself: a screen left open for someone who is no
// administrator writes nothing.
func TestSettingsSavedThroughTheCore(t *testing.T) {
	h, st, file := settingsAsAdmin(t)
	manager, err := h.u.till.SignIn(h.u.ctx, "manager", "222222")
	require.NoError(t, err)
	st.u.user = manager
	st.port.SetText("tcp://127.0.0.1:7778")
	st.save()
	assert.NotContains(t, st.message.Text, "Сохранено")
	assert.Contains(t, st.message.Text, "администратор", "the refusal is said: %q", st.message.Text)
	assert.NoFileExists(t, file, "nothing written")
}

// TestLanguageAtOnce: English chosen and saved, the window speaks it at
// once (navigation, status bar, the settings screen itself), no restart.
func TestLanguageAtOnce(t *testing.T) {
	h, st, _ := settingsAsAdmin(t)
	require.Equal(t, "Платёж  F1", h.u.navButton["pay"].Text)
	st.language.SetSelectedIndex(1)
	st.save()
	assert.Equal(t, "Payment  F1", h.u.navButton["pay"].Text)
	assert.Equal(t, "settings", h.u.screen)
	assert.True(t, strings.HasPrefix(h.u.settings.message.Text, "Saved"), h.u.settings.message.Text)
	assert.Equal(t, 1, h.u.settings.language.SelectedIndex())
	h.u.Show("shift")
	assert.Contains(t, h.u.shift.info.Text, "No shift is open")
}
