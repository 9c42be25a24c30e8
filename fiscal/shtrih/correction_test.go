package shtrih_test

import (
	"fmt"
	"testing"
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCorrectionTags(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	day := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC) // 2 December in Moscow
	midnight := uint64(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC).Unix())
	tests := []struct {
		name     string
		v        fiscal.FFD
		c        fiscal.Correction
		typ      byte
		children []uint16 // inside 1174, in order
		order    string   // 1179's text
	}{
		{"1.2 on the user's own", fiscal.FFD12, fiscal.Correction{Date: day, Basis: "S1", Description: "d"}, 0, []uint16{1178}, ""},
		{"1.2 by order", fiscal.FFD12, fiscal.Correction{Date: day, Order: "N-17"}, 1, []uint16{1178, 1179}, "N-17"},
		{"1.05 on the user's own", fiscal.FFD105, fiscal.Correction{Date: day, Basis: "S1", Description: "d"}, 0, []uint16{1177, 1178, 1179}, "S1"},
		{"1.05 by order", fiscal.FFD105, fiscal.Correction{Date: day, Order: "N-17"}, 1, []uint16{1178, 1179}, "N-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			tags := shtrih.CorrectionTags(tt.v, fiscal.Receipt{Correction: &c}, msk)
			require.Len(t, tags, 2)
			assert.Equal(t, fiscal.Byte(1173, tt.typ), tags[0])
			require.Equal(t, uint16(1174), tags[1].Num)
			kids, err := tags[1].Children()
			require.NoError(t, err)
			var nums []uint16
			for _, k := range kids {
				nums = append(nums, k.Num)
			}
			assert.Equal(t, tt.children, nums)
			d, _ := fiscal.Find(kids, 1178)
			v, _ := d.Uint()
			assert.Equal(t, midnight, v, "the settlement's local date")
			if tt.order != "" {
				n, _ := fiscal.Find(kids, 1179)
				assert.Equal(t, tt.order, n.Text())
			}
		})
	}
	assert.Empty(t, shtrih.CorrectionTags(fiscal.FFD12, fiscal.Receipt{}, msk), "no correction, no tags")
}

func TestCorrectionArgs(t *testing.T) {
	line := func(sum int64, tax fiscal.Tax) fiscal.Line {
		return fiscal.Line{Name: "x", Quantity: 1_000_000, Price: sum, Tax: tax}
	}
	tests := []struct {
		name  string
		r     fiscal.Receipt
		money []int64 // sum, cash, card, prepaid, postpaid, counter, VAT20, VAT10, at 0 %, without VAT, 20/120, 10/110
		err   string
	}{
		{"cash, no VAT", fiscal.Receipt{Lines: []fiscal.Line{line(500_00, fiscal.NoVAT), line(15_00, fiscal.NoVAT)}, Payments: fiscal.Payments{Cash: 600_00}},
			[]int64{515_00, 515_00, 0, 0, 0, 0, 0, 0, 0, 515_00, 0, 0}, ""},
		{"card, fee with VAT 20 %", fiscal.Receipt{Lines: []fiscal.Line{line(500_00, fiscal.NoVAT), line(12_00, fiscal.VAT20)}, Payments: fiscal.Payments{Card: 512_00}},
			[]int64{512_00, 0, 512_00, 0, 0, 0, 2_00, 0, 0, 500_00, 0, 0}, ""},
		{"VAT 22 % has no field", fiscal.Receipt{Lines: []fiscal.Line{line(12_00, fiscal.VAT22)}}, nil, "no place"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.TaxSystem = fiscal.USNIncome
			tt.r.Correction = &fiscal.Correction{Date: time.Now()}
			b, err := shtrih.CorrectionArgs(30, tt.r)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, b, 4+1+1+12*5+1, "the protocol's 69 bytes less the command code")
			assert.Equal(t, []byte{30, 0, 0, 0}, b[:4])
			assert.Equal(t, byte(0), b[4], "on the user's own")
			assert.Equal(t, byte(fiscal.Sale), b[5], "приход")
			for i, want := range tt.money {
				assert.Equal(t, want, shtrih.Money(b[6+5*i:11+5*i]), "field %d", i)
			}
			assert.Equal(t, byte(fiscal.USNIncome), b[len(b)-1])
		})
	}
}

// A correction receipt made through the driver in each FFD version: the
// 1.2 form (8Dh 80h, the lines with their agent data, 1173/1174, FF45) and
// the 1.05 form (FF35, 1173/1174, FF4A); a lost answer to the command that
// forms it is resolved from the fiscal drive, never sent twice.
func TestCorrectionReceipt(t *testing.T) {
	paid := time.Date(2026, 11, 25, 18, 40, 0, 0, time.UTC)
	for _, v := range []fiscal.FFD{fiscal.FFD105, fiscal.FFD12} {
		for _, lost := range []bool{false, true} {
			t.Run(fmt.Sprintf("FFD %s lost %t", v, lost), func(t *testing.T) {
				h := newHarness(t, "tcp", func(c *emulator.Config, _ *shtrih.Options) {
					st := emulator.NewState(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
					st.FFD = byte(v)
					c.Initial = &st
				})
				require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
				_, err := h.dev.Info(ctx(t))
				require.NoError(t, err)
				r := agentReceipt()
				r.Correction = &fiscal.Correction{Date: paid, Basis: "PD1", Description: "чек не сформирован при расчёте"}
				forms := shtrih.CmdCloseReceipt
				if v < fiscal.FFD12 {
					forms = shtrih.CmdCorrectionV2
				}
				if lost {
					h.emu.Arm(emulator.FaultPowerLoss, forms)
				}
				docs := len(h.emu.State().Docs)
				res, err := h.dev.Fiscalize(ctx(t), r)
				require.NoError(t, err)
				assert.Equal(t, lost, res.Recovered)
				assert.Equal(t, 1, h.emu.Executed(forms), "formed once")
				st := h.emu.State()
				require.Len(t, st.Docs, docs+1)
				doc := st.Docs[len(st.Docs)-1]
				assert.Equal(t, res.FD, doc.FD)
				assert.Equal(t, fiscal.DocCorrection, doc.Type)
				assert.Equal(t, int64(51000), doc.Sum)
				last, err := h.dev.LastDocument(ctx(t))
				require.NoError(t, err)
				assert.Equal(t, fiscal.DocCorrection, last.Type)
				assert.Equal(t, fiscal.Sale, last.Kind)
				tags, err := h.dev.DocumentTags(ctx(t), res.FD)
				require.NoError(t, err)
				typ, ok := fiscal.Find(tags, 1173)
				require.True(t, ok)
				assert.Equal(t, []byte{0}, typ.Value)
				_, ok = fiscal.Find(tags, 1174)
				assert.True(t, ok)
				if v >= fiscal.FFD12 {
					require.Len(t, doc.Lines, 2)
					_, ok := fiscal.Find(doc.Lines[0].Tags, 1222)
					assert.True(t, ok, "the agent sign on the payment's line")
				}
			})
		}
	}
}
