// Package shtrih drives a Shtrih-M fiscal register over protocol v1
// ("standard low level": STX LEN payload LRC with an ENQ/ACK/NAK handshake)
// on a serial line or a TCP socket, and implements fiscal.Register.
//
// The driver never re-sends a command that the device may have executed: when
// an acknowledgement or an answer is lost it asks with ENQ for the stored
// answer, and when that is gone too it resolves the outcome from the device
// state (fiscal drive document numbers, document counters, shift state).
package shtrih

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"paydesk/fiscal"
)

// Control bytes of protocol v1.
const (
	STX byte = 0x02
	ENQ byte = 0x05
	ACK byte = 0x06
	NAK byte = 0x15
	// Filler is the extra byte a device on TCP (or RNDIS) sends after a host
	// ACK; it is skipped wherever a control byte or STX is expected.
	Filler byte = 0xFF
)

// MaxPayload is the largest payload LEN can describe.
const MaxPayload = 255

// Frame errors.
var (
	ErrNoSTX      = errors.New("frame: first byte is not STX")
	ErrShortFrame = errors.New("frame: truncated")
	ErrBadLength  = errors.New("frame: length byte out of range")
	ErrBadLRC     = errors.New("frame: LRC mismatch")
	ErrTrailing   = errors.New("frame: bytes after LRC")
)

// LRC is LEN XOR every payload byte.
func LRC(payload []byte) byte {
	l := byte(len(payload))
	for _, b := range payload {
		l ^= b
	}
	return l
}

// AppendFrame appends STX LEN payload LRC to dst.
func AppendFrame(dst, payload []byte) ([]byte, error) {
	if len(payload) == 0 || len(payload) > MaxPayload {
		return dst, fmt.Errorf("%w: %d", ErrBadLength, len(payload))
	}
	dst = append(dst, STX, byte(len(payload)))
	dst = append(dst, payload...)
	return append(dst, LRC(payload)), nil
}

// Encode returns the frame for payload (command code and parameters).
func Encode(payload []byte) ([]byte, error) {
	return AppendFrame(make([]byte, 0, len(payload)+3), payload)
}

// Decode checks a whole frame and returns its payload. The payload aliases frame.
func Decode(frame []byte) ([]byte, error) {
	if len(frame) == 0 {
		return nil, ErrShortFrame
	}
	if frame[0] != STX {
		return nil, ErrNoSTX
	}
	if len(frame) < 2 {
		return nil, ErrShortFrame
	}
	n := int(frame[1])
	if n == 0 {
		return nil, ErrBadLength
	}
	if len(frame) < n+3 {
		return nil, ErrShortFrame
	}
	if len(frame) > n+3 {
		return nil, ErrTrailing
	}
	p := frame[2 : 2+n]
	if LRC(p) != frame[n+2] {
		return nil, ErrBadLRC
	}
	return p, nil
}

// Cmd is a command code: one byte, or 0xFFxx for fiscal-drive commands.
type Cmd uint16

// Commands used by the driver and the emulator.
const (
	CmdShortStatus    Cmd = 0x10
	CmdFullStatus     Cmd = 0x11
	CmdPrintBold      Cmd = 0x12
	CmdBeep           Cmd = 0x13
	CmdPrintLine      Cmd = 0x17
	CmdReadTable      Cmd = 0x1F
	CmdWriteTable     Cmd = 0x1E
	CmdFieldInfo      Cmd = 0x2E
	CmdCut            Cmd = 0x25
	CmdFontParams     Cmd = 0x26
	CmdDrawer         Cmd = 0x28
	CmdFeed           Cmd = 0x29
	CmdPrintFont      Cmd = 0x2F
	CmdXReport        Cmd = 0x40
	CmdZReport        Cmd = 0x41
	CmdCashIn         Cmd = 0x50
	CmdCashOut        Cmd = 0x51
	CmdErrorText      Cmd = 0x6B
	CmdSale           Cmd = 0x80
	CmdCloseLegacy    Cmd = 0x85
	CmdCancel         Cmd = 0x88
	CmdSubtotal       Cmd = 0x89
	CmdRepeat         Cmd = 0x8C
	CmdOpenReceipt    Cmd = 0x8D
	CmdContinue       Cmd = 0xB0
	CmdOpenShift      Cmd = 0xE0
	CmdModelParams    Cmd = 0xF7
	CmdDeviceType     Cmd = 0xFC
	CmdFNStatus       Cmd = 0xFF01
	CmdFNNumber       Cmd = 0xFF02
	CmdFNExpiry       Cmd = 0xFF03
	CmdFNVersion      Cmd = 0xFF04
	CmdFNCancelDoc    Cmd = 0xFF08
	CmdFNRegistration Cmd = 0xFF09
	CmdFNFindDoc      Cmd = 0xFF0A
	CmdFNDocTLV       Cmd = 0xFF3A // request fiscal document in TLV format (see DocumentTags)
	CmdFNReadTLV      Cmd = 0xFF3B // read TLV of the fiscal document: the next block
	CmdFNOpenShift    Cmd = 0xFF0B
	CmdDocTag         Cmd = 0xFF0C
	CmdFNRegTag       Cmd = 0xFF0E
	CmdOFDStatus      Cmd = 0xFF39
	CmdOFDUnsent      Cmd = 0xFF3F
	CmdShiftParams    Cmd = 0xFF40
	CmdFNResource     Cmd = 0xFF63 // free memory of the fiscal drive
	CmdFNCorrection   Cmd = 0xFF35 // begin a correction receipt (FFD 1.05 form)
	CmdCorrectionV2   Cmd = 0xFF4A // form a correction receipt V2 (FFD 1.05 form)
	CmdBeginOpen      Cmd = 0xFF41
	CmdBeginClose     Cmd = 0xFF42
	CmdFNCloseShift   Cmd = 0xFF43
	CmdCloseReceipt   Cmd = 0xFF45
	CmdOperation      Cmd = 0xFF46
	CmdOperationTag   Cmd = 0xFF4D
	cmdNone           Cmd = 0
	maxTLVPerCommand      = 250
)

