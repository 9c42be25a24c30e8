package sim

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListen(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	cfg := tk.Config()
	cfg.StateFile = state
	srv, err := Listen("127.0.0.1:0", cfg, nil)
	require.NoError(t, err)
	p, err := srv.Catalogue().Find("mts")
	require.NoError(t, err)
	assert.Contains(t, p.CheckURL, srv.URL, "the built-in catalogue resolves against the listener")
	resp, err := http.Post(srv.BalanceURL(), "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "an unsigned request is answered, signed, with an ERROR")
	require.NoError(t, srv.Close())
	_, err = http.Post(srv.BalanceURL(), "application/x-www-form-urlencoded", nil)
	assert.Error(t, err, "closed")
	again, err := Listen("127.0.0.1:0", cfg, nil)
	require.NoError(t, err, "the state file was released")
	require.NoError(t, again.Close())
}
