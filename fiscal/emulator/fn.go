package emulator

import (
	"time"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

// The fiscal drive's registration, its age and its OFD queue.
//
// The registration report (document 1) holds the tags regTags makes from
// the state: FF09 and FF0E answer from them. The drive refuses fiscal
// documents (shift reports, receipt lines and closes) as a real one does:
// 12h once it has expired or its archive is full, 03h with a critical
// error, 14h when the oldest document the OFD has not confirmed is
// ofdLimit old.

// Fiscal drive answer codes.
const (
	codeFNFailure   fiscal.Code = 0x03 // Отказ ФН
	codeBadValue    fiscal.Code = 0x09 // Некорректное значение параметров команды
	codeFNExhausted fiscal.Code = 0x12 // Исчерпан ресурс ФН
	codeOFDResource fiscal.Code = 0x14 // Ограничение ресурса ФН (documents for the OFD)
)

const (
	// ofdLimit is how old the oldest unconfirmed document may grow before
	// the drive makes no more (the FN's 30 days).
	ofdLimit = 30 * 24 * time.Hour
	// ofdTimeout is how old it may grow before the drive warns that the
	// OFD does not answer (FF01 warning bit 3). The FN protocol leaves the
	// time to the drive; the emulator takes 5 days.
	ofdTimeout = 5 * 24 * time.Hour
)

// FN warning bits of FF01.
const (
	warnUrgent   = 0x01 // ≤ 3 days to expiry
	warnSoon     = 0x02 // ≤ 30 days
	warnMemory   = 0x04 // memory 90 % full
	warnOFD      = 0x08 // the OFD has not answered for ofdTimeout
	warnCritical = 0x80
)

// fnDaysLeft is the number of days from the device's today to the drive's
// last day, negative once it has expired.
func (e *Emulator) fnDaysLeft() int {
	y, m, d := e.now().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = e.st.FNExpires.Date()
	last := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int(last.Sub(today).Hours() / 24)
}

// unsent is the number of documents the OFD has not confirmed.
func (e *Emulator) unsent() int {
	if e.st.LastFD <= e.st.SentFD {
		return 0
	}
	return int(e.st.LastFD - e.st.SentFD)
}

// ofdAge is how long the first unconfirmed document has waited, 0 when none.
func (e *Emulator) ofdAge() time.Duration {
	if e.unsent() == 0 {
		return 0
	}
	return e.now().Sub(e.st.OFDSince)
}

// warnings is the FF01 warning flags byte.
func (e *Emulator) warnings() byte {
	var w byte
	switch days := e.fnDaysLeft(); {
	case days <= 3:
		w |= warnUrgent | warnSoon
	case days <= 30:
		w |= warnSoon
	}
	if e.st.FNMemory90 || e.st.FNMemoryFull {
		w |= warnMemory
	}
	if e.ofdAge() >= ofdTimeout {
		w |= warnOFD
	}
	if e.st.FNCritical {
		w |= warnCritical
	}
	return w
}

// fnCheck is the fiscal drive's precondition of a new fiscal document.
func (e *Emulator) fnCheck() fiscal.Code {
	switch {
	case e.fnDaysLeft() < 0, e.st.FNMemoryFull:
		return codeFNExhausted
	case e.st.FNCritical:
		return codeFNFailure
	case e.ofdAge() >= ofdLimit:
		return codeOFDResource
	}
	return 0
}

// docMade is the OFD's side of a new document: confirmed at once, or
// queued (the queue's age starts with its first document).
func (e *Emulator) docMade(d Doc) {
	switch {
	case !e.st.OFDOffline:
		e.st.SentFD = d.FD
	case e.unsent() == 1:
		e.st.OFDSince = d.Time
	}
}

// ffd12 reports whether the register forms FFD 1.2 documents.
func (e *Emulator) ffd12() bool { return e.st.FFD >= byte(fiscal.FFD12) }

// regCheck refuses (09h) a receipt whose tax system the registration does
// not hold, or that carries agent data (1057 of the receipt, 1222 of a
// line) for roles the registration lacks. Tax system 0 leaves the choice to
// the register and is taken.
func (e *Emulator) regCheck(r *Receipt, taxSystem byte) fiscal.Code {
	if taxSystem != 0 && fiscal.TaxSystem(taxSystem)&e.st.Reg.TaxSystems == 0 {
		return codeBadValue
	}
	foreign := func(tags []fiscal.Tag, num uint16) bool {
		t, ok := fiscal.Find(tags, num)
		return ok && len(t.Value) > 0 && fiscal.AgentSign(t.Value[0])&^e.st.Reg.Agent != 0
	}
	if foreign(r.Tags, 1057) {
		return codeBadValue
	}
	for _, l := range r.Lines {
		if foreign(l.Tags, 1222) {
			return codeBadValue
		}
	}
	return 0
}

// ffdCheck is FFD 1.2's demand of every line: the measure of quantity
// (2108). FFD 1.05 has no such demand.
func (e *Emulator) ffdCheck(r *Receipt) fiscal.Code {
	if !e.ffd12() {
		return 0
	}
	for _, l := range r.Lines {
		if _, ok := fiscal.Find(l.Tags, 2108); !ok {
			return fiscal.CodeTagsMissing
		}
	}
	return 0
}

// workMode is the work mode byte of the registration (FF06, FF09): bit 2
// automatic.
func (e *Emulator) workMode() byte {
	if e.st.Reg.Auto {
		return 0x04
	}
	return 0
}

// regTags are the tags of the registration report.
func (e *Emulator) regTags() []fiscal.Tag {
	var auto byte
	if e.st.Reg.Auto {
		auto = 1
	}
	tags := []fiscal.Tag{
		fiscal.String(1048, e.st.UserName),
		fiscal.FixedString(1018, e.st.INN, 12),
		fiscal.FixedString(1037, e.st.RNM, 20),
		fiscal.String(1041, e.st.FN),
		fiscal.String(1009, e.st.Address),
		fiscal.String(1187, e.st.Place),
		fiscal.Byte(1062, byte(e.st.Reg.TaxSystems)),
		fiscal.Byte(1209, e.st.FFD),
		fiscal.Byte(1001, auto),
	}
	if e.st.Reg.Agent != 0 {
		tags = append(tags, fiscal.Byte(1057, byte(e.st.Reg.Agent)))
	}
	return tags
}

// fnExpiry is FF03: the last day YYMMDD, registrations left and done.
func (e *Emulator) fnExpiry() answer {
	t := e.st.FNExpires
	return ok(byte(t.Year()%100), byte(t.Month()), byte(t.Day()), byte(e.st.Reg.Left), byte(e.st.Reg.Done))
}

// registration is FF09 in the FFD 1.05 layout: DATE_TIME, INN (12 ASCII),
// RNM (20 ASCII), tax systems, work mode, FD, FP.
func (e *Emulator) registration() answer {
	r := e.st.Reg
	b := shtrih.PutDateTime(nil, r.Time)
	b = append(b, fiscal.FixedString(0, e.st.INN, 12).Value...)
	b = append(b, fiscal.FixedString(0, e.st.RNM, 20).Value...)
	b = append(b, byte(r.TaxSystems), e.workMode())
	return ok(cat(b, u32(r.FD), u32(r.FP))...)
}

// regTag is FF0E: one tag of registration report n (1..done) as a TLV;
// 08h for a report or a tag there is not.
func (e *Emulator) regTag(args []byte) answer {
	if len(args) < 3 {
		return fail(fiscal.CodeBadLength)
	}
	if n := int(args[0]); n < 1 || n > e.st.Reg.Done {
		return fail(codeNoData)
	}
	t, found := fiscal.Find(e.regTags(), uint16(shtrih.Uint(args[1:3])))
	if !found {
		return fail(codeNoData)
	}
	return ok(t.Encode()...)
}

// ofdStatus is FF39: status bits (0 connected, 1 a message to send),
// read state, queue size, the first unsent FD and its DATE_TIME (zeros
// when the queue is empty).
func (e *Emulator) ofdStatus() answer {
	var status byte
	if !e.st.OFDOffline {
		status |= 0x01
	}
	n := e.unsent()
	first, when := uint32(0), make([]byte, 5)
	if n > 0 {
		status |= 0x02
		first, when = e.st.SentFD+1, shtrih.PutDateTime(nil, e.st.OFDSince)
	}
	return ok(cat([]byte{status, 0}, u16(n), u32(first), when)...)
}

// fnDocCapacity is how many documents the emulated archive holds.
const fnDocCapacity = 250_000

// resource is FF63: about how many documents the archive may still hold
// (none when full, 2 000 at 90 %), the free kilobytes of the 30-day area,
// and no marked-goods byte (the drive is not registered for them).
func (e *Emulator) resource() answer {
	left := fnDocCapacity - int(e.st.LastFD)
	switch {
	case e.st.FNMemoryFull:
		left = 0
	case e.st.FNMemory90:
		left = fnDocCapacity / 10
	}
	return ok(cat(u32(uint32(max(left, 0))), u32(512))...)
}

// ofdUnsent is FF3F: the number of documents the OFD has not confirmed.
func (e *Emulator) ofdUnsent() answer { return ok(u16(e.unsent())...) }
