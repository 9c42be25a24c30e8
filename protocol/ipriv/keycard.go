package ipriv

import (
	"bytes"
	"fmt"
	"strconv"
)

// KeyCard is the small text file CyberPlat issues with a dealer's key
// identifiers, used to feed the userid and serial into key generation.
type KeyCard struct {
	UserID string
	Serial uint32
}

// Marshal writes the card: three CRLF-ended lines and "=" with the radix-64
// CRC24 of everything before it.
func (c KeyCard) Marshal() []byte {
	text := fmt.Appendf(nil, "Version: 01\r\nUser ID: %s\r\nUser Key: %d\r\n", c.UserID, c.Serial)
	return append(text, crcText(CRC24(text))...)
}

// ParseKeyCard reads a key card and checks its CRC24.
func ParseKeyCard(b []byte) (KeyCard, error) {
	const op = "read key card"
	i := bytes.LastIndex(b, []byte("\n="))
	if i < 0 {
		return KeyCard{}, errorf(op, ErrKeyCard, "CRC line missing")
	}
	text := b[:i+1]
	crc := bytes.TrimRight(b[i+1:], " \t\r\n")
	if !bytes.Equal(crc, crcText(CRC24(text))) {
		return KeyCard{}, errorf(op, ErrKeyCard, "CRC24 mismatch")
	}
	var c KeyCard
	var haveID, haveKey bool
	for _, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		name, value, ok := bytes.Cut(line, []byte(": "))
		if !ok {
			continue
		}
		switch string(name) {
		case "User ID":
			c.UserID, haveID = string(value), true
		case "User Key":
			n, err := strconv.ParseUint(string(value), 10, 32)
			if err != nil {
				return KeyCard{}, errorf(op, ErrKeyCard, "user key %q is not a number", value)
			}
			c.Serial, haveKey = uint32(n), true
		}
	}
	if !haveID || !haveKey {
		return KeyCard{}, errorf(op, ErrKeyCard, "user id or user key missing")
	}
	return c, nil
}
