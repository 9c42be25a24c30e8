package emulator

import (
	"encoding/binary"
	"time"

	"paydesk/fiscal/shtrih"
)

// v2state is the protocol v2 side of a session (spec §12): the number and
// answer of the last executed packet.
type v2state struct {
	have   bool
	num    uint16
	answer []byte // the whole encoded answer packet
}

// frameV2 reads a v2 packet after its 8Fh (auto-detected on the first byte)
// and answers it: a packet numbered last+1 is executed, any other number (and
// a ping) gets the answer to the last executed packet again, so a host that
// repeats a packet after a timeout never has it executed twice. A damaged
// packet is ignored; v2 has no NAK, the host repeats.
func (s *session) frameV2() error {
	bt := s.e.cfg.ByteTimeout
	raw := []byte{shtrih.STX2}
	var body []byte
	unstuffed := func() (bool, error) {
		b, err := s.readByte(time.Now().Add(bt))
		if err == errTimeout {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		raw = append(raw, b)
		if b == shtrih.Escape {
			c, err := s.readByte(time.Now().Add(bt))
			if err == errTimeout {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			raw = append(raw, c)
			switch c {
			case 0x81:
				b = shtrih.STX2
			case 0x83:
				b = shtrih.Escape
			default:
				return false, nil
			}
		}
		body = append(body, b)
		return true, nil
	}
	for len(body) < 2 {
		if ok, err := unstuffed(); !ok {
			return err
		}
	}
	n := int(binary.LittleEndian.Uint16(body))
	if n > shtrih.MaxPayload+2 {
		return nil // damaged
	}
	want := 2 + n + 2
	if n == 0 {
		want = 4 // ping: LEN16 and CRC16
	}
	for len(body) < want {
		if ok, err := unstuffed(); !ok {
			return err
		}
	}
	if n == 0 {
		if shtrih.CRC16(body[:2]) != binary.LittleEndian.Uint16(body[2:]) {
			return nil
		}
		if s.v2.have {
			return s.write(s.v2.answer)
		}
		f, _ := shtrih.EncodeV2(0, nil)
		return s.write(f)
	}
	num, data, err := shtrih.DecodeV2(raw)
	if err != nil {
		return nil
	}
	if s.v2.have && num != s.v2.num+1 {
		s.e.log.Debug("emulator: v2 packet number not next: repeating the last answer", "num", num, "last", s.v2.num)
		return s.write(s.v2.answer)
	}
	var ans []byte
	if len(data) > 0 {
		ans = s.e.Exec(data)
	}
	f, err := shtrih.EncodeV2(num, ans)
	if err != nil {
		return err
	}
	s.v2 = v2state{have: true, num: num, answer: f}
	return s.write(f)
}
