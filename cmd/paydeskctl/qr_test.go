package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

func TestQRParse(t *testing.T) {
	const s = "ST00012|Name=Водоканал|PersonalAcc=40602810700000000025|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746|Sum=50000"
	r := runCLI(t, nil, "qr", "parse", s)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Name: Водоканал\n")
	assert.Contains(t, r.stdout, "sum: 500.00\n")
	assert.Contains(t, r.stdout, "checked: PersonalAcc key with BIC\n")

	cp, err := charmap.Windows1251.NewEncoder().String("ST00011|Name=Водоканал|PersonalAcc=40602810700000000025|BankName=ПАО Банк|BIC=049805746|CorrespAcc=30101810800000000746\n")
	require.NoError(t, err)
	r = runCLI(t, []byte(cp), "qr", "parse", "-")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "encoding: 1\nName: Водоканал\n")

	r = runCLI(t, nil, "qr", "parse", "ST00012|Name=X")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "нет обязательного реквизита PersonalAcc")
	r = runCLI(t, nil, "qr", "parse", "--lang", "en", "hello")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "not a payment QR code")
	r = runCLI(t, nil, "qr", "parse")
	assert.Equal(t, exitUsage, r.code)
}
