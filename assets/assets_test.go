package assets

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTranslations(t *testing.T) {
	var sizes []int
	for _, l := range Languages {
		m, err := Messages(l)
		require.NoError(t, err, l)
		assert.Greater(t, len(m), 100, l)
		for k, v := range m {
			assert.NotEmpty(t, v, "%s: %s is empty", l, k)
		}
		sizes = append(sizes, len(m))
	}
	assert.Equal(t, sizes[0], sizes[1], "every language has every key")
	_, err := Messages("de")
	assert.Error(t, err)
}

func TestIcon(t *testing.T) {
	assert.True(t, bytes.HasPrefix(IconSVG, []byte("<svg")))
}
