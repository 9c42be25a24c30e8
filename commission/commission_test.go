package commission

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/clock"
	"paydesk/money"
)

var msk = time.FixedZone("MSK", 3*3600)

// at is a time in Moscow on the week of Monday 2 March 2026.
func at(day int, hh, mm int) time.Time { return time.Date(2026, 3, 1+day, hh, mm, 0, 0, msk) }

const scheduleYAML = `
fee:
  - {name: night, days: [1, 2, 3, 4, 5], from: "22:00", to: "06:00", percent: "2%", min: "10.00"}
  - {name: mts small, provider: mts, below: "99.99", fixed: "5.00"}
  - {name: mts, provider: mts, above: "100.00", percent: "1.5%", max: "40.00"}
  - {name: utilities, group: utilities, from: "09:00", to: "24:00", fixed: "25.00"}
  - {name: rest, percent: "1%"}
commission:
  - {name: weekend, days: [6, 7], percent: "4%"}
`

func TestFind(t *testing.T) {
	s, err := Parse([]byte(scheduleYAML))
	require.NoError(t, err)
	for _, c := range []struct {
		name            string
		provider, group string
		at              time.Time
		amount          money.Amount
		rule            string
		fee             money.Amount
	}{
		{"Monday noon, small MTS", "mts", "mobile", at(1, 12, 0), 50_00, "mts small", 5_00},
		{"band edge: 99.99 is small", "mts", "mobile", at(1, 12, 0), 99_99, "mts small", 5_00},
		{"100.00 is the upper band", "mts", "mobile", at(1, 12, 0), 100_00, "mts", 1_50},
		{"percent held at max", "mts", "mobile", at(1, 12, 0), 5000_00, "mts", 40_00},
		{"percent rounded half up", "mts", "mobile", at(1, 12, 0), 100_33, "mts", 1_50},
		{"1.5% of 101.00 is 1.515: 1.52", "mts", "mobile", at(1, 12, 0), 101_00, "mts", 1_52},
		{"Friday 23:00: night before provider", "mts", "mobile", at(5, 23, 0), 100_00, "night", 10_00},
		{"Tuesday 05:59 still night", "beeline", "mobile", at(2, 5, 59), 1000_00, "night", 20_00},
		{"Tuesday 06:00 night is over", "beeline", "mobile", at(2, 6, 0), 1000_00, "rest", 10_00},
		{"Saturday 23:00 is no weeknight", "beeline", "mobile", at(6, 23, 0), 1000_00, "rest", 10_00},
		{"Saturday 01:00 (Friday's night runs over midnight, days are the clock's)", "beeline", "mobile", at(6, 1, 0), 1000_00, "rest", 10_00},
		{"group at 09:00", "vodokanal", "utilities", at(3, 9, 0), 500_00, "utilities", 25_00},
		{"group to midnight", "vodokanal", "utilities", at(7, 23, 59), 500_00, "utilities", 25_00},
		{"group before 09:00", "vodokanal", "utilities", at(7, 8, 59), 500_00, "rest", 5_00},
	} {
		r := s.Fee.Find(c.provider, c.group, c.at, c.amount)
		require.NotNil(t, r, c.name)
		assert.Equal(t, c.rule, r.Name, c.name)
		assert.Equal(t, c.fee, r.Of(c.amount), c.name)
	}
	assert.Nil(t, s.Commission.Find("mts", "mobile", at(1, 12, 0), 100_00), "no weekday commission rule")
	r := s.Commission.Find("mts", "mobile", at(7, 12, 0), 100_00)
	require.NotNil(t, r)
	assert.Equal(t, money.Amount(4_00), r.Of(100_00))
	assert.Equal(t, "night: every provider, Mon,Tue,Wed,Thu,Fri, 22:00-06:00: 2%, min 10.00", s.Fee.Rules[0].String())
}

