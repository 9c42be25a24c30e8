package shtrih

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

// docHeader is an FF3A answer step: code 0, document type, length.
func docHeader(typ uint16, n int) []byte {
	return scriptStep(0, 0, byte(typ), byte(typ>>8), byte(n), byte(n>>8))
}

// docBlock is an FF3B answer step carrying b.
func docBlock(b []byte) []byte { return scriptStep(0, append([]byte{0}, b...)...) }

// docEnd is the drive's 08h after the last block.
var docEnd = scriptStep(0, 0x08)

// sampleDoc is the TLVs inside a receipt's STLV.
var sampleDoc = fiscal.EncodeTags(
	fiscal.Uint32(1040, 7),
	fiscal.Byte(1054, 1),
	fiscal.VLN(1020, 51000),
	fiscal.Struct(1084, fiscal.String(1085, "Транзакция"), fiscal.String(1086, "SESSION-1")),
)

// runDocumentTags reads document 7 from a register answering from script.
func runDocumentTags(t testing.TB, script []byte) ([]fiscal.Tag, *scriptConn, error) {
	t.Helper()
	conn := newScriptConn(script)
	d := New(conn, Options{ReadyTimeout: time.Second, Location: time.UTC,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	tags, err := d.DocumentTags(context.Background(), 7)
	if conn.bad != nil {
		t.Fatal(conn.bad)
	}
	return tags, conn, err
}

// TestDocumentTagsAnswers: the FF3A/FF3B answers a drive may give, good
// and garbled. A garbled answer is a KindLink error (fiscal.ErrBadAnswer),
// never a hang and never a document made of what did not add up.
func TestDocumentTagsAnswers(t *testing.T) {
	bare := fiscal.Tag{Num: 3, Value: sampleDoc}.Encode()
	many := docHeader(3, 0xFFFF)
	for range maxDocumentBlocks + 10 {
		many = append(many, docBlock([]byte{0})...)
	}
	tests := []struct {
		name   string
		script []byte
		ok     bool
		code   fiscal.Code // device code of the error
		kind   fiscal.Kind
		bad    bool // the error is fiscal.ErrBadAnswer
	}{
		{name: "one block", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc), docEnd), ok: true},
		{name: "split inside TLVs", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc[:3]),
			docBlock(sampleDoc[3:17]), docBlock(sampleDoc[17:]), docEnd), ok: true},
		{name: "bare document STLV opened", script: cat(docHeader(3, len(bare)), docBlock(bare), docEnd), ok: true},
		{name: "end given as an empty block", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc), docBlock(nil)), ok: true},
		{name: "end given as another code", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc), scriptStep(0, 0x02)), ok: true},
		{name: "short FF3A answer", script: scriptStep(0, 0, 3, 0), kind: fiscal.KindLink, bad: true},
		{name: "FF3A answer without data", script: scriptStep(0, 0), kind: fiscal.KindLink, bad: true},
		{name: "answer to another command", script: scriptStep(1, 0xFF, 0x0A, 0, 3, 0, 8, 0), kind: fiscal.KindLink, bad: true},
		{name: "document of no bytes", script: cat(docHeader(3, 0), docEnd), kind: fiscal.KindLink, bad: true},
		{name: "document ends early", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc[:10]), docEnd), kind: fiscal.KindLink, bad: true},
		{name: "more than announced", script: cat(docHeader(3, 10), docBlock(sampleDoc)), kind: fiscal.KindLink, bad: true},
		{name: "empty block before the end", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc[:10]), docBlock(nil)), kind: fiscal.KindLink, bad: true},
		{name: "undecodable TLV", script: cat(docHeader(3, 8), docBlock([]byte{0x10, 0x04, 9, 0, 1, 2, 3, 4}), docEnd), kind: fiscal.KindLink, bad: true},
		{name: "undecodable document STLV", script: cat(docHeader(3, 8), docBlock([]byte{3, 0, 4, 0, 0x10, 0x04, 9, 0}), docEnd), kind: fiscal.KindLink, bad: true},
		{name: "endless one-byte blocks", script: many, kind: fiscal.KindLink, bad: true},
		{name: "no such document", script: scriptStep(0, 0x08), code: 0x08, kind: fiscal.KindProgram},
		{name: "fiscal drive fails mid-read", script: cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc[:10]), scriptStep(0, 0x30)), code: 0x30, kind: fiscal.KindAdmin},
		{name: "register falls silent", script: docHeader(3, len(sampleDoc)), kind: fiscal.KindLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var (
				tags []fiscal.Tag
				conn *scriptConn
				err  error
			)
			go func() {
				defer close(done)
				tags, conn, err = runDocumentTags(t, tt.script)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("DocumentTags hangs")
			}
			assert.LessOrEqual(t, conn.sent[CmdFNReadTLV], maxDocumentBlocks+1)
			assert.Equal(t, 1, conn.sent[CmdFNDocTLV])
			if tt.ok {
				require.NoError(t, err)
				want, derr := fiscal.DecodeTags(sampleDoc)
				require.NoError(t, derr)
				assert.Equal(t, want, tags)
				return
			}
			require.Error(t, err)
			assert.Nil(t, tags)
			assert.True(t, strings.HasPrefix(err.Error(), "shtrih: document tags: "), err.Error())
			assert.Equal(t, tt.code, fiscal.CodeOf(err))
			assert.Equal(t, tt.kind, fiscal.KindOf(err))
			assert.Equal(t, tt.bad, errors.Is(err, fiscal.ErrBadAnswer), "%v", err)
		})
	}
}

