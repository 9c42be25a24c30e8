package app

import (
	"context"
	"strconv"
	"time"

	"paydesk/fiscal"
	"paydesk/internal/i18n"
)

// infoAge is how long the register's Info is trusted before the pre-pay
// check reads it again: the registration changes only when a service
// engineer re-registers the register, the drive's queue by the minute.
const infoAge = time.Minute

// infoCache is the register's last Info and when it was read.
type infoCache struct {
	info fiscal.Info
	at   time.Time
	ok   bool
}

// RegisterInfo reads the register's FFD version, registration and fiscal
// drive health; fresh reads it from the device even when a read of the
// last minute is at hand (Test connection does).
func (t *Till) RegisterInfo(ctx context.Context, fresh bool) (fiscal.Info, error) {
	if t.d.Register == nil {
		return fiscal.Info{}, errNoRegister
	}
	now := t.d.Clock.Now()
	t.mu.Lock()
	c := t.info
	t.mu.Unlock()
	if !fresh && c.ok && now.Sub(c.at) < infoAge && now.After(c.at) {
		return c.info, nil
	}
	in, err := t.d.Register.Info(ctx)
	if err != nil {
		return fiscal.Info{}, err
	}
	t.mu.Lock()
	t.info = infoCache{info: in, at: now, ok: true}
	t.mu.Unlock()
	if ms := t.Mismatches(in); len(ms) > 0 {
		t.log.Warn("app: the register's registration does not match the configuration", "mismatches", len(ms),
			"inn", in.Registration.INN, "agent", in.Registration.Agent, "tax_systems", in.Registration.TaxSystems)
	}
	return in, nil
}

// Mismatches lists where the register's registration contradicts the
// configuration, each naming both sides: its INN is not the agent's, it is
// not registered for the agent role or the tax system the receipts carry,
// it is registered for automatic mode (no cashier), or the fee's VAT rate
// is one the tax system does not allow (5 % and 7 % are УСН's).
func (t *Till) Mismatches(in fiscal.Info) []i18n.Msg {
	a, r := t.d.Agent, in.Registration
	var out []i18n.Msg
	if !r.Known {
		return nil
	}
	if a.INN != "" && r.INN != "" && r.INN != a.INN {
		out = append(out, i18n.M("app.reg.inn", "device", r.INN, "config", a.INN))
	}
	role := a.Role
	if role == 0 {
		role = fiscal.PaymentSubagent
	}
	if r.Agent&role == 0 {
		out = append(out, i18n.M("app.reg.agent", "device", named("fiscal.agent.", r.Agent.Names()), "config", named("fiscal.agent.", role.Names())))
	}
	if a.TaxSystem != 0 && r.TaxSystems&a.TaxSystem == 0 {
		out = append(out, i18n.M("app.reg.tax", "device", named("fiscal.tax.", r.TaxSystems.Names()), "config", named("fiscal.tax.", a.TaxSystem.Names())))
	}
	if r.Auto {
		out = append(out, i18n.M("app.reg.auto"))
	}
	if (a.FeeTax == fiscal.VAT5 || a.FeeTax == fiscal.VAT7) && a.TaxSystem&(fiscal.USNIncome|fiscal.USNIncomeMinus) == 0 {
		out = append(out, i18n.M("app.reg.fee_tax", "config", named("fiscal.tax.", a.TaxSystem.Names())))
	}
	return out
}

// named turns names into the catalogue's words for them (prefix+name),
// "none" for no name at all.
func named(prefix string, names []string) []i18n.Msg {
	if len(names) == 0 {
		names = []string{"none"}
	}
	out := make([]i18n.Msg, len(names))
	for i, n := range names {
		out[i] = i18n.M(prefix + n)
	}
	return out
}

// lawReady is the part of the pre-pay check that asks the registration and
// the fiscal drive: outside training a registration that contradicts the
// configuration takes no payment, and neither does a drive that cannot
// sign a receipt (expired, blocked by the OFD backlog, failed). A register
// that cannot tell (an older driver's error) is not a cause.
func (t *Till) lawReady(ctx context.Context) i18n.Msg {
	in, err := t.RegisterInfo(ctx, false)
	if err != nil {
		if !t.d.Training && fiscal.Unsupported(err) {
			// A register that cannot say its registration cannot be held
			// to it (nor, as ATOL's driver today, write the agent's data).
			return i18n.M("app.receipt.no_registration")
		}
		return i18n.Msg{}
	}
	if !t.d.Training {
		if ms := t.Mismatches(in); len(ms) > 0 {
			return i18n.M("app.receipt.registration", "what", ms[0])
		}
	}
	now := t.d.Clock.Now()
	switch p := in.Drive.Blocked(now); p {
	case fiscal.DriveExpired:
		return i18n.M("app.receipt.fn_expired", "date", in.Drive.Expires.Format("02.01.2006"))
	case fiscal.DriveOFDFull:
		return i18n.M("app.receipt.fn_ofd_blocked", "count", in.Drive.Unsent, "since", in.Drive.OldestUnsent.Format("02.01.2006"))
	case fiscal.DriveCritical:
		return i18n.M("app.receipt.fn_critical")
	case fiscal.DriveFull:
		return i18n.M("app.receipt.fn_memory_full")
	}
	return i18n.Msg{}
}

// DriveWarnings says, in the till's words, what the fiscal drive warns of:
// days left when 30 or fewer, memory, an OFD that does not answer, and
// documents waiting for it, with how many and since when.
func (t *Till) DriveWarnings(in fiscal.Info) []i18n.Msg {
	now := t.d.Clock.Now()
	d := in.Drive
	var out []i18n.Msg
	if p := d.Blocked(now); p != "" {
		out = append(out, i18n.M("app.fn."+string(p), "date", d.Expires.Format("02.01.2006"),
			"count", d.Unsent, "since", d.OldestUnsent.Format("02.01.2006")))
	}
	for _, p := range d.Warns(now) {
		out = append(out, i18n.M("app.fn."+string(p), "days", strconv.Itoa(max(d.DaysLeft(now), 0)),
			"count", d.Unsent, "since", d.OldestUnsent.Format("02.01.2006 15:04")))
	}
	return out
}
