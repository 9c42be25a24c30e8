package shtrih_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
)

// session is the payment's SESSION the till puts in 1084/1086.
const session = "SESSION-20261126-0001"

// sessionReceipt is the agent receipt carrying the payment's session in 1084.
func sessionReceipt() fiscal.Receipt {
	r := agentReceipt()
	r.Tags = append(r.Tags, fiscal.Struct(1084, fiscal.String(1085, "Транзакция"), fiscal.String(1086, session)))
	return r
}

// tagUint returns the unsigned value of tag num.
func tagUint(t *testing.T, tags []fiscal.Tag, num uint16) uint64 {
	t.Helper()
	tag, ok := fiscal.Find(tags, num)
	require.True(t, ok, "tag %d", num)
	v, ok := tag.Uint()
	require.True(t, ok, "tag %d", num)
	return v
}

func tagText(t *testing.T, tags []fiscal.Tag, num uint16) string {
	t.Helper()
	tag, ok := fiscal.Find(tags, num)
	require.True(t, ok, "tag %d", num)
	return tag.Text()
}

// children returns the nested tags of every structure numbered num.
func children(t *testing.T, tags []fiscal.Tag, num uint16) [][]fiscal.Tag {
	t.Helper()
	var out [][]fiscal.Tag
	for _, tag := range tags {
		if tag.Num == num {
			sub, err := tag.Children()
			require.NoError(t, err, "tag %d", num)
			out = append(out, sub)
		}
	}
	return out
}

// fdpSign is the printed fiscal sign in tag 1077 (6 bytes, the last 4 big-endian).
func fdpSign(t *testing.T, tags []fiscal.Tag) uint32 {
	t.Helper()
	tag, ok := fiscal.Find(tags, 1077)
	require.True(t, ok, "tag 1077")
	require.Len(t, tag.Value, 6)
	return binary.BigEndian.Uint32(tag.Value[2:])
}

func lastFD(t *testing.T, h *harness) uint32 {
	t.Helper()
	st, err := h.dev.Status(ctx(t))
	require.NoError(t, err)
	return st.LastFD
}

// ffdTime is a document time as FFD UnixTime (the wall clock counted as UTC).
func ffdTime(tm time.Time) uint64 {
	return uint64(time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC).Unix())
}

// blocks is the FF3B answers that hand out tags (the drive's 252 bytes a block).
func blocks(tags []fiscal.Tag) int {
	n := len(fiscal.EncodeTags(tags...))
	return (n + shtrih.MaxPayload - 4) / (shtrih.MaxPayload - 3)
}

