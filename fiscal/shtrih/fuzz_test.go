package shtrih

import (
	"bytes"
	"log/slog"
	"os"
	"testing"
	"time"

	"paydesk/fiscal"
)

// FuzzDecode: Decode never panics, and what it accepts re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x02, 0x05, 0x10, 0x1E, 0x00, 0x00, 0x00, 0x0B})
	f.Add([]byte{0x02, 0x03, 0x88, 0x00, 0x1E, 0x94})
	f.Add([]byte{0x02, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		f, err := Encode(p)
		if err != nil || !bytes.Equal(f, b) {
			t.Fatalf("% X decoded to % X, re-encoded to % X (%v)", b, p, f, err)
		}
	})
}

// memConn replays bytes to the link reader.
type memConn struct {
	in  []byte
	out bytes.Buffer
}

func (m *memConn) Read(b []byte) (int, error) {
	if len(m.in) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(b, m.in)
	m.in = m.in[n:]
	return n, nil
}
func (m *memConn) Write(b []byte) (int, error)     { return m.out.Write(b) }
func (m *memConn) SetReadDeadline(time.Time) error { return nil }

// FuzzReadFrame feeds arbitrary line bytes to the driver's frame reader and
// answer decoders (status, FN status, documents, TLVs).
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0xFF, 0x02, 0x03, 0x88, 0x00, 0x1E, 0x95})
	f.Add([]byte{0x02, 0x10, 0x10, 0x00, 0x1E, 0x92, 0x02, 0x08, 0x00, 0x01, 0x9F, 0xE5, 0x18, 0x01, 0x00, 0x8B, 0x02, 0x00, 0x6D})
	f.Add(append([]byte{0x02, 0x09, 0xFF, 0x0E, 0x00}, fiscal.Byte(1057, 8).Encode()...))
	f.Fuzz(func(t *testing.T, in []byte) {
		l := &link{conn: &memConn{in: in}, byteTimeout: time.Millisecond, log: slog.New(slog.DiscardHandler)}
		p, err := l.readFrame(time.Millisecond, false)
		if err != nil {
			return
		}
		cmd, _, ok := CmdOf(p)
		if !ok {
			return
		}
		_, data, err := ParseAnswer(cmd, p)
		if err != nil {
			return
		}
		_, _ = ParseShortStatus(data)
		_, _ = ParseFNStatus(data, time.UTC)
		_, _ = ParseDocument(data, time.UTC)
		if tags, err := fiscal.DecodeTags(data); err == nil {
			for _, tg := range tags {
				_, _ = tg.Children()
			}
		}
	})
}
