package fiscal

import "time"

// FFD is a fiscal document format version as the register is set to it
// (Shtrih table 17 field 17, tag 1209 of the registration report).
type FFD int

// FFD versions PayDesk forms receipts for.
const (
	FFD105 FFD = 2 // ФФД 1.05
	FFD11  FFD = 3 // ФФД 1.1 (formed as 1.05)
	FFD12  FFD = 4 // ФФД 1.2
)

// String is the version as people write it: 1.05, 1.2.
func (v FFD) String() string {
	switch v {
	case 1:
		return "1.0"
	case FFD105:
		return "1.05"
	case FFD11:
		return "1.1"
	case FFD12:
		return "1.2"
	}
	return "?"
}

// Registration is the register's last registration (or re-registration)
// as its fiscal drive holds it.
type Registration struct {
	INN        string    // 1018, the user's INN (10 or 12 digits)
	RNM        string    // 1037, registration number of the register
	TaxSystems TaxSystem // 1062, every tax system the register may use
	Agent      AgentSign // 1057, the agent roles the register may act in
	Auto       bool      // automatic mode (1001): no cashier, not for a desk
	FFD        FFD       // 1209, the version registered; 0 when not read
	Time       time.Time // when the registration report was made
	Left       int       // re-registrations left in this fiscal drive
	// Known is false when the register could not tell (a firmware without
	// the commands); nothing above is then to be checked.
	Known bool
}

// FN warning flags (FF01 byte "флаги предупреждения"), as the fiscal
// drive's protocol numbers them.
const (
	WarnReplaceUrgent byte = 0x01 // the drive expires within 3 days
	WarnExpiresSoon   byte = 0x02 // the drive expires within 30 days
	WarnMemory        byte = 0x04 // the drive's memory is 90 % full
	WarnOFDTimeout    byte = 0x08 // the OFD has not answered for too long
	WarnCritical      byte = 0x80 // critical fiscal drive error
)

// OFDLimit is how long a document may wait for the OFD: a fiscal drive
// whose oldest unsent document is this old makes no more documents.
const OFDLimit = 30 * 24 * time.Hour

// Drive is the fiscal drive's health.
type Drive struct {
	Expires  time.Time // the last day the drive signs documents; zero if unknown
	Warnings byte      // FN warning flags
	// Unsent is how many documents wait for the OFD's receipt, and
	// FirstUnsent and OldestUnsent the number and time of the first.
	Unsent       int
	FirstUnsent  uint32
	OldestUnsent time.Time
	// DocsLeft is about how many more documents the drive's archive holds
	// (FF63h); DocsKnown is false when the register cannot tell.
	DocsLeft  int
	DocsKnown bool
}

// DaysLeft is the number of whole days from now until the drive expires,
// negative once it has; -1<<31 when the expiry is unknown.
func (d Drive) DaysLeft(now time.Time) int {
	if d.Expires.IsZero() {
		return -1 << 31
	}
	y, m, dd := now.Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	y, m, dd = d.Expires.Date()
	last := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	return int(last.Sub(today).Hours() / 24)
}

// Problem is why a fiscal drive cannot make a document, or what it warns of.
type Problem string

// Problems of a fiscal drive, the ones that stop receipts first.
const (
	DriveExpired   Problem = "expired"     // past its expiry date
	DriveOFDFull   Problem = "ofd_blocked" // a document has waited for the OFD for 30 days
	DriveFull      Problem = "memory_full" // the archive holds no more documents
	DriveMemory    Problem = "memory"      // memory 90 % full (the drive says so)
	DriveCritical  Problem = "critical"    // the drive reports a critical error
	DriveUrgent    Problem = "urgent"      // expires within 3 days
	DriveSoon      Problem = "soon"        // expires within 30 days
	DriveOFDLate   Problem = "ofd_late"    // documents are waiting for the OFD
	DriveOFDSilent Problem = "ofd_timeout" // the OFD has not answered for too long
)

// Blocked reports why the drive can make no receipt now, "" when it can.
// The drive itself refuses in these cases; asking first keeps the money
// from going to the network when no receipt can follow.
func (d Drive) Blocked(now time.Time) Problem {
	switch {
	case !d.Expires.IsZero() && d.DaysLeft(now) < 0:
		return DriveExpired
	case d.Unsent > 0 && !d.OldestUnsent.IsZero() && now.Sub(d.OldestUnsent) >= OFDLimit:
		return DriveOFDFull
	case d.Warnings&WarnCritical != 0:
		return DriveCritical
	case d.DocsKnown && d.DocsLeft <= 0:
		return DriveFull
	}
	return ""
}

// Warns lists what a manager should act on soon, most urgent first.
func (d Drive) Warns(now time.Time) []Problem {
	var out []Problem
	days := d.DaysLeft(now)
	switch {
	case d.Warnings&WarnReplaceUrgent != 0 || !d.Expires.IsZero() && days >= 0 && days <= 3:
		out = append(out, DriveUrgent)
	case d.Warnings&WarnExpiresSoon != 0 || !d.Expires.IsZero() && days >= 0 && days <= 30:
		out = append(out, DriveSoon)
	}
	if d.Warnings&WarnMemory != 0 {
		out = append(out, DriveMemory)
	}
	if d.Warnings&WarnOFDTimeout != 0 {
		out = append(out, DriveOFDSilent)
	}
	if d.Unsent > 0 && !d.OldestUnsent.IsZero() && now.Sub(d.OldestUnsent) >= 24*time.Hour {
		out = append(out, DriveOFDLate)
	}
	return out
}

// Info is what the till checks about a register before it sells.
type Info struct {
	FFD          FFD // the version the register forms documents in
	Registration Registration
	Drive        Drive
}
