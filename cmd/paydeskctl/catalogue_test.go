package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/protocol/gateway"
)

const opsTestdata = "../../protocol/gateway/operators/testdata/"

func TestProvidersImport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "providers.yaml")
	r := runCLI(t, nil, "providers", "import", opsTestdata+"operators.xml", opsTestdata+"groups.xml", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 providers written to "+out+"; 7 operators left out")
	assert.Contains(t, r.stdout, "left out: 903 (Пины Тест): processor type cyberplat_pin")
	assert.Contains(t, r.stdout, "without: 901 (Водоканал Тест): receipts")
	cat, err := gateway.LoadCatalogue(out, "")
	require.NoError(t, err)
	require.Len(t, cat.Providers, 2)
	assert.Len(t, cat.Providers[0].Inputs, 5)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"providers", "import", opsTestdata + "operators.xml"}, "--out is required"},
		{[]string{"providers", "import", "--out", out}, "give operators.xml"},
		{[]string{"providers", "import", opsTestdata + "operators.xml", "--group", "food", "--out", out}, "not mobile"},
		{[]string{"providers", "import", opsTestdata + "groups.xml", "--out", out}, "expected element type <operators>"},
		{[]string{"providers", "import", opsTestdata + "operators.xml", "--out", out}, "nothing written"},
	} {
		before, _ := os.ReadFile(out)
		r := runCLI(t, nil, c.args...)
		assert.Equal(t, exitUsage, r.code, "%v", c.args)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
		after, _ := os.ReadFile(out)
		assert.Equal(t, before, after, "a refused import writes nothing")
	}
	r = runCLI(t, nil, "providers", "import", opsTestdata+"operators.xml", "--group", "mobile", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "3 providers written")
}
