package shtrih_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
	"paydesk/internal/testutil"
)

// Vectors is the part of PAYDESK_CONFORMANCE/shtrih/vectors.json the driver checks.
type Vectors struct {
	V1 []struct {
		ID        string `json:"id"`
		Direction string `json:"direction"`
		Frame     string `json:"frame"`
		Payload   string `json:"payload"`
		Cmd       string `json:"cmd"`
	} `json:"shtrih_v1"`
	Negative []struct {
		ID     string `json:"id"`
		Frame  string `json:"frame"`
		Expect string `json:"expect"`
	} `json:"shtrih_v1_negative"`
}

func loadVectors(t *testing.T) Vectors {
	b, err := os.ReadFile(filepath.Join(testutil.Conformance(t, "shtrih"), "vectors.json"))
	require.NoError(t, err)
	var v Vectors
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.V1)
	return v
}

// TestConformanceFrames: every v1 frame encodes from its payload and decodes back.
func TestConformanceFrames(t *testing.T) {
	v := loadVectors(t)
	for _, row := range v.V1 {
		t.Run(row.ID, func(t *testing.T) {
			frame, payload := testutil.Unhex(t, row.Frame), testutil.Unhex(t, row.Payload)
			got, err := shtrih.Encode(payload)
			require.NoError(t, err)
			assert.Equal(t, frame, got)
			p, err := shtrih.Decode(frame)
			require.NoError(t, err)
			assert.Equal(t, payload, p)
			cmd, _, ok := shtrih.CmdOf(payload)
			require.True(t, ok)
			assert.Equal(t, strings.ReplaceAll(row.Cmd, " ", ""), strings.TrimSuffix(cmd.String(), "h"))
			if row.Direction == "kkt->host" {
				code, _, err := shtrih.ParseAnswer(cmd, payload)
				require.NoError(t, err)
				assert.Equal(t, fiscal.CodeOK, code)
			}
		})
	}
}

// TestConformanceNegative: every negative frame is rejected.
func TestConformanceNegative(t *testing.T) {
	v := loadVectors(t)
	require.NotEmpty(t, v.Negative)
	for _, row := range v.Negative {
		t.Run(row.ID, func(t *testing.T) {
			_, err := shtrih.Decode(testutil.Unhex(t, row.Frame))
			require.Error(t, err)
			switch {
			case strings.Contains(row.Expect, "LRC") || strings.Contains(row.Expect, "NAK then ENQ"):
				assert.ErrorIs(t, err, shtrih.ErrBadLRC)
			case strings.Contains(row.Expect, "incomplete"):
				assert.ErrorIs(t, err, shtrih.ErrShortFrame)
			case strings.Contains(row.Expect, "STX"):
				assert.ErrorIs(t, err, shtrih.ErrNoSTX)
			}
		})
	}
}

// TestConformanceAnswers decodes the captured and derived answers.
func TestConformanceAnswers(t *testing.T) {
	v := loadVectors(t)
	rows := map[string][]byte{}
	for _, r := range v.V1 {
		rows[r.ID] = testutil.Unhex(t, r.Payload)
	}
	data := func(id string) []byte {
		p, ok := rows[id]
		require.True(t, ok, id)
		cmd, _, _ := shtrih.CmdOf(p)
		code, d, err := shtrih.ParseAnswer(cmd, p)
		require.NoError(t, err)
		require.Zero(t, code)
		return d
	}
	if _, ok := rows["sh1-cap-10-rsp-a"]; ok {
		s, err := shtrih.ParseShortStatus(data("sh1-cap-10-rsp-a"))
		require.NoError(t, err)
		assert.Equal(t, shtrih.ShortStatus{Operator: 30, Flags: 0x0292, Mode: 8, Submode: 0, Ops: 1}, s)
		s, err = shtrih.ParseShortStatus(data("sh1-cap-10-rsp-b"))
		require.NoError(t, err)
		assert.Equal(t, 2, s.Mode)
		assert.Equal(t, 0, s.Submode)
	}
	if _, ok := rows["sh1-cap-ff01-rsp"]; ok {
		fn, err := shtrih.ParseFNStatus(data("sh1-cap-ff01-rsp"), time.UTC)
		require.NoError(t, err)
		assert.True(t, fn.ShiftOpen)
		assert.Equal(t, uint32(425), fn.LastFD)
		assert.Equal(t, "9287440301120991", fn.Number)
		assert.Equal(t, byte(3), fn.Phase)
		assert.Equal(t, time.Date(2021, 7, 29, 11, 29, 0, 0, time.UTC), fn.Time)
	}
	if _, ok := rows["sh1-jp-ff0a-rsp"]; ok {
		doc, err := shtrih.ParseDocument(data("sh1-jp-ff0a-rsp"), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, fiscal.Document{FD: 163, FP: 0x2E4BEAEB, Type: fiscal.DocReceipt, Kind: fiscal.Sale, Sum: 20000,
			Time: time.Date(2017, 3, 24, 20, 53, 0, 0, time.UTC)}, doc)
	}
	if _, ok := rows["sh1-jp-6b-rsp"]; ok {
		assert.Equal(t, "ККТ: Неверная операция", shtrih.Text(data("sh1-jp-6b-rsp")))
	}
	if _, ok := rows["sh1-el-ff45-rsp"]; ok {
		d := data("sh1-el-ff45-rsp")
		assert.Equal(t, uint64(0x000360B3), shtrih.Uint(d[5:9]))
		assert.Equal(t, uint64(0x70DB45DB), shtrih.Uint(d[9:13]))
	}
}

