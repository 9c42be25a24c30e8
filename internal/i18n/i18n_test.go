package i18n

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalogue(t *testing.T) {
	require.NoError(t, Check())
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"russian", RU, "button.ok", nil, "ОК"},
		{"english", EN, "button.ok", nil, "OK"},
		{"russian unless english", "de", "button.ok", nil, "ОК"},
		{"missing key shows itself", EN, "no.such.key", nil, "no.such.key"},
		{"arguments by name", EN, "test.args", []any{"n", 3, "who", "Anna"}, "Anna has 3"},
		{"argument missing", EN, "test.args", []any{"who", "Anna"}, "Anna has <no value>"},
		{"a message as an argument speaks the language", RU, "test.args", []any{"who", M("button.ok"), "n", 1}, "ОК has 1"},
		{"messages as an argument, joined", EN, "test.args", []any{"who", []Msg{M("button.ok"), M("button.ok")}, "n", 2}, "OK, OK has 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.key == "test.args" {
				for _, l := range []string{RU, EN} {
					get(l).text["test.args"] = "{{.who}} has {{.n}}"
					defer delete(get(l).text, "test.args")
				}
			}
			assert.Equal(t, c.want, Text(c.lang, c.key, c.args...))
		})
	}
	assert.Equal(t, "OK", M("button.ok").In(EN))
	assert.True(t, Msg{}.IsZero())
	assert.True(t, Has("button.ok"))
	assert.False(t, Has("no.such.key"))
}
