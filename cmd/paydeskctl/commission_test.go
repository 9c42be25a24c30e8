package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommissionCommand(t *testing.T) {
	dir := t.TempDir()
	sched := writeFile(t, dir, "commissions.yaml", `fee:
  - {name: night, from: "22:00", to: "06:00", percent: "2%", min: "10.00"}
  - {name: mts, provider: mts, percent: "1.5%", max: "40.00"}
commission:
  - {name: mobile weekend, group: mobile, days: [6, 7], percent: "4%"}
`)
	r := runCLI(t, nil, "commission", "--provider", "mts", "--at", "2026-03-02T12:00", "--amount", "500.00", "--schedule", sched)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `provider: mts (МТС, mobile)
at: 2026-03-02 12:00 Monday
amount: 500.00
fee rule: mts: provider mts: 1.5%, max 40.00
fee: 7.50
total: 507.50
commission rule: none matches: the provider's rate 3%
commission: 15.00
`, r.stdout)
	r = runCLI(t, nil, "commission", "--provider", "mts", "--at", "2026-03-07T23:30", "--amount", "100", "--schedule", sched)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fee rule: night: every provider, 22:00-06:00: 2%, min 10.00\nfee: 10.00\ntotal: 110.00\n")
	assert.Contains(t, r.stdout, "commission rule: mobile weekend: group mobile, Sat,Sun: 4%\ncommission: 4.00\n")
	r = runCLI(t, nil, "commission", "--provider", "mts", "--at", "2026-03-02T12:00", "--amount", "500.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fee rule: none matches (no fee)\nfee: 0.00\n")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--provider", "mts"}, "--amount are required"},
		{[]string{"--provider", "mts", "--amount", "-5"}, "not a sum"},
		{[]string{"--provider", "mts", "--amount", "5.001"}, "not a sum"},
		{[]string{"--provider", "mts", "--amount", "0"}, "not a sum"},
		{[]string{"--provider", "mts", "--amount", "5", "--at", "2026-03-02 12:00"}, "not a local time"},
		{[]string{"--provider", "nope", "--amount", "5", "--lang", "en"}, "nope"},
		{[]string{"--provider", "mts", "--amount", "5", "--schedule", writeFile(t, dir, "bad.yaml", "fee:\n  - {days: [9], fixed: '1'}\n")}, "day 9"},
	} {
		r := runCLI(t, nil, append([]string{"commission"}, c.args...)...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
}

func TestProvidersImportCommissions(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "providers.yaml")
	comm := writeFile(t, dir, "commissions.xml", `<commissions>
  <commission amount="1" type="percent"/>
  <operator id="901"><day id="1"><commission amount="30"/></day></operator>
  <operator id="903"><commission amount="5"/></operator>
</commissions>`)
	r := runCLI(t, nil, "providers", "import", opsTestdata+"operators.xml", opsTestdata+"groups.xml", comm, "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "commission schedule: "+filepath.Join(dir, "commissions.yaml"))
	assert.Contains(t, r.stdout, "without: 903 (commissions.xml): commissions.xml 2: the operator is not in the catalogue")
	_, err := os.Stat(filepath.Join(dir, "commissions.yaml"))
	require.NoError(t, err)
	r = runCLI(t, nil, "commission", "--providers", out, "--schedule", filepath.Join(dir, "commissions.yaml"),
		"--provider", "901", "--at", "2026-03-02T12:00", "--amount", "500.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fee rule: commissions.xml 1: provider 901, Mon: 30.00 fixed\nfee: 30.00\ntotal: 530.00\n")
	r = runCLI(t, nil, "commission", "--providers", out, "--schedule", filepath.Join(dir, "commissions.yaml"),
		"--provider", "901", "--at", "2026-03-03T12:00", "--amount", "500.00")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fee: 5.00\n")

	bad := writeFile(t, dir, "bad.xml", `<commissions><day id="8"><commission amount="1"/></day></commissions>`)
	r = runCLI(t, nil, "providers", "import", opsTestdata+"operators.xml", opsTestdata+"groups.xml", bad, "--out", filepath.Join(dir, "other.yaml"))
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "day id")
	_, err = os.Stat(filepath.Join(dir, "other.yaml"))
	assert.True(t, os.IsNotExist(err), "a refused schedule writes no catalogue either")
}
