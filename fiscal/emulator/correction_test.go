package emulator_test

import (
	"strings"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corrTags are a correction's 1173 and 1174 with the children given.
func corrTags(typ byte, kids ...fiscal.Tag) []fiscal.Tag {
	return []fiscal.Tag{fiscal.Byte(1173, typ), fiscal.Struct(1174, kids...)}
}

var settled = fiscal.Uint32(1178, 1764028800) // 25.11.2025

// Both forms of a correction receipt, made and read back, and each refusal.
func TestCorrectionReceipts(t *testing.T) {
	v2 := func(sum, cash, card int64, taxSystem fiscal.TaxSystem) []byte {
		r := fiscal.Receipt{Lines: []fiscal.Line{{Name: "x", Price: sum, Quantity: 1_000_000, Tax: fiscal.NoVAT}},
			Payments: fiscal.Payments{Cash: cash, Card: card}, TaxSystem: taxSystem, Correction: &fiscal.Correction{}}
		b, err := shtrih.CorrectionArgs(30, r)
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name   string
		ffd    string
		form   string // "1.2": 8Dh 80h + FF46 + FF45; "1.05": FF35 + FF4A
		tags   []fiscal.Tag
		args   []byte // FF4A's, for the 1.05 form
		refuse fiscal.Code
	}{
		{"1.2 form", "1.2", "1.2", corrTags(0, settled), nil, 0},
		{"1.2 form by order", "1.2", "1.2", corrTags(1, settled, fiscal.String(1179, "N-17")), nil, 0},
		{"1.2 form without 1173", "1.2", "1.2", corrTags(0, settled)[1:], nil, 0x33},
		{"1.2 form without 1174", "1.2", "1.2", corrTags(0, settled)[:1], nil, 0x33},
		{"1.2 form without 1178", "1.2", "1.2", corrTags(0, fiscal.String(1179, "N")), nil, 0x33},
		{"1.2 form by order without 1179", "1.2", "1.2", corrTags(1, settled), nil, 0x33},
		{"1.2 form on a 1.05 register", "1.05", "1.2", corrTags(0, settled), nil, 0x33},
		{"1.05 form", "1.05", "1.05", corrTags(0, fiscal.String(1177, "чек не сформирован"), settled, fiscal.String(1179, "PD1")), v2(10000, 10000, 0, fiscal.USNIncome), 0},
		{"1.05 form on a 1.2 register", "1.2", "1.05", corrTags(0, settled), v2(10000, 0, 10000, fiscal.USNIncome), 0},
		{"1.05 form without 1178", "1.05", "1.05", corrTags(0, fiscal.String(1177, "x")), v2(10000, 10000, 0, fiscal.USNIncome), 0x33},
		{"1.05 form, short", "1.05", "1.05", corrTags(0, settled), pw(30), fiscal.CodeBadLength},
		{"1.05 form, parts not the sum", "1.05", "1.05", corrTags(0, settled), func() []byte {
			b := v2(10000, 10000, 0, fiscal.USNIncome)
			copy(b[6+5:], shtrih.PutMoney(nil, 9000)) // cash 90.00 of 100.00
			return b
		}(), 0x33},
		{"1.05 form, tax system not registered", "1.05", "1.05", corrTags(0, settled), v2(10000, 10000, 0, fiscal.PSN), 0x09},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := memEmu(t, emulator.NewState(t0), t0)
			ctl(t, e, "ffd "+tt.ffd)
			code, _ := exec(t, e, shtrih.CmdFNOpenShift, pw(30))
			require.Zero(t, code)
			docs := len(e.State().Docs)
			var formed shtrih.Cmd
			if tt.form == "1.2" {
				code, _ = exec(t, e, shtrih.CmdOpenReceipt, pw(30), []byte{0x80})
				if code != 0 {
					assert.Equal(t, tt.refuse, code)
					return
				}
				line := fiscal.Line{Name: "Платёж", Price: 10000, Quantity: 1_000_000, Tax: fiscal.NoVAT, Method: 4, Subject: 10}
				code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line))
				require.Zero(t, code)
				code, _ = exec(t, e, shtrih.CmdOperationTag, pw(30), fiscal.Byte(2108, 0).Encode())
				require.Zero(t, code)
				formed = shtrih.CmdCloseReceipt
			} else {
				code, _ = exec(t, e, shtrih.CmdFNCorrection, pw(30))
				require.Zero(t, code)
				code, _ = exec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale,
					fiscal.Line{Name: "x", Price: 1, Quantity: 1_000_000, Tax: fiscal.NoVAT, Method: 4}))
				assert.NotZero(t, code, "the 1.05 form has no lines")
				formed = shtrih.CmdCorrectionV2
			}
			for _, tg := range tt.tags {
				code, _ = exec(t, e, shtrih.CmdDocTag, pw(30), tg.Encode())
				require.Zero(t, code)
			}
			var data []byte
			if formed == shtrih.CmdCloseReceipt {
				code, data = exec(t, e, formed, shtrih.CloseArgs(30, fiscal.Receipt{Payments: fiscal.Payments{Cash: 10000}, TaxSystem: fiscal.USNIncome}))
			} else {
				code, data = exec(t, e, formed, tt.args)
			}
			require.Equal(t, tt.refuse, code)
			if code != 0 {
				assert.Len(t, e.State().Docs, docs, "no document")
				code, _ = exec(t, e, shtrih.CmdCancel, pw(30))
				if code != 0 {
					code, _ = exec(t, e, shtrih.CmdFNCancelDoc, pw(30))
				}
				assert.Zero(t, code, "the refused correction is cancelled")
				assert.Len(t, e.State().Docs, docs, "cancelling leaves no document")
				return
			}
			st := e.State()
			require.Len(t, st.Docs, docs+1)
			d := st.Docs[len(st.Docs)-1]
			assert.Equal(t, fiscal.DocCorrection, d.Type)
			assert.Equal(t, int64(10000), d.Sum)
			if formed == shtrih.CmdCorrectionV2 {
				require.GreaterOrEqual(t, len(data), 10)
				assert.Equal(t, d.FD, uint32(shtrih.Uint(data[2:6])))
			}
			code, data = exec(t, e, shtrih.CmdFNFindDoc, pw(30), []byte{byte(d.FD), 0, 0, 0})
			require.Zero(t, code)
			doc, err := shtrih.ParseDocument(data, time.UTC)
			require.NoError(t, err)
			assert.Equal(t, fiscal.DocCorrection, doc.Type)
			assert.Equal(t, fiscal.Sale, doc.Kind)
			assert.Equal(t, int64(10000), doc.Sum)
			_, ok := fiscal.Find(d.Tags, 1174)
			assert.True(t, ok)
			assert.Contains(t, strings.Join(e.Tape(), "\n"), "КАССОВЫЙ ЧЕК КОРРЕКЦИИ")
		})
	}
}