// TestDocumentTags reads documents back from the emulator's fiscal drive
// over a pty and over TCP.
func TestDocumentTags(t *testing.T) {
	tests := []struct {
		name string
		// make makes the document and returns its number.
		make  func(t *testing.T, h *harness) uint32
		check func(t *testing.T, h *harness, fd uint32, tags []fiscal.Tag)
		code  fiscal.Code // the device code of the expected error, 0 for none
	}{
		{
			name: "receipt with the session in 1084",
			make: func(t *testing.T, h *harness) uint32 {
				require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
				res, err := h.dev.Fiscalize(ctx(t), sessionReceipt())
				require.NoError(t, err)
				require.Equal(t, res.FD, lastFD(t, h))
				return res.FD
			},
			check: func(t *testing.T, h *harness, fd uint32, tags []fiscal.Tag) {
				doc, err := h.dev.LastDocument(ctx(t))
				require.NoError(t, err)
				add := children(t, tags, 1084)
				require.Len(t, add, 1)
				assert.Equal(t, "Транзакция", tagText(t, add[0], 1085))
				assert.Equal(t, session, tagText(t, add[0], 1086))
				assert.Equal(t, uint64(fd), tagUint(t, tags, 1040))
				assert.Equal(t, doc.FP, fdpSign(t, tags))
				assert.Equal(t, ffdTime(doc.Time), tagUint(t, tags, 1012))
				assert.Equal(t, uint64(fiscal.Sale), tagUint(t, tags, 1054))
				assert.Equal(t, uint64(51000), tagUint(t, tags, 1020))
				assert.Equal(t, uint64(51000), tagUint(t, tags, 1031))
				assert.Equal(t, uint64(fiscal.USNIncome), tagUint(t, tags, 1055))
				assert.Equal(t, uint64(1), tagUint(t, tags, 1038), "shift")
				assert.Equal(t, uint64(1), tagUint(t, tags, 1042), "receipt in the shift")
				assert.Equal(t, cashier.Name, tagText(t, tags, 1021))
				if in, err := h.dev.Info(ctx(t)); err == nil && in.FFD < fiscal.FFD12 {
					assert.Equal(t, "+74950000001", tagText(t, tags, 1073))
				}
				lines := children(t, tags, 1059)
				require.Len(t, lines, 2)
				assert.Equal(t, "Оплата связи МТС +79161234567", tagText(t, lines[0], 1030))
				assert.Equal(t, uint64(50000), tagUint(t, lines[0], 1079))
				assert.Equal(t, uint64(50000), tagUint(t, lines[0], 1043))
				assert.Equal(t, uint64(6), tagUint(t, lines[0], 1199), "без НДС")
				assert.Equal(t, uint64(fiscal.SubjectPayment), tagUint(t, lines[0], 1212))
				assert.Equal(t, uint64(fiscal.FullPayment), tagUint(t, lines[0], 1214))
				assert.Equal(t, "7740000076  ", tagText(t, lines[0], 1226))
				assert.Equal(t, []byte{0, 1}, mustFind(t, lines[0], 1023).Value, "quantity 1 as FVLN")
				assert.Equal(t, "Вознаграждение платежного агента", tagText(t, lines[1], 1030))
				assert.Greater(t, blocks(tags), 1, "the document takes more than one FF3B block")
			},
		},
		{
			name: "shift open",
			make: func(t *testing.T, h *harness) uint32 {
				require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
				return lastFD(t, h)
			},
			check: func(t *testing.T, h *harness, fd uint32, tags []fiscal.Tag) {
				assert.Equal(t, uint64(fd), tagUint(t, tags, 1040))
				assert.Equal(t, uint64(1), tagUint(t, tags, 1038))
				assert.Equal(t, cashier.Name, tagText(t, tags, 1021))
				assert.Equal(t, cashier.INN, tagText(t, tags, 1203))
				assert.Equal(t, "9999078900011519", tagText(t, tags, 1041))
				assert.Equal(t, ffdTime(h.clock.Now()), tagUint(t, tags, 1012))
				_, ok := fiscal.Find(tags, 1054)
				assert.False(t, ok, "a shift report has no settlement sign")
				assert.Equal(t, 1, blocks(tags))
			},
		},
		{
			name: "shift close",
			make: func(t *testing.T, h *harness) uint32 {
				require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
				require.NoError(t, h.dev.ZReport(ctx(t), cashier))
				return lastFD(t, h)
			},
			check: func(t *testing.T, h *harness, fd uint32, tags []fiscal.Tag) {
				assert.Equal(t, uint64(fd), tagUint(t, tags, 1040))
				assert.Equal(t, uint64(1), tagUint(t, tags, 1038))
				doc, err := h.dev.LastDocument(ctx(t))
				require.NoError(t, err)
				assert.Equal(t, fiscal.DocShiftClose, doc.Type)
				assert.Equal(t, doc.FP, fdpSign(t, tags))
			},
		},
		{
			name: "registration",
			make: func(t *testing.T, h *harness) uint32 { return 1 },
			check: func(t *testing.T, h *harness, fd uint32, tags []fiscal.Tag) {
				assert.Equal(t, uint64(1), tagUint(t, tags, 1040))
				assert.Equal(t, "0000000001009224    ", tagText(t, tags, 1037))
				assert.Equal(t, "7700000000  ", tagText(t, tags, 1018))
			},
		},
		{
			name: "unknown document",
			make: func(t *testing.T, h *harness) uint32 { return lastFD(t, h) + 1 },
			code: 0x08,
		},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr+"/"+tt.name, func(t *testing.T) {
				h := newHarness(t, tr)
				fd := tt.make(t, h)
				tags, err := h.dev.DocumentTags(ctx(t), fd)
				if tt.code != 0 {
					require.Error(t, err)
					assert.Nil(t, tags)
					assert.Equal(t, tt.code, fiscal.CodeOf(err))
					assert.Equal(t, uint16(shtrih.CmdFNDocTLV), cmdOf(err))
					assert.True(t, strings.HasPrefix(err.Error(), "shtrih: document tags: "), err.Error())
					assert.Zero(t, h.emu.Executed(shtrih.CmdFNReadTLV))
				} else {
					require.NoError(t, err)
					for _, tag := range tags {
						assert.GreaterOrEqual(t, tag.Num, uint16(1000), "top-level tags only")
					}
					tt.check(t, h, fd, tags)
					// Read to the end: every block and the closing 08h.
					assert.Equal(t, blocks(tags)+1, h.emu.Executed(shtrih.CmdFNReadTLV))
				}
				assert.Equal(t, 1, h.emu.Executed(shtrih.CmdFNDocTLV))
				st, err := h.dev.Status(ctx(t))
				require.NoError(t, err)
				assert.NotEqual(t, fiscal.Mode(1), st.Mode, "the register left the data dump mode")
			})
		}
	}
}

func mustFind(t *testing.T, tags []fiscal.Tag, num uint16) fiscal.Tag {
	t.Helper()
	tag, ok := fiscal.Find(tags, num)
	require.True(t, ok, "tag %d", num)
	return tag
}

func cmdOf(err error) uint16 {
	var fe *fiscal.Error
	if !errors.As(err, &fe) {
		return 0
	}
	return fe.Cmd
}

