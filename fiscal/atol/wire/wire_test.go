package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name  string
		id    byte
		data  string
		frame string
	}{
		{"empty packet id 1", 0x01, "", "FE 00 00 01 9D"},
		{"async answer, CRC FE escaped", AsyncID, "A6 57 55 00 00", "FE 05 00 F0 A6 57 55 00 00 FD EE"},
		{"FE and FD in the data", 0x02, "FE FD 01", "FE 03 00 02 FD EE FD ED 01 " + ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := hx(t, tt.data)
			got := Encode(tt.id, data)
			if tt.name == "FE and FD in the data" {
				// the CRC byte is computed, not written by hand
				want := append(hx(t, tt.frame), stuff(nil, CRC8(tt.id, data))...)
				assert.Equal(t, want, got)
			} else {
				assert.Equal(t, hx(t, tt.frame), got)
			}
			p, err := Decode(got)
			require.NoError(t, err)
			assert.Equal(t, tt.id, p.ID)
			assert.Equal(t, data, p.Data)
		})
	}
}

func TestEncodeLongLength(t *testing.T) {
	data := bytes.Repeat([]byte{0x55}, 300) // 300 = 2*128 + 44
	f := Encode(7, data)
	assert.Equal(t, []byte{STX, 44, 2, 7}, f[:4])
	p, err := Decode(f)
	require.NoError(t, err)
	assert.Equal(t, data, p.Data)
	assert.Panics(t, func() { Encode(1, make([]byte, MaxData+1)) })
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  error
	}{
		{"bad CRC", "FE 00 00 01 9E", ErrCRC},
		{"truncated", "FE 05 00 F0 A6 57", ErrFrame},
		{"FE inside", "FE 02 00 01 41 FE 00", ErrFrame},
		{"bad escape", "FE 01 00 01 FD 01 00", ErrFrame},
		{"FE in the header", "FE 01 FE 01 00", ErrFrame},
		{"length bit 7", "FE 81 00 01 00", ErrFrame},
		{"bytes after", "FE 00 00 01 9D 00", ErrFrame},
		{"nothing", "", ErrFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(hx(t, tt.frame))
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestReadSkipsNoiseAndKeepsID(t *testing.T) {
	in := append([]byte{0x00, 0xFF, 0x13}, Encode(5, []byte{1, 2})...)
	in = append(in, hx(t, "FE 00 00 09 00")...) // bad CRC, id 9
	r := bytes.NewReader(in)
	next := func() (byte, error) { return r.ReadByte() }
	p, err := Read(next)
	require.NoError(t, err)
	assert.Equal(t, Packet{ID: 5, Data: []byte{1, 2}}, p)
	p, err = Read(next)
	assert.ErrorIs(t, err, ErrCRC)
	assert.Equal(t, byte(9), p.ID)
}

func TestNextID(t *testing.T) {
	assert.Equal(t, byte(1), NextID(0))
	assert.Equal(t, byte(0), NextID(MaxID))
	assert.Equal(t, byte(0), NextID(AsyncID))
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		withTID bool
		want    Answer
		err     bool
	}{
		{"result", "A3 55 00 00", false, Answer{State: Result, Data: []byte{0x55, 0, 0}}, false},
		{"pending to req", "A1 07", true, Answer{State: Pending, TID: 7, Data: []byte{}}, false},
		{"async result", "A6 57 55 00 00", false, Answer{State: Result, TID: 0x57, Data: []byte{0x55, 0, 0}}, false},
		{"async error", "A7 57 55 67 00", false, Answer{State: Error, TID: 0x57, Data: []byte{0x55, 0x67, 0}}, false},
		{"overflow", "B1", false, Answer{State: Overflow, Data: []byte{}}, false},
		{"empty", "", false, Answer{}, true},
		{"unknown state", "99 00", false, Answer{}, true},
		{"req without tid", "A3", true, Answer{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAnswer(hx(t, tt.data), tt.withTID)
			if tt.err {
				assert.ErrorIs(t, err, ErrFrame)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.True(t, Answer{State: Error}.Done())
	assert.False(t, Answer{State: InProgress}.Done())
	assert.Equal(t, "buffer overflow", StateName(Overflow))
	assert.Equal(t, "state 99h", StateName(0x99))
}

func TestTaskData(t *testing.T) {
	assert.Equal(t, []byte{Add, NeedResult, 3, 0x3F}, AddTask(NeedResult, 3, []byte{0x3F}))
	assert.Equal(t, []byte{Ack, 3}, AckTask(3))
	assert.Equal(t, []byte{Req, 3}, ReqTask(3))
}

// FuzzDecode checks that no input panics the decoder and that whatever it
// accepts encodes back to the same bytes (noise before FE aside).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"FE 00 00 01 9D", "FE 05 00 F0 A6 57 55 00 00 FD EE", "FE 01 00 01 FD 01 00", "FE 81 00 01 00"} {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		p, err := Decode(frame)
		if err != nil {
			if !errors.Is(err, ErrCRC) && !errors.Is(err, ErrFrame) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		// Bytes before the first FE are noise the reader skips.
		if !bytes.HasSuffix(frame, Encode(p.ID, p.Data)) || bytes.IndexByte(frame, STX) != len(frame)-len(Encode(p.ID, p.Data)) {
			t.Fatalf("% X decodes to %02X % X which encodes differently", frame, p.ID, p.Data)
		}
	})
}

// FuzzParseAnswer checks that no answer panics the task-state parser.
func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte{0xA3, 0x55, 0, 0}, false)
	f.Add([]byte{0xA6, 0x57}, false)
	f.Add([]byte{0xA1}, true)
	f.Fuzz(func(t *testing.T, data []byte, withTID bool) {
		a, err := ParseAnswer(data, withTID)
		if err == nil && len(a.Data) > len(data) {
			t.Fatal("answer longer than its packet")
		}
	})
}

func TestBCD(t *testing.T) {
	assert.Equal(t, []byte{0x00, 0x12, 0x34}, BCD(1234, 3))
	v, err := FromBCD([]byte{0x00, 0x12, 0x34})
	require.NoError(t, err)
	assert.Equal(t, uint64(1234), v)
	_, err = FromBCD([]byte{0x1A})
	assert.ErrorIs(t, err, ErrBCD)
	assert.Equal(t, uint64(9999), MaxBCD(2))
}

func TestText(t *testing.T) {
	b := Field("Чек ✓1", 10)
	assert.Len(t, b, 10)
	assert.Equal(t, byte(0x97), b[0]) // Ч in CP866
	assert.Equal(t, "Чек ?1", FromText(b))
}

func TestConformance(t *testing.T) {
	dir := os.Getenv("PAYDESK_CONFORMANCE")
	if dir == "" {
		t.Skip("PAYDESK_CONFORMANCE not set")
	}
	raw, err := os.ReadFile(dir + "/shtrih/atol_frames.tsv")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	require.Greater(t, len(lines), 1)
	col := map[string]int{}
	for i, c := range strings.Split(lines[0], "\t") {
		col[c] = i
	}
	v3 := 0
	for _, ln := range lines[1:] {
		f := strings.Split(ln, "\t")
		id, proto := f[col["id"]], f[col["protocol"]]
		if proto != "atol-v3" {
			continue // protocol 2 is not spoken by this driver (docs/atol.md §2)
		}
		v3++
		t.Run(id, func(t *testing.T) {
			frame := hx(t, f[col["frame"]])
			p, err := Decode(frame)
			require.NoError(t, err)
			assert.Equal(t, frame, Encode(p.ID, p.Data))
			if d := f[col["data"]]; d != "" {
				assert.Equal(t, hx(t, d), p.Data)
				a, err := ParseAnswer(p.Data, false)
				require.NoError(t, err)
				assert.True(t, a.Done())
			}
			bad := append([]byte(nil), frame...)
			bad[len(bad)-1] ^= 0x01
			_, err = Decode(bad)
			assert.Error(t, err)
		})
	}
	assert.Positive(t, v3)
}

func BenchmarkDecode(b *testing.B) {
	f := Encode(5, append([]byte{Result, 0x55, 0, 0}, bytes.Repeat([]byte{0xFE, 0x01}, 60)...))
	for b.Loop() {
		if _, err := Decode(f); err != nil {
			b.Fatal(err)
		}
	}
}
