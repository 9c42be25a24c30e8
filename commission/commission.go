// Package commission holds commission schedules: the point's fee and the
// partner's commission, each a list of rules by provider (or group, or
// all), weekday, time of day and amount band, percent or fixed, with a
// minimum and a maximum; the first rule that matches a payment wins.
// Money is money.Amount (kopecks), rates money.Rate (basis points): there
// is no float.
package commission

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"paydesk/money"
)

// Rule is one line of a schedule.
type Rule struct {
	Name     string // names the rule in reports; "fee 3" when the file gives none
	Provider string // a provider's code; "" for any
	Group    string // a provider group; "" for any
	// Days are the weekdays the rule holds on; empty for every day.
	Days []time.Weekday
	// From and To bound the time of day in minutes since midnight, From
	// included, To not; To below From runs over midnight; both 0 for the
	// whole day.
	From, To int
	// Above and Below bound the amount, both included; Below 0 for no
	// upper bound.
	Above, Below money.Amount
	// Percent, or Fixed when Percent is 0 and Fixed is set.
	Percent money.Rate
	Fixed   money.Amount
	// Min and Max bound what the rule charges (0: no bound).
	Min, Max money.Amount
}

// Schedule is an ordered list of rules.
type Schedule struct {
	Rules []Rule
}

// Matches says whether the rule holds for a payment to provider (of
// group) at at (read in its own location) of amount.
func (r *Rule) Matches(provider, group string, at time.Time, amount money.Amount) bool {
	if r.Provider != "" && r.Provider != provider || r.Group != "" && r.Group != group {
		return false
	}
	if len(r.Days) > 0 && !slices.Contains(r.Days, at.Weekday()) {
		return false
	}
	if r.From != 0 || r.To != 0 {
		m := at.Hour()*60 + at.Minute()
		if r.From <= r.To {
			if m < r.From || m >= r.To {
				return false
			}
		} else if m < r.From && m >= r.To {
			return false
		}
	}
	return amount >= r.Above && (r.Below == 0 || amount <= r.Below)
}

// Of returns what the rule charges on amount: the percent (rounded half up
// to the kopeck) or the fixed sum, held within Min and Max.
func (r *Rule) Of(amount money.Amount) money.Amount {
	c := r.Fixed
	if r.Percent != 0 {
		c = r.Percent.Of(amount)
	}
	if r.Min > 0 && c < r.Min {
		c = r.Min
	}
	if r.Max > 0 && c > r.Max {
		c = r.Max
	}
	return c
}

// Find returns the first rule that matches, or nil.
func (s *Schedule) Find(provider, group string, at time.Time, amount money.Amount) *Rule {
	if s == nil {
		return nil
	}
	for i := range s.Rules {
		if s.Rules[i].Matches(provider, group, at, amount) {
			return &s.Rules[i]
		}
	}
	return nil
}

// String describes the rule in one line.
func (r *Rule) String() string {
	var b strings.Builder
	b.WriteString(r.Name + ":")
	if r.Provider != "" {
		b.WriteString(" provider " + r.Provider)
	}
	if r.Group != "" {
		b.WriteString(" group " + r.Group)
	}
	if r.Provider == "" && r.Group == "" {
		b.WriteString(" every provider")
	}
	if len(r.Days) > 0 {
		var d []string
		for _, w := range r.Days {
			d = append(d, w.String()[:3])
		}
		b.WriteString(", " + strings.Join(d, ","))
	}
	if r.From != 0 || r.To != 0 {
		fmt.Fprintf(&b, ", %s-%s", hhmm(r.From), hhmm(r.To))
	}
	if r.Above != 0 || r.Below != 0 {
		fmt.Fprintf(&b, ", amount %s", r.Above)
		if r.Below != 0 {
			fmt.Fprintf(&b, "-%s", r.Below)
		} else {
			b.WriteString(" and above")
		}
	}
	if r.Percent != 0 {
		fmt.Fprintf(&b, ": %s", r.Percent)
	} else {
		fmt.Fprintf(&b, ": %s fixed", r.Fixed)
	}
	if r.Min != 0 {
		fmt.Fprintf(&b, ", min %s", r.Min)
	}
	if r.Max != 0 {
		fmt.Fprintf(&b, ", max %s", r.Max)
	}
	return b.String()
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// RuleFile is a rule in the schedule file's form (YAML).
type RuleFile struct {
	Name     string `yaml:"name,omitempty"`
	Provider string `yaml:"provider,omitempty"`
	Group    string `yaml:"group,omitempty"`
	// Days are ISO weekdays: 1 Monday … 7 Sunday, as the kiosk's
	// commissions.xml numbers them.
	Days    []int  `yaml:"days,omitempty,flow"`
	From    string `yaml:"from,omitempty"` // "09:00"
	To      string `yaml:"to,omitempty"`   // "18:00"; "24:00" for the end of the day
	Above   string `yaml:"above,omitempty"`
	Below   string `yaml:"below,omitempty"`
	Percent string `yaml:"percent,omitempty"` // "1.5%"
	Fixed   string `yaml:"fixed,omitempty"`   // "10.00"
	Min     string `yaml:"min,omitempty"`
	Max     string `yaml:"max,omitempty"`
}

// File is a schedule file: the point's fee and the partner's commission.
type File struct {
	Fee        []RuleFile `yaml:"fee,omitempty"`
	Commission []RuleFile `yaml:"commission,omitempty"`
}

// Schedules are a file's two schedules.
type Schedules struct {
	Fee, Commission *Schedule
}

// Parse reads a schedule file and checks every rule.
func Parse(b []byte) (*Schedules, error) {
	var f File
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("commission schedule: %w", err)
	}
	return f.Schedules()
}

