package fiscal_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
	"paydesk/internal/testutil"
)

// Examples of receipt-54fz.md §2, encoded by hand from the FFD rules.
func TestTags(t *testing.T) {
	tests := []struct {
		name string
		tag  fiscal.Tag
		hex  string
	}{
		{"1057 subagent", fiscal.Byte(1057, 0x08), "21 04 01 00 08"},
		{"1226 padded", fiscal.FixedString(1226, "7740000076", 12), "CA 04 0C 00 37 37 34 30 30 30 30 30 37 36 20 20"},
		{"1224 stlv", fiscal.Struct(1224, fiscal.String(1225, `ПАО "МТС"`), fiscal.String(1171, "+78000000003")),
			"C8 04 1D 00 C9 04 09 00 8F 80 8E 20 22 8C 92 91 22 93 04 0C 00 2B 37 38 30 30 30 30 30 30 30 30 33"},
		{"1021 cp866", fiscal.String(1021, "Иванова А.А."), "FD 03 0C 00 88 A2 A0 AD AE A2 A0 20 80 2E 80 2E"},
		{"vln", fiscal.VLN(1020, 51000), "FC 03 02 00 38 C7"},
		{"uint32", fiscal.Uint32(1012, 0x5AC27360), "F4 03 04 00 60 73 C2 5A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, testutil.Unhex(t, tt.hex), tt.tag.Encode())
			got, err := fiscal.DecodeTags(testutil.Unhex(t, tt.hex))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tt.tag, got[0])
		})
	}
	tags, err := fiscal.DecodeTags(fiscal.EncodeTags(fiscal.Byte(1, 2), fiscal.String(3, "abc")))
	require.NoError(t, err)
	assert.Len(t, tags, 2)
	_, err = fiscal.DecodeTags([]byte{1, 2, 3})
	assert.ErrorIs(t, err, fiscal.ErrTLVShort)
	_, err = fiscal.DecodeTags([]byte{1, 0, 5, 0, 1})
	assert.ErrorIs(t, err, fiscal.ErrTLVLength)
	m, d, err := fiscal.DecodeFVLN(fiscal.EncodeFVLN(123456789, 6))
	require.NoError(t, err)
	assert.Equal(t, uint64(123456789), m)
	assert.Equal(t, byte(6), d)
	assert.Equal(t, "?", string(fiscal.EncodeCP866("€")))
}

func TestCodes(t *testing.T) {
	// Every code of the spec's table has both messages and a kind.
	spec := []fiscal.Code{0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x10, 0x11, 0x12, 0x14, 0x16, 0x2F, 0x30, 0x33, 0x34,
		0x35, 0x36, 0x37, 0x3C, 0x3D, 0x45, 0x46, 0x4A, 0x4E, 0x4F, 0x50, 0x55, 0x56, 0x58, 0x59, 0x5E, 0x6B,
		0x71, 0x72, 0x73, 0x77, 0x7B, 0xC8, 0x7E, 0x8E, 0xA4, 0xC0, 0xC4}
	for _, c := range spec {
		require.True(t, c.Known(), "code %02X", byte(c))
		assert.True(t, i18n.Has(c.Msg().Key), "code %02X has its message in every language", byte(c))
		assert.NotEqual(t, fiscal.KindOther, c.Kind(), "code %02X", byte(c))
	}
	assert.Len(t, fiscal.Codes(), len(spec)+1, "the spec's codes and 00h")
	assert.False(t, fiscal.Code(0xEE).Known())
	assert.Equal(t, "Неизвестная ошибка", fiscal.Code(0xEE).Msg().In(i18n.RU))
	assert.Equal(t, fiscal.KindZReport, fiscal.Code(0x4E).Kind())
	assert.Equal(t, fiscal.KindZReport, fiscal.Code(0x16).Kind())
	assert.Equal(t, fiscal.KindOperator, fiscal.Code(0x6B).Kind())
	assert.Equal(t, fiscal.KindAdmin, fiscal.Code(0x4F).Kind())
	e := fiscal.DeviceError("open shift", 0xE0, 0x4F)
	assert.Equal(t, "command E0h: device code 4Fh: wrong password (Неверный пароль)", e.Error())
	assert.ErrorIs(t, e, &fiscal.Error{Code: 0x4F})
	assert.ErrorIs(t, e, &fiscal.Error{Kind: fiscal.KindAdmin})
	assert.Contains(t, fiscal.Code(0xEE).String(), "unknown")
}

func TestLineSum(t *testing.T) {
	assert.Equal(t, int64(50000), fiscal.Line{Price: 50000, Quantity: 1_000_000}.Sum())
	assert.Equal(t, int64(167), fiscal.Line{Price: 333, Quantity: 500_000}.Sum()) // 166.5 rounds up
}

// TestConformanceTLV runs the fn_tlv rows of PAYDESK_CONFORMANCE/shtrih.
func TestConformanceTLV(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.Conformance(t, "shtrih"), "vectors.json"))
	require.NoError(t, err)
	var v struct {
		TLV []struct {
			ID   string `json:"id"`
			Hex  string `json:"hex"`
			Note string `json:"note"`
		} `json:"fn_tlv"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.TLV)
	for _, row := range v.TLV {
		t.Run(row.ID, func(t *testing.T) {
			raw := testutil.Unhex(t, row.Hex)
			switch {
			case strings.Contains(row.ID, "fvln"):
				m, d, err := fiscal.DecodeFVLN(raw)
				require.NoError(t, err)
				want := map[string]uint64{"tlv-jp-fvln-1": 1_000_000, "tlv-jp-fvln-2": 123_456_789}
				if w, ok := want[row.ID]; ok {
					assert.Equal(t, w, m)
				}
				assert.Equal(t, byte(6), d)
			case strings.Contains(row.ID, "unixtime"):
				v, _ := fiscal.Tag{Value: raw}.Uint()
				assert.Equal(t, time.Date(2018, 4, 2, 18, 16, 0, 0, time.UTC), time.Unix(int64(v), 0).UTC())
			case strings.Contains(row.ID, "vln"):
				v, _ := fiscal.Tag{Value: raw}.Uint()
				assert.Equal(t, uint64(132), v)
			default:
				tags, err := fiscal.DecodeTags(raw)
				require.NoError(t, err)
				require.Len(t, tags, 1)
				assert.Equal(t, raw, tags[0].Encode(), "round trip")
				switch tags[0].Num {
				case 666:
					assert.Equal(t, "Мама, мыла; раму!_AaE)", tags[0].Text())
				case 1224:
					sub, err := tags[0].Children()
					require.NoError(t, err)
					require.Len(t, sub, 2)
					assert.Equal(t, "+79123456789", sub[0].Text())
				case 1226:
					assert.Equal(t, raw, fiscal.FixedString(1226, "7740000076", 12).Encode())
				case 1057, 1222:
					assert.Equal(t, raw, fiscal.Byte(tags[0].Num, 0x04).Encode())
				}
			}
		})
	}
}

func FuzzDecodeTags(f *testing.F) {
	f.Add([]byte{0x21, 0x04, 0x01, 0x00, 0x08})
	f.Add(fiscal.Struct(1224, fiscal.String(1225, "x")).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		tags, err := fiscal.DecodeTags(b)
		if err != nil {
			return
		}
		if !bytes.Equal(b, fiscal.EncodeTags(tags...)) {
			t.Fatalf("% X does not re-encode", b)
		}
		for _, tg := range tags {
			_, _ = tg.Children()
			_ = tg.Text()
		}
	})
}