// TestFindOnTheClock: the rule follows the injected clock across the
// night window's edges.
func TestFindOnTheClock(t *testing.T) {
	s, err := Parse([]byte(scheduleYAML))
	require.NoError(t, err)
	clk := clock.NewFake(at(1, 21, 59))
	var got []string
	for range 3 {
		got = append(got, s.Fee.Find("beeline", "mobile", clk.Now().In(msk), 100_00).Name)
		clk.Advance(time.Minute)
	}
	clk.Advance(8*time.Hour - 3*time.Minute) // Tuesday 05:59
	got = append(got, s.Fee.Find("beeline", "mobile", clk.Now().In(msk), 100_00).Name)
	clk.Advance(time.Minute)
	got = append(got, s.Fee.Find("beeline", "mobile", clk.Now().In(msk), 100_00).Name)
	assert.Equal(t, []string{"rest", "night", "night", "night", "rest"}, got)
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{`{percent: "1%", fixed: "1.00"}`, "not both"},
		{`{}`, "give percent or fixed"},
		{`{percent: "1.005%"}`, "rate"},
		{`{percent: "-1%"}`, "rate"},
		{`{fixed: "1.5.0"}`, "fixed"},
		{`{days: [0], fixed: "1"}`, "day 0"},
		{`{days: [8], fixed: "1"}`, "day 8"},
		{`{from: "25:00", to: "26:00", fixed: "1"}`, "from"},
		{`{from: "09:00", to: "9:30", fixed: "1"}`, "to"},
		{`{from: "09:00", to: "09:00", fixed: "1"}`, "empty window"},
		{`{from: "09:00:30", to: "10:00", fixed: "1"}`, "whole minutes"},
		{`{above: "100", below: "50", fixed: "1"}`, "under above"},
		{`{min: "10", max: "5", percent: "1%"}`, "under min"},
	} {
		_, err := Parse([]byte("fee:\n  - " + c.rule + "\n"))
		require.Error(t, err, c.rule)
		assert.Contains(t, err.Error(), c.want, c.rule)
	}
	_, err := Parse([]byte("fee: {"))
	assert.Error(t, err)
}

func TestImportXML(t *testing.T) {
	b, err := os.ReadFile("testdata/commissions.xml")
	require.NoError(t, err)
	rules, err := ImportXML(b)
	require.NoError(t, err)
	require.Len(t, rules, 4)
	assert.Equal(t, RuleFile{Name: "commissions.xml 1", Provider: "901", Days: []int{1}, Above: "0", Below: "1000", Fixed: "30"}, rules[0])
	assert.Equal(t, RuleFile{Name: "commissions.xml 2", Provider: "901", Percent: "0.5%", Max: "50"}, rules[1])
	assert.Equal(t, RuleFile{Name: "commissions.xml 3", From: "22:00:00", To: "06:00:00", Percent: "2%", Min: "10"}, rules[2])
	f := File{Fee: rules}
	s, err := f.Schedules()
	require.NoError(t, err)
	for _, c := range []struct {
		provider string
		at       time.Time
		amount   money.Amount
		rule     string
		fee      money.Amount
	}{
		{"901", at(1, 12, 0), 500_00, "commissions.xml 1", 30_00},   // weekday 1 is Monday
		{"901", at(2, 12, 0), 500_00, "commissions.xml 2", 2_50},    // Tuesday
		{"901", at(1, 12, 0), 20000_00, "commissions.xml 2", 50_00}, // above the band, held at max
		{"901", at(1, 23, 0), 500_00, "commissions.xml 1", 30_00},   // the operator's rules first
		{"902", at(1, 23, 0), 100_00, "commissions.xml 3", 10_00},   // every operator, night, min
		{"902", at(1, 12, 0), 100_00, "commissions.xml 4", 1_00},    // every operator
	} {
		r := s.Fee.Find(c.provider, "", c.at, c.amount)
		require.NotNil(t, r)
		assert.Equal(t, c.rule, r.Name, "%s %v", c.provider, c.at)
		assert.Equal(t, c.fee, r.Of(c.amount), "%s %v", c.provider, c.at)
	}
	out, err := f.Marshal()
	require.NoError(t, err)
	back, err := Parse(out)
	require.NoError(t, err, "%s", out)
	assert.Equal(t, s, back)

	for _, c := range []struct{ xml, want string }{
		{`<fees/>`, "not <commissions>"},
		{`<commissions><week/></commissions>`, "not in the schema"},
		{`<commissions><commission amount="1" colour="red"/></commissions>`, "not in the schema"},
		{`<commissions><commission/></commissions>`, "required"},
		{`<commissions><day><commission amount="1"/></day></commissions>`, "required"},
		{`<commissions><day id="0"><commission amount="1"/></day></commissions>`, "1 (Monday)"},
		{`<commissions><commission amount="1"/><day id="1"/></commissions>`, "order"},
		{`<commissions><commission amount="1" type="share"/></commissions>`, "absolute or percent"},
		{`<commissions><commission amount="1.234" type="percent"/></commissions>`, "rate"},
		{`<commissions><time begin="25:00:00" end="26:00:00"><commission amount="1"/></time></commissions>`, "from"},
		{`<commissions>`, "EOF"},
	} {
		_, err := ImportXML([]byte(c.xml))
		require.Error(t, err, c.xml)
		assert.Contains(t, err.Error(), c.want, c.xml)
	}
}
