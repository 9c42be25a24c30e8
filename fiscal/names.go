package fiscal

import "strings"

// taxSystemNames name the tax systems (1055/1062 bits) as configuration
// and paydeskctl write them, in the order they are listed.
var taxSystemNames = []struct {
	name    string
	bit     TaxSystem
	printed string // as receipts print it
}{
	{"osn", OSN, "ОСН"}, {"usn", USNIncome, "УСН доход"}, {"usn-minus", USNIncomeMinus, "УСН доход - расход"},
	{"eshn", ESHN, "ЕСХН"}, {"psn", PSN, "ПСН"},
}

// TaxSystemNames lists the tax system names: osn, usn, usn-minus, eshn, psn.
func TaxSystemNames() []string {
	out := make([]string, len(taxSystemNames))
	for i, t := range taxSystemNames {
		out[i] = t.name
	}
	return out
}

// TaxSystemNamed returns the tax system called name, false when none is.
func TaxSystemNamed(name string) (TaxSystem, bool) {
	for _, t := range taxSystemNames {
		if t.name == name {
			return t.bit, true
		}
	}
	return 0, false
}

// Names lists the names of the bits set (osn, usn), none when none is.
func (s TaxSystem) Names() []string {
	var out []string
	for _, t := range taxSystemNames {
		if s&t.bit != 0 {
			out = append(out, t.name)
		}
	}
	return out
}

// String names the bits set, joined by "+" (osn+usn); "none" when none is.
func (s TaxSystem) String() string { return joinNames(s.Names()) }

// Printed names the bits set as receipts print them (УСН доход), joined
// by commas; "" when none is.
func (s TaxSystem) Printed() string {
	var out []string
	for _, t := range taxSystemNames {
		if s&t.bit != 0 {
			out = append(out, t.printed)
		}
	}
	return strings.Join(out, ", ")
}

// agentNames name the agent sign's bits (1057), lowest first.
var agentNames = []string{"bank-agent", "bank-subagent", "agent", "subagent", "attorney", "commissioner", "other"}

// Names lists the agent roles set: agent (ПЛ. АГЕНТ), subagent (ПЛ.
// СУБАГЕНТ), other bits as bank-agent, bank-subagent, attorney,
// commissioner, other; none when the sign is empty.
func (a AgentSign) Names() []string {
	var out []string
	for i, n := range agentNames {
		if a&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String names the agent roles set, joined by "+"; "none" when the sign
// is empty.
func (a AgentSign) String() string { return joinNames(a.Names()) }

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// feeTaxes are the VAT rates in force (2026) a point's own fee may carry,
// and none for an agent who pays no VAT; configuration names them.
var feeTaxes = []struct {
	name string
	tax  Tax
}{
	{"none", NoVAT}, {"vat22", VAT22}, {"vat10", VAT10}, {"vat7", VAT7}, {"vat5", VAT5}, {"vat0", VAT0},
}

// FeeTaxNames lists the names agent.fee_tax takes: none, vat22, vat10,
// vat7, vat5, vat0.
func FeeTaxNames() []string {
	out := make([]string, len(feeTaxes))
	for i, t := range feeTaxes {
		out[i] = t.name
	}
	return out
}

// FeeTaxNamed returns the tax group called name, false when none is.
func FeeTaxNamed(name string) (Tax, bool) {
	for _, t := range feeTaxes {
		if t.name == name {
			return t.tax, true
		}
	}
	return 0, false
}
