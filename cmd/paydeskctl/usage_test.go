package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command's usage is made from its flags: help COMMAND and COMMAND -h
// list each flag, and the list of commands carries each synopsis.
func TestUsageFromFlags(t *testing.T) {
	top := runCLI(t, nil, "help")
	require.Equal(t, 0, top.code)
	for name, c := range commands {
		fs, _ := c.flagSet(&env{stderr: new(bytes.Buffer)})
		syn := synopsis(c, fs)
		assert.Contains(t, top.stdout, "   "+strings.TrimSpace(strings.TrimPrefix(syn, "paydeskctl "+name))+"\n", name)

		r := runCLI(t, nil, append([]string{"help"}, strings.Fields(name)...)...)
		require.Equal(t, 0, r.code, name)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: "+syn+"\n\n"+c.summary+"\n"), "%s: %s", name, r.stdout)
		h := runCLI(t, nil, append(strings.Fields(name), "-h")...)
		assert.Equal(t, 0, h.code, name)
		assert.Empty(t, h.stdout, name)
		assert.Equal(t, r.stdout, h.stderr, "%s: -h says what help says", name)
		fs.VisitAll(func(f *flag.Flag) {
			assert.Contains(t, r.stdout, "\n  --"+f.Name, "%s lists --%s", name, f.Name)
			if v, _ := flag.UnquoteUsage(f); v == "string" {
				t.Errorf("%s --%s: name its value in `backquotes`", name, f.Name)
			}
		})
	}
}

func TestSynopsis(t *testing.T) {
	for name, want := range map[string]string{
		"pay":         "paydeskctl pay --amount AMOUNT --cashier LOGIN --provider CODE [--account ACCOUNT] [--buyer PHONE|E-MAIL] [--config FILE] [--field ID=VALUE] [--number NUMBER] [--pin-file FILE] [--tool cash|card]",
		"shift close": "paydeskctl shift close --cashier LOGIN --counted 1234.00 [--config FILE] [--float 0.00] [--pin-file FILE]",
		"shift open":  "paydeskctl shift open --cashier LOGIN [--config FILE] [--counted 1234.00] [--float 0.00] [--pin-file FILE]",
		"cash in":     "paydeskctl cash in SUM --cashier LOGIN [--config FILE] [--pin-file FILE]",
		"soak":        "paydeskctl soak [--data DIR] [--driver NAME] [--max-life duration] [--n N] [--seed SEED] [--shift N]",
		"kkm ports":   "paydeskctl kkm ports",
		"refunds":     "paydeskctl refunds --cashier LOGIN [--config FILE] [--pin-file FILE]",
		"refund":      "paydeskctl refund --cashier LOGIN --session SESSION [--config FILE] [--pin-file FILE]",
		"disputes":    "paydeskctl disputes --cashier LOGIN [--config FILE] [--pin-file FILE]",
		"decide":      "paydeskctl decide --cashier LOGIN --session SESSION [--config FILE] [--not-paid] [--paid] [--pin-file FILE]",
	} {
		c := commands[name]
		require.NotNil(t, c, name)
		fs, _ := c.flagSet(&env{stderr: new(bytes.Buffer)})
		assert.Equal(t, want, synopsis(c, fs))
	}
	r := runCLI(t, nil, "pay", "--tool", "bitcoin")
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.HasSuffix(r.stderr, "\nusage: paydeskctl pay --amount AMOUNT --cashier LOGIN --provider CODE [--account ACCOUNT] [--buyer PHONE|E-MAIL] [--config FILE] [--field ID=VALUE] [--number NUMBER] [--pin-file FILE] [--tool cash|card]\n"), r.stderr)
}