// TestDocumentTagsLinkFaults reads a receipt back under the link faults
// the emulator injects into FF3A and FF3B: a block whose answer is lost is
// fetched with ENQ and never asked for twice, so the document comes out
// whole; a power loss in the middle fails the read (KindLink) and the next
// read starts afresh.
func TestDocumentTagsLinkFaults(t *testing.T) {
	tests := []struct {
		fault emulator.Fault
		cmd   shtrih.Cmd
		// failed is set when the first read fails.
		failed bool
		// extra is the FF3B executions beyond a clean read (a power loss
		// loses the block executed and the read starts again).
		extra int
	}{
		{fault: emulator.FaultNAK, cmd: shtrih.CmdFNReadTLV},
		{fault: emulator.FaultGarble, cmd: shtrih.CmdFNReadTLV},
		{fault: emulator.FaultLoseACK, cmd: shtrih.CmdFNReadTLV},
		{fault: emulator.FaultSlow, cmd: shtrih.CmdFNReadTLV},
		{fault: emulator.FaultGarble, cmd: shtrih.CmdFNDocTLV},
		{fault: emulator.FaultLoseACK, cmd: shtrih.CmdFNDocTLV},
		{fault: emulator.FaultPowerLoss, cmd: shtrih.CmdFNReadTLV, failed: true, extra: 1},
		{fault: emulator.FaultFNNoAnswer, cmd: shtrih.CmdFNReadTLV, failed: true, extra: 1},
		{fault: emulator.FaultFNNoAnswer, cmd: shtrih.CmdFNDocTLV, failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String()+"/"+tt.cmd.String(), func(t *testing.T) {
			h := newHarness(t, "tcp")
			require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
			res, err := h.dev.Fiscalize(ctx(t), sessionReceipt())
			require.NoError(t, err)
			want, err := h.dev.DocumentTags(ctx(t), res.FD)
			require.NoError(t, err)
			clean := h.emu.Executed(shtrih.CmdFNReadTLV)

			h.emu.Arm(tt.fault, tt.cmd)
			got, err := h.dev.DocumentTags(ctx(t), res.FD)
			reads := 1
			if tt.failed {
				require.Error(t, err)
				assert.NotEqual(t, fiscal.KindOther, fiscal.KindOf(err))
				assert.True(t, strings.HasPrefix(err.Error(), "shtrih: document tags: "), err.Error())
				got, err = h.dev.DocumentTags(ctx(t), res.FD)
				reads = 2
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, 1+reads, h.emu.Executed(shtrih.CmdFNDocTLV), "FF3A")
			assert.Equal(t, 2*clean+tt.extra, h.emu.Executed(shtrih.CmdFNReadTLV), "no FF3B executed twice")
		})
	}
}

// TestUnfinishedRead: a register left in the data dump mode by a document
// read that stopped half way is read to its end before the next receipt.
func TestUnfinishedRead(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			h := newHarness(t, tr)
			require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
			res, err := h.dev.Fiscalize(ctx(t), sessionReceipt())
			require.NoError(t, err)
			// Someone else's read: FF3A and one block.
			code, _, err := shtrih.ParseAnswer(shtrih.CmdFNDocTLV, h.emu.Exec(shtrih.Payload(shtrih.CmdFNDocTLV, shtrih.PutUint(shtrih.Password(30), uint64(res.FD), 4))))
			require.NoError(t, err)
			require.Zero(t, code)
			code, _, err = shtrih.ParseAnswer(shtrih.CmdFNReadTLV, h.emu.Exec(shtrih.Payload(shtrih.CmdFNReadTLV, shtrih.Password(30))))
			require.NoError(t, err)
			require.Zero(t, code)
			st, err := h.dev.Status(ctx(t))
			require.NoError(t, err)
			require.Equal(t, fiscal.Mode(1), st.Mode)

			res2, err := h.dev.Fiscalize(ctx(t), sessionReceipt())
			require.NoError(t, err)
			assert.Equal(t, res.FD+1, res2.FD)
			st, err = h.dev.Status(ctx(t))
			require.NoError(t, err)
			assert.Equal(t, fiscal.ModeShiftOpen, st.Mode)
			tags, err := h.dev.DocumentTags(ctx(t), res2.FD)
			require.NoError(t, err)
			assert.Equal(t, session, tagText(t, children(t, tags, 1084)[0], 1086))
		})
	}
}

// TestZReportCashier: the shift-close report names the cashier who closed
// the shift (FF42, FF0C 1021, 41h).
func TestZReportCashier(t *testing.T) {
	h := newHarness(t, "tcp")
	require.NoError(t, h.dev.OpenShift(ctx(t), cashier))
	require.NoError(t, h.dev.ZReport(ctx(t), fiscal.Cashier{Name: "Старший кассир Петров П."}))
	st := h.emu.State()
	doc := st.Docs[len(st.Docs)-1]
	require.Equal(t, fiscal.DocShiftClose, doc.Type)
	c, ok := fiscal.Find(doc.Tags, 1021)
	require.True(t, ok)
	assert.Equal(t, "Старший кассир Петров П.", c.Text())
	assert.Equal(t, 1, h.emu.Executed(shtrih.CmdBeginClose))
}