// TestFinishRead: the readiness poll reads a document left half read
// (mode 1) to its end before it goes on.
func TestFinishRead(t *testing.T) {
	script := cat(scriptStatus(1, 0), docBlock(sampleDoc[:10]), docBlock(sampleDoc[10:]), docEnd,
		scriptStatus(2, 0), scriptOK, scriptStatus(2, 0))
	conn := newScriptConn(script)
	d := New(conn, Options{ReadyTimeout: time.Second, Location: time.UTC,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	require.NoError(t, d.XReport(context.Background()))
	assert.Equal(t, []Cmd{CmdShortStatus, CmdFNReadTLV, CmdFNReadTLV, CmdFNReadTLV, CmdShortStatus, CmdXReport}, conn.order[:6])
}

// FuzzDocumentTags reads a document from a register that answers from the
// fuzzer's script (see scriptConn): the driver neither panics nor hangs,
// sends FF3A once and FF3B a bounded number of times, reports failures as
// *fiscal.Error under its operation, and what it returns re-encodes into
// no more than the length the drive announced.
func FuzzDocumentTags(f *testing.F) {
	f.Add(cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc), docEnd))
	f.Add(cat(docHeader(3, len(sampleDoc)), docBlock(sampleDoc[:5]), scriptStep(2), docBlock(sampleDoc[5:]), docEnd))
	f.Add(cat(docHeader(2, 8), docBlock([]byte{2, 0, 4, 0, 0x10, 0x04, 0, 0}), docEnd))
	f.Add(cat(docHeader(3, 0x10), docBlock(nil)))
	f.Add(cat(scriptStep(3), docHeader(3, 4), scriptStep(1, 0xFF, 0x3B, 0, 1, 2, 3, 4), docEnd))
	f.Fuzz(func(t *testing.T, script []byte) {
		tags, conn, err := runDocumentTags(t, script)
		if conn.sent[CmdFNDocTLV] > 1 || conn.sent[CmdFNReadTLV] > maxDocumentBlocks+1 {
			t.Fatalf("FF3A sent %d times, FF3B %d: %v", conn.sent[CmdFNDocTLV], conn.sent[CmdFNReadTLV], conn.order)
		}
		if err != nil {
			var fe *fiscal.Error
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "shtrih: document tags: ") {
				t.Fatalf("error %q (%T)", err, err)
			}
			if tags != nil {
				t.Fatalf("tags %v with error %v", tags, err)
			}
			return
		}
		if len(tags) == 0 || len(fiscal.EncodeTags(tags...)) > 0xFFFF {
			t.Fatalf("tags %v", tags)
		}
	})
}
