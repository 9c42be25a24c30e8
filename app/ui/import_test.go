package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/app/config"
)

// TestSettingsImportCatalogue: Settings imports the network's
// operators.xml (groups.xml and commissions.xml from its folder) into
// providers.yaml and commissions.yaml beside the configuration, names what
// it left out, and Save keeps both files for the next start; a file that
// is not operators.xml is refused in the window's language.
func TestSettingsImportCatalogue(t *testing.T) {
	h := newHarness(t, "ru")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	h.signIn("admin", "999999")
	h.u.Show("settings")
	st := h.u.settings
	src := t.TempDir()
	for _, f := range []struct{ from, name string }{
		{"../../protocol/gateway/operators/testdata/operators.xml", "operators.xml"},
		{"../../protocol/gateway/operators/testdata/groups.xml", "groups.xml"},
		{"../../commission/testdata/commissions.xml", "commissions.xml"},
	} {
		b, err := os.ReadFile(f.from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(src, f.name), b, 0o600))
	}
	bad := filepath.Join(src, "not.xml")
	require.NoError(t, os.WriteFile(bad, []byte("<root/>"), 0o600))
	st.importFrom(bad)
	h.wait("refused", func() bool { return strings.HasPrefix(st.importNote.Text, "✗") })
	assert.Contains(t, st.importNote.Text, "Файл operators.xml не принят")
	assert.Empty(t, st.catalog.Text, "nothing named")

	st.importFrom(filepath.Join(src, "operators.xml"))
	h.wait("import", func() bool { return !strings.HasPrefix(st.importNote.Text, "Читается") })
	require.Contains(t, st.importNote.Text, "Каталог:")
	dir := filepath.Dir(configTarget(h.rt.Config))
	assert.Equal(t, filepath.Join(dir, "providers.yaml"), st.catalog.Text)
	assert.Equal(t, filepath.Join(dir, "commissions.yaml"), st.commissions.Text)
	assert.FileExists(t, st.catalog.Text)
	assert.Contains(t, st.importNote.Text, "Сохраните настройки")

	st.save()
	h.wait("save", func() bool { return strings.Contains(st.message.Text, "Сохранено в") })
	cfg, err := config.Load(configTarget(h.rt.Config))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "providers.yaml"), cfg.Providers)
	assert.Equal(t, filepath.Join(dir, "commissions.yaml"), cfg.Commissions)
	_, err = cfg.Catalogue()
	require.NoError(t, err, "the written catalogue loads")
	_, err = cfg.Schedules()
	require.NoError(t, err, "and the schedule")
}
