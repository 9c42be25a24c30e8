package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/i18n"
	"paydesk/money"
)

var t0 = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

// sample is a batch with one event of each type, events from..from+3.
func sample(from int64) *Batch {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	return &Batch{
		Version: Version, Point: "P-17033", From: from, To: from + 3, Sent: at(10),
		Events: []Event{
			{Seq: from, Type: TypePayment, At: at(1), Payment: &Payment{
				Session: "20261204093000-0001", Provider: "mts", Number: Mask("9161234567"),
				Amount: 50000, Fee: 1000, Commission: 1500, Cashier: "kassir", Shift: 3,
				State: Paid, Closed: ByNetwork, Accepted: at(0), Final: at(1)}},
			{Seq: from + 1, Type: TypeCash, At: at(2), Cash: &Cash{Op: CashOut, Amount: 20000, Cashier: "manager", Shift: 3}},
			{Seq: from + 2, Type: TypeShift, At: at(3), Shift: &Shift{ID: 3, Device: 41, Opened: at(-300), Closed: at(3),
				OpenedBy: "kassir", ClosedBy: "manager", Payments: 1, Amount: 50000, Fee: 1000, Commission: 1500,
				CashOut: 20000, OpeningFloat: 100000, Expected: 131000, Counted: 131000}},
			{Seq: from + 3, Type: TypeHealth, At: at(4), Health: &Health{LastSync: at(1), Register: "ok", Drive: "ok",
				Warnings: []string{"fn_near_full"}, Pending: 1, Disputed: 0, RefundsDue: 2, Balance: 123456789, Version: "0.9.0"}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	b := sample(1)
	enc, err := Encode(b)
	require.NoError(t, err)
	again, err := Encode(b)
	require.NoError(t, err)
	assert.Equal(t, enc, again, "the encoding is deterministic")

	// The same instants in another zone (and with a monotonic reading)
	// encode to the same bytes.
	msk := time.FixedZone("MSK", 3*3600)
	c := sample(1)
	c.Sent = time.Now()
	b.Sent = c.Sent
	c.Sent = c.Sent.In(msk)
	c.Events[0].Payment.Accepted = c.Events[0].Payment.Accepted.In(msk)
	c.Events[3].At = c.Events[3].At.In(msk)
	e1, err := Encode(b)
	require.NoError(t, err)
	e2, err := Encode(c)
	require.NoError(t, err)
	assert.Equal(t, string(e1), string(e2))

	got, err := Decode(enc)
	require.NoError(t, err)
	assert.Equal(t, sample(1), got)
	assert.NotContains(t, string(enc), " ", "no spaces")
	assert.Contains(t, string(enc), `"number":"916***4567"`)
	assert.NotContains(t, string(enc), "last_sync\":\"0001", "a missing time is left out, not written as year 1")
}

func TestEncodeRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(b *Batch)
		kind Kind
		seq  int64
	}{
		{"version", func(b *Batch) { b.Version = 2 }, KindVersion, 0},
		{"no point", func(b *Batch) { b.Point = "" }, KindFormat, 0},
		{"long point", func(b *Batch) { b.Point = strings.Repeat("p", 201) }, KindFormat, 0},
		{"no events", func(b *Batch) { b.Events = nil; b.To = b.From - 1 }, KindRange, 0},
		{"from 0", func(b *Batch) {
			b.From, b.To = 0, 3
			for i := range b.Events {
				b.Events[i].Seq--
			}
		}, KindRange, 0},
		{"to beyond", func(b *Batch) { b.To++ }, KindRange, 0},
		{"gap inside", func(b *Batch) { b.Events[2].Seq = 9 }, KindRange, 0},
		{"not sent", func(b *Batch) { b.Sent = time.Time{} }, KindFormat, 0},
		{"event without time", func(b *Batch) { b.Events[1].At = time.Time{} }, KindEvent, 2},
		{"two bodies", func(b *Batch) { b.Events[1].Payment = b.Events[0].Payment }, KindEvent, 2},
		{"no body", func(b *Batch) { b.Events[1].Cash = nil }, KindEvent, 2},
		{"type and body differ", func(b *Batch) { b.Events[1].Type = TypeShift }, KindEvent, 2},
		{"unknown type", func(b *Batch) { b.Events[1].Type = "coffee" }, KindEvent, 2},
		{"number in clear", func(b *Batch) { b.Events[0].Payment.Number = "9161234567" }, KindEvent, 1},
		{"zero amount", func(b *Batch) { b.Events[0].Payment.Amount = 0 }, KindEvent, 1},
		{"negative fee", func(b *Batch) { b.Events[0].Payment.Fee = -1 }, KindEvent, 1},
		{"huge amount", func(b *Batch) { b.Events[0].Payment.Amount = MaxAmount + 1 }, KindEvent, 1},
		{"unknown state", func(b *Batch) { b.Events[0].Payment.State = "credited" }, KindEvent, 1},
		{"paid by refund", func(b *Batch) { b.Events[0].Payment.Closed = ByRefund }, KindEvent, 1},
		{"disputed but closed", func(b *Batch) { b.Events[0].Payment.State = Disputed }, KindEvent, 1},
		{"final before accepted", func(b *Batch) {
			p := b.Events[0].Payment
			p.Final = p.Accepted.Add(-time.Second)
		}, KindEvent, 1},
		{"no session", func(b *Batch) { b.Events[0].Payment.Session = "" }, KindEvent, 1},
		{"lookup short", func(b *Batch) { b.Events[0].Payment.Lookup = "abc" }, KindEvent, 1},
		{"lookup odd", func(b *Batch) { b.Events[0].Payment.Lookup = "abcdefghijkl/" }, KindEvent, 1},
		{"cashier not UTF-8", func(b *Batch) { b.Events[0].Payment.Cashier = "\xff" }, KindEvent, 1},
		{"cash sideways", func(b *Batch) { b.Events[1].Cash.Op = "up" }, KindEvent, 2},
		{"cash zero", func(b *Batch) { b.Events[1].Cash.Amount = 0 }, KindEvent, 2},
		{"shift closes before it opens", func(b *Batch) { b.Events[2].Shift.Closed = b.Events[2].Shift.Opened.Add(-1) }, KindEvent, 3},
		{"shift negative", func(b *Batch) { b.Events[2].Shift.Counted = -5 }, KindEvent, 3},
		{"shift by nobody", func(b *Batch) { b.Events[2].Shift.ClosedBy = "" }, KindEvent, 3},
		{"health negative", func(b *Batch) { b.Events[3].Health.Pending = -1 }, KindEvent, 4},
		{"health balance", func(b *Batch) { b.Events[3].Health.Balance = money.Max + 1 }, KindEvent, 4},
		{"health warnings", func(b *Batch) { b.Events[3].Health.Warnings = make([]string, 33) }, KindEvent, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := sample(1)
			c.edit(b)
			_, err := Encode(b)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.kind)
			var we *Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, c.seq, we.Seq)
			for _, lang := range []string{i18n.RU, i18n.EN} {
				text := we.Msg().In(lang)
				assert.NotContains(t, text, "hub.wire", "a catalogue text in %s", lang)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := Encode(sample(5))
	require.NoError(t, err)
	s := string(good)
	for _, c := range []struct {
		name string
		data string
		kind Kind
	}{
		{"empty", "", KindFormat},
		{"not JSON", "hello", KindFormat},
		{"array", "[]", KindFormat},
		{"spaces", strings.Replace(s, `"v":1,`, `"v": 1,`, 1), KindFormat},
		{"trailing newline", s + "\n", KindFormat},
		{"second value", s + "{}", KindFormat},
		{"unknown field", strings.Replace(s, `"v":1,`, `"v":1,"x":2,`, 1), KindFormat},
		{"field order", strings.Replace(s, `"v":1,"point":"P-17033"`, `"point":"P-17033","v":1`, 1), KindFormat},
		{"zone", strings.Replace(s, `"sent":"2026-12-04T09:40:00Z"`, `"sent":"2026-12-04T12:40:00+03:00"`, 1), KindFormat},
		{"amount as float", strings.Replace(s, `"amount":50000`, `"amount":500.00`, 1), KindFormat},
		{"amount as text", strings.Replace(s, `"amount":50000`, `"amount":"50000"`, 1), KindFormat},
		{"duplicated key", strings.Replace(s, `"v":1,`, `"v":1,"v":1,`, 1), KindFormat},
		{"escaped spelling", strings.Replace(s, `"kassir"`, `"k\u0061ssir"`, 1), KindFormat},
		{"range", strings.Replace(s, `"to":8`, `"to":9`, 1), KindRange},
		{"version", strings.Replace(s, `"v":1,`, `"v":7,`, 1), KindVersion},
		{"huge", strings.Repeat(" ", MaxBytes+1), KindFormat},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.NotEqual(t, s, c.data, "the case changes the batch")
			_, err := Decode([]byte(c.data))
			require.Error(t, err)
			assert.ErrorIs(t, err, c.kind)
		})
	}
	_, err = Decode(good)
	assert.NoError(t, err)
}

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"9161234567", "916***4567"},
		{"79161234567", "791****4567"},
		{"123456789", "*****6789"},
		{"12345", "*2345"},
		{"1234", "****"},
		{"", ""},
		{"л/с 0012345678", "л/с*******5678"},
	} {
		assert.Equal(t, c.want, Mask(c.in), c.in)
		assert.Equal(t, c.want, Mask(c.want), "masking a masked number changes nothing: %s", c.in)
	}
}