// TestConformanceBuilders: the driver's request builders produce the
// synthetic and captured request frames.
func TestConformanceBuilders(t *testing.T) {
	v := loadVectors(t)
	pw := shtrih.Password
	line := fiscal.Line{Name: "Оплата МТС +79161234567", Price: 50000, Quantity: 1_000_000, Tax: fiscal.NoVAT,
		Department: 1, Method: fiscal.FullPayment, Subject: fiscal.SubjectPayment}
	built := map[string][]byte{
		"sh1-cap-88-req":   shtrih.Payload(shtrih.CmdCancel, pw(30)),
		"sh1-cap-ff01-req": shtrih.Payload(shtrih.CmdFNStatus, pw(30)),
		"sh1-cap-10-req":   shtrih.Payload(shtrih.CmdShortStatus, pw(30)),
		"sh1-jp-ff0a-req":  shtrih.Payload(shtrih.CmdFNFindDoc, shtrih.PutUint(pw(30), 163, 4)),
		"sh1-jp-6b-req":    shtrih.Payload(shtrih.CmdErrorText, []byte{0x5E}),
		"sh1-jp-f7-req":    shtrih.Payload(shtrih.CmdModelParams, []byte{1}),
		"sh1-syn-11-req":   shtrih.Payload(shtrih.CmdFullStatus, pw(1)),
		"sh1-syn-17-req":   shtrih.Payload(shtrih.CmdPrintLine, shtrih.PrintLineArgs(1, 0x02, "Привет")),
		"sh1-syn-25-req":   shtrih.Payload(shtrih.CmdCut, append(pw(1), 0)),
		"sh1-syn-40-req":   shtrih.Payload(shtrih.CmdXReport, pw(29)),
		"sh1-syn-41-req":   shtrih.Payload(shtrih.CmdZReport, pw(30)),
		"sh1-syn-50-req":   shtrih.Payload(shtrih.CmdCashIn, shtrih.PutMoney(pw(1), 10000)),
		"sh1-syn-51-req":   shtrih.Payload(shtrih.CmdCashOut, shtrih.PutMoney(pw(1), 5000)),
		"sh1-syn-b0-req":   shtrih.Payload(shtrih.CmdContinue, pw(1)),
		"sh1-syn-e0-req":   shtrih.Payload(shtrih.CmdOpenShift, pw(1)),
		"sh1-syn-88-req":   shtrih.Payload(shtrih.CmdCancel, pw(1)),
		"sh1-syn-8d-req":   shtrih.Payload(shtrih.CmdOpenReceipt, append(pw(1), 0)),
		"sh1-syn-ff46-req": shtrih.Payload(shtrih.CmdOperation, shtrih.OperationArgs(30, fiscal.Sale, line)),
		"sh1-syn-ff45-req": shtrih.Payload(shtrih.CmdCloseReceipt, shtrih.CloseArgs(30, fiscal.Receipt{
			Payments: fiscal.Payments{Cash: 50000}, TaxSystem: fiscal.OSN})),
	}
	n := 0
	for _, row := range v.V1 {
		p, ok := built[row.ID]
		if !ok {
			continue
		}
		n++
		f, err := shtrih.Encode(p)
		require.NoError(t, err)
		assert.Equal(t, testutil.Unhex(t, row.Frame), f, row.ID)
	}
	assert.Equal(t, len(built), n, "every builder has its vector")
}
