package shtrih_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal/shtrih"
	"paydesk/internal/testutil"
)

func TestV2(t *testing.T) {
	assert.Equal(t, uint16(0x1D0F), shtrih.CRC16([]byte{0, 0}))
	data := []byte{0x8D, 0x8F, 0x9F, 0x00}
	f, err := shtrih.EncodeV2(0x8F9F, data)
	require.NoError(t, err)
	assert.NotContains(t, string(f[1:]), string([]byte{0x8F}), "stuffed")
	num, got, err := shtrih.DecodeV2(f)
	require.NoError(t, err)
	assert.Equal(t, uint16(0x8F9F), num)
	assert.Equal(t, data, got)
	f[len(f)-1] ^= 1
	_, _, err = shtrih.DecodeV2(f)
	assert.Error(t, err)
	_, _, err = shtrih.DecodeV2([]byte{0x8F, 0x9F, 0x00})
	assert.ErrorIs(t, err, shtrih.ErrV2Escape)
}

func TestConformanceV2(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.Conformance(t, "shtrih"), "vectors.json"))
	require.NoError(t, err)
	var v struct {
		V2 []struct {
			ID       string `json:"id"`
			Frame    string `json:"frame"`
			CRCInput string `json:"crc_input"`
			CRC16    string `json:"crc16"`
		} `json:"shtrih_v2_alt"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.V2)
	for _, row := range v.V2 {
		t.Run(row.ID, func(t *testing.T) {
			want, err := strconv.ParseUint(strings.TrimPrefix(row.CRC16, "0x"), 16, 16)
			require.NoError(t, err)
			assert.Equal(t, uint16(want), shtrih.CRC16(testutil.Unhex(t, row.CRCInput)))
			if row.Frame == "" {
				return
			}
			frame := testutil.Unhex(t, row.Frame)
			num, data, err := shtrih.DecodeV2(frame)
			require.NoError(t, err)
			assert.Equal(t, uint16(0x0015), num)
			assert.Equal(t, testutil.Unhex(t, row.CRCInput)[4:], data)
			again, err := shtrih.EncodeV2(num, data)
			require.NoError(t, err)
			assert.Equal(t, frame, again)
		})
	}
}

func FuzzDecodeV2(f *testing.F) {
	f.Add([]byte{0x8F, 0x08, 0x00, 0x15, 0x00, 0x8D, 0x01, 0x00, 0x00, 0x00, 0x00, 0x4A, 0xEE})
	f.Fuzz(func(t *testing.T, b []byte) {
		num, data, err := shtrih.DecodeV2(b)
		if err != nil {
			return
		}
		again, err := shtrih.EncodeV2(num, data)
		require.NoError(t, err)
		require.Equal(t, b, again)
	})
}
