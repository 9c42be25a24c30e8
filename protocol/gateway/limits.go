package gateway

import (
	"strings"

	"paydesk/internal/i18n"
	"paydesk/money"
)

// Limits is what the balance request (status/get_rest.cgi) says the point
// may spend: REST, the money available with the limits the network grants
// counted in; REST_WO_LIMIT, without them; AP_DAILY_LIMIT, the point's
// daily limit; AP_PAYMENT_LIMIT, its limit on one payment. An empty or
// absent field is a limit not set (the Has flags false).
type Limits struct {
	Rest                money.Amount
	RestWithoutLimit    money.Amount
	HasRestWithoutLimit bool
	Daily               money.Amount
	HasDaily            bool
	PerPayment          money.Amount
	HasPerPayment       bool
}

// LimitsOf reads the limits of a verified answer to the balance request;
// an answer without REST, or with a limit that is not a sum, is refused
// (KindNoAnswer: no trustworthy figure).
func LimitsOf(a *Answer) (Limits, error) {
	if a == nil || !a.HasRest {
		return Limits{}, &Error{Op: "balance", Kind: KindNoAnswer, Text: i18n.M("gateway.limits_bad", "field", "REST")}
	}
	l := Limits{Rest: a.Rest}
	for _, f := range []struct {
		name   string
		v      *money.Amount
		has    *bool
		signed bool
	}{{"REST_WO_LIMIT", &l.RestWithoutLimit, &l.HasRestWithoutLimit, true}, {"AP_DAILY_LIMIT", &l.Daily, &l.HasDaily, false},
		{"AP_PAYMENT_LIMIT", &l.PerPayment, &l.HasPerPayment, false}} {
		v := strings.TrimSpace(a.Fields.Get(f.name))
		if v == "" {
			continue
		}
		var err error
		if f.signed {
			*f.v, err = parseSigned(v)
		} else {
			*f.v, err = money.Parse(v)
		}
		if err != nil {
			return Limits{}, &Error{Op: "balance", Kind: KindNoAnswer, Session: a.Session, Text: i18n.M("gateway.limits_bad", "field", f.name), Err: err}
		}
		*f.has = true
	}
	return l, nil
}