// Schedules checks the file's rules and returns its schedules.
func (f *File) Schedules() (*Schedules, error) {
	fee, err := schedule("fee", f.Fee)
	if err != nil {
		return nil, err
	}
	com, err := schedule("commission", f.Commission)
	if err != nil {
		return nil, err
	}
	return &Schedules{Fee: fee, Commission: com}, nil
}

// Marshal writes the file.
func (f *File) Marshal() ([]byte, error) { return yaml.Marshal(f) }

func schedule(kind string, rules []RuleFile) (*Schedule, error) {
	s := &Schedule{}
	for i, y := range rules {
		r, err := y.rule()
		if err != nil {
			return nil, fmt.Errorf("commission schedule: %s rule %d: %w", kind, i+1, err)
		}
		if r.Name == "" {
			r.Name = fmt.Sprintf("%s %d", kind, i+1)
		}
		s.Rules = append(s.Rules, *r)
	}
	return s, nil
}

func (y RuleFile) rule() (*Rule, error) {
	r := &Rule{Name: y.Name, Provider: y.Provider, Group: y.Group}
	for _, d := range y.Days {
		if d < 1 || d > 7 {
			return nil, fmt.Errorf("day %d is not 1 (Monday) to 7 (Sunday)", d)
		}
		r.Days = append(r.Days, time.Weekday(d%7))
	}
	var err error
	if y.From != "" || y.To != "" {
		if r.From, err = clockMinutes(y.From); err != nil {
			return nil, fmt.Errorf("from: %w", err)
		}
		if r.To, err = clockMinutes(y.To); err != nil {
			return nil, fmt.Errorf("to: %w", err)
		}
		if r.To == 24*60 {
			r.To = 0
			if r.From == 0 {
				r.From, r.To = 0, 0
			}
		}
		if r.From == r.To && r.From != 0 {
			return nil, fmt.Errorf("from %s and to %s make an empty window", y.From, y.To)
		}
	}
	amt := func(s string, out *money.Amount, name string) {
		if s == "" || err != nil {
			return
		}
		if *out, err = money.Parse(s); err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		}
	}
	amt(y.Above, &r.Above, "above")
	amt(y.Below, &r.Below, "below")
	amt(y.Fixed, &r.Fixed, "fixed")
	amt(y.Min, &r.Min, "min")
	amt(y.Max, &r.Max, "max")
	if err != nil {
		return nil, err
	}
	switch {
	case y.Percent != "" && y.Fixed != "":
		return nil, errors.New("give percent or fixed, not both")
	case y.Percent != "":
		if r.Percent, err = money.ParseRate(y.Percent); err != nil {
			return nil, err
		}
	case y.Fixed == "":
		return nil, errors.New("give percent or fixed")
	}
	if r.Below != 0 && r.Below < r.Above {
		return nil, fmt.Errorf("below %s is under above %s", r.Below, r.Above)
	}
	if r.Max != 0 && r.Max < r.Min {
		return nil, fmt.Errorf("max %s is under min %s", r.Max, r.Min)
	}
	return r, nil
}

// clockMinutes reads "HH:MM" or "HH:MM:SS" (seconds must be 0; "24:00" is
// the end of the day) as minutes since midnight.
func clockMinutes(s string) (int, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || len(p) != 2 {
			return 0, fmt.Errorf("%q is not HH:MM", s)
		}
		n[i] = v
	}
	h, m, sec := n[0], n[1], n[2]
	if m > 59 || sec != 0 || h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time of day in whole minutes", s)
	}
	return h*60 + m, nil
}
