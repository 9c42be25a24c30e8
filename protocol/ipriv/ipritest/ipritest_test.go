package ipritest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/protocol/ipriv"
	"paydesk/protocol/ipriv/ipritest"
)

func TestKeys(t *testing.T) {
	created := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		key    func() *ipriv.SecretKey
		serial uint32
		user   string
	}{
		"dealer": {ipritest.DealerKey, 17033, "api17032"},
		"bank":   {ipritest.BankKey, 64182, "0J0005"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			k := tt.key()
			assert.Equal(t, tt.serial, k.Serial)
			assert.Equal(t, tt.user, k.UserID)
			assert.Equal(t, 512, k.Bits())
			assert.Equal(t, 17, k.E)
			assert.True(t, created.Equal(k.Created), "%v", k.Created)

			doc, err := k.Sign([]byte("hello"), ipriv.MD5, created)
			require.NoError(t, err)
			again, err := tt.key().Sign([]byte("hello"), ipriv.MD5, created)
			require.NoError(t, err)
			assert.Equal(t, doc, again, "fixed keys sign the same bytes every time")
			d, _, err := k.Public().Verify(doc)
			require.NoError(t, err)
			assert.Equal(t, "hello", string(d.Body))

			k.Serial, k.N = 1, nil
			fresh := tt.key()
			assert.Equal(t, tt.serial, fresh.Serial, "every call returns a copy of its own")
			assert.NotNil(t, fresh.N)
		})
	}
}

func TestKeysDiffer(t *testing.T) {
	dealer, bank := ipritest.DealerKey(), ipritest.BankKey()
	assert.NotEqual(t, 0, dealer.N.Cmp(bank.N))
	doc, err := dealer.Sign([]byte("hello"), ipriv.MD5, time.Now())
	require.NoError(t, err)
	impostor := bank.Public()
	impostor.Serial = dealer.Serial
	_, _, err = impostor.Verify(doc)
	assert.Error(t, err, "the bank key does not verify the dealer's signature")
}