func TestKindsSpeak(t *testing.T) {
	for _, k := range []Kind{KindFormat, KindVersion, KindRange, KindEvent, KindSignature, KindPoint, KindGap} {
		assert.True(t, i18n.Has(k.Msg().Key), k)
		assert.NotEqual(t, k.Msg().In(i18n.RU), k.Msg().In(i18n.EN), k)
	}
	err := &Error{Op: "check", Kind: KindEvent, Seq: 7, Detail: "amount 0"}
	assert.Equal(t, "событие пакета составлено неверно (событие 7): amount 0", err.Msg().In(i18n.RU))
	assert.Equal(t, "wire: check: an event of the batch is not well formed: event 7: amount 0", err.Error())
	assert.True(t, errors.Is(err, KindEvent))
	assert.False(t, errors.Is(err, KindFormat))
}

// seeds are valid encodings for the fuzzer and the benchmark.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, b := range []*Batch{sample(1), sample(1 << 40)} {
		enc, err := Encode(b)
		require.NoError(t, err)
		out = append(out, enc)
	}
	return out
}

// FuzzDecode holds the decoder to its promises on any bytes: it refuses
// with a typed error or returns a batch whose encoding is exactly the bytes
// it read (one spelling per batch) and that passes its own checks.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			var we *Error
			require.ErrorAs(t, err, &we, "a typed refusal")
			require.NotEmpty(t, we.Kind)
			return
		}
		enc, err := Encode(b)
		require.NoError(t, err, "a decoded batch encodes")
		require.True(t, bytes.Equal(enc, data), "the one spelling:\n%s\n%s", enc, data)
		require.Equal(t, b.To-b.From+1, int64(len(b.Events)))
	})
}

func BenchmarkDecode(b *testing.B) {
	big := sample(1)
	p := *big.Events[0].Payment
	big.Events = nil
	for i := range 1000 {
		q := p
		big.Events = append(big.Events, Event{Seq: int64(i + 1), Type: TypePayment, At: t0, Payment: &q})
	}
	big.To = 1000
	enc, err := Encode(big)
	require.NoError(b, err)
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLookup(t *testing.T) {
	a, b := NewLookup(), NewLookup()
	assert.NotEqual(t, a, b)
	assert.Regexp(t, lookupCode, a)
	batch := sample(1)
	batch.Events[0].Payment.Lookup = a
	enc, err := Encode(batch)
	require.NoError(t, err)
	got, err := Decode(enc)
	require.NoError(t, err)
	assert.Equal(t, a, got.Events[0].Payment.Lookup)
	assert.Equal(t, "https://hub.example.ru/p/P%201/2026-0001?c="+a, LookupURL("https://hub.example.ru", "P 1", "2026-0001", a))
}