// Long reports whether the code takes two bytes (FF xx).
func (c Cmd) Long() bool { return c > 0xFF }

// Append appends the code bytes.
func (c Cmd) Append(b []byte) []byte {
	if c.Long() {
		return append(b, 0xFF, byte(c))
	}
	return append(b, byte(c))
}

// String renders the code as the spec does ("FF46h", "10h").
func (c Cmd) String() string {
	if c.Long() {
		return fmt.Sprintf("%04Xh", uint16(c))
	}
	return fmt.Sprintf("%02Xh", uint16(c))
}

// CmdOf returns the command code at the start of a payload and its length.
func CmdOf(p []byte) (Cmd, int, bool) {
	if len(p) == 0 {
		return 0, 0, false
	}
	if p[0] == 0xFF {
		if len(p) < 2 {
			return 0, 0, false
		}
		return Cmd(0xFF00 | uint16(p[1])), 2, true
	}
	return Cmd(p[0]), 1, true
}

// ParseAnswer splits an answer payload to cmd into the device code and the
// data after it. For FF commands it accepts the long form "FF xx err …" and
// the short form "FF err".
func ParseAnswer(cmd Cmd, p []byte) (fiscal.Code, []byte, error) {
	if cmd.Long() {
		if len(p) == 2 && p[0] == 0xFF {
			return fiscal.Code(p[1]), nil, nil
		}
		if len(p) < 3 || p[0] != 0xFF || p[1] != byte(cmd) {
			return 0, nil, fmt.Errorf("%w: answer % X to %s", fiscal.ErrBadAnswer, p, cmd)
		}
		return fiscal.Code(p[2]), p[3:], nil
	}
	if len(p) < 2 || p[0] != byte(cmd) {
		return 0, nil, fmt.Errorf("%w: answer % X to %s", fiscal.ErrBadAnswer, p, cmd)
	}
	return fiscal.Code(p[1]), p[2:], nil
}

// PutMoney appends kopecks as 5 bytes LE.
func PutMoney(b []byte, kop int64) []byte {
	var x [8]byte
	binary.LittleEndian.PutUint64(x[:], uint64(kop))
	return append(b, x[:5]...)
}

// Money reads 5 bytes LE kopecks.
func Money(b []byte) int64 {
	var x [8]byte
	copy(x[:], b[:5])
	return int64(binary.LittleEndian.Uint64(x[:]))
}

// PutUint appends the low n bytes of v LE.
func PutUint(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// Uint reads an n-byte LE unsigned integer.
func Uint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// NoValue is the FF×5 "not given" money field of FF46.
var NoValue = []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF}

// PutText appends s in windows-1251, zero-padded (or cut) to n bytes; n <= 0
// appends it unpadded.
func PutText(b []byte, s string, n int) []byte {
	t := fiscal.EncodeCP1251(s)
	if n <= 0 {
		return append(b, t...)
	}
	if len(t) > n {
		t = t[:n]
	}
	b = append(b, t...)
	for i := len(t); i < n; i++ {
		b = append(b, 0)
	}
	return b
}

// Text decodes a windows-1251 field up to its first zero byte.
func Text(b []byte) string {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return fiscal.DecodeCP1251(b)
}

// PutDateTime appends the 5-byte FN DATE_TIME (YY MM DD hh mm).
func PutDateTime(b []byte, t time.Time) []byte {
	return append(b, byte(t.Year()%100), byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute()))
}

// DateTime decodes a 5-byte FN DATE_TIME in loc.
func DateTime(b []byte, loc *time.Location) time.Time {
	return time.Date(2000+int(b[0]), time.Month(b[1]), int(b[2]), int(b[3]), int(b[4]), 0, 0, loc)
}

// PutDate appends the 3-byte date DD MM YY.
func PutDate(b []byte, t time.Time) []byte {
	return append(b, byte(t.Day()), byte(t.Month()), byte(t.Year()%100))
}

// PutTime appends the 3-byte time HH MM SS.
func PutTime(b []byte, t time.Time) []byte {
	return append(b, byte(t.Hour()), byte(t.Minute()), byte(t.Second()))
}

// DateAndTime decodes DD MM YY and HH MM SS.
func DateAndTime(d, t []byte, loc *time.Location) time.Time {
	return time.Date(2000+int(d[2]), time.Month(d[1]), int(d[0]), int(t[0]), int(t[1]), int(t[2]), 0, loc)
}

// TaxBits maps a tax group to the FF46 tax byte: groups 1..6 are a bit
// mask (group 4 "без НДС" = 0x08); the 2025–2026 rates are the codes the
// vendor's JavaPOS driver sends since February 2026 (5 % 0x81, 7 % 0x82,
// 5/105 0x84, 7/107 0x88, 22 % 0xCB, 22/122 0xCC).
func TaxBits(t fiscal.Tax) byte {
	switch {
	case t >= 1 && t <= 6:
		return 1 << (t - 1)
	case t >= fiscal.VAT5 && t <= fiscal.VAT107:
		return 0x80 | 1<<(t-fiscal.VAT5)
	case t == fiscal.VAT22:
		return 0xCB
	case t == fiscal.VAT122:
		return 0xCC
	}
	return 0
}
