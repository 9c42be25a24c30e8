package wire_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/hub/wire"
	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

var t0 = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

func batch() *wire.Batch {
	return &wire.Batch{Version: wire.Version, Point: "P-17033", From: 1, To: 1, Sent: t0,
		Events: []wire.Event{{Seq: 1, Type: wire.TypeCash, At: t0,
			Cash: &wire.Cash{Op: wire.CashIn, Amount: 100000, Cashier: "kassir", Shift: 1}}}}
}

// registry is the hub's side: the point's registered public key.
func registry(keys map[string]*ipriv.PublicKey) wire.Keys {
	return func(point string) (*ipriv.PublicKey, error) { return keys[point], nil }
}

func TestSignOpen(t *testing.T) {
	dealer, bank := ipritest.DealerKey(), ipritest.BankKey()
	doc, err := wire.Sign(batch(), dealer, t0)
	require.NoError(t, err)
	again, err := wire.Sign(batch(), dealer, t0)
	require.NoError(t, err)
	assert.Equal(t, doc, again, "the same batch signed at the same time is the same bytes")

	good := registry(map[string]*ipriv.PublicKey{"P-17033": dealer.Public()})
	b, err := wire.Open(doc, good)
	require.NoError(t, err)
	assert.Equal(t, batch(), b)

	// The amount's digits changed in place: the lengths stay, the signature fails.
	tampered := bytes.Replace(doc, []byte(`"amount":100000`), []byte(`"amount":900000`), 1)
	require.NotEqual(t, doc, tampered)
	lookupFailed := errors.New("database down")

	for _, c := range []struct {
		name string
		doc  []byte
		keys wire.Keys
		want error
	}{
		{"another point's key", doc, registry(map[string]*ipriv.PublicKey{"P-17033": bank.Public()}), wire.KindSignature},
		{"unknown point", doc, registry(nil), wire.KindPoint},
		{"tampered", tampered, good, wire.KindSignature},
		{"not a document", []byte("{\"v\":1}"), good, wire.KindFormat},
		{"truncated", doc[:len(doc)-20], good, wire.KindFormat},
		{"lookup fails", doc, func(string) (*ipriv.PublicKey, error) { return nil, lookupFailed }, lookupFailed},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := wire.Open(c.doc, c.keys)
			assert.Nil(t, b)
			assert.ErrorIs(t, err, c.want)
		})
	}

	// A batch signed by another point's key for this point.
	forged, err := wire.Sign(batch(), bank, t0)
	require.NoError(t, err)
	_, err = wire.Open(forged, good)
	assert.ErrorIs(t, err, wire.KindSignature)

	// A bad batch is never signed.
	bad := batch()
	bad.To = 5
	_, err = wire.Sign(bad, dealer, t0)
	assert.ErrorIs(t, err, wire.KindRange)
}

// FuzzOpen changes a signed batch at random: Open either refuses it with a
// typed error or the batch it returns is the one that was signed.
func FuzzOpen(f *testing.F) {
	dealer := ipritest.DealerKey()
	doc, err := wire.Sign(batch(), dealer, t0)
	require.NoError(f, err)
	f.Add(doc)
	f.Add(doc[:len(doc)/2])
	f.Add(bytes.Replace(doc, []byte("100000"), []byte("900000"), 1))
	keys := registry(map[string]*ipriv.PublicKey{"P-17033": dealer.Public()})
	want := batch()
	f.Fuzz(func(t *testing.T, doc []byte) {
		b, err := wire.Open(doc, keys)
		if err != nil {
			var we *wire.Error
			require.ErrorAs(t, err, &we)
			return
		}
		require.Equal(t, want, b, "only the signed batch opens")
	})
}
