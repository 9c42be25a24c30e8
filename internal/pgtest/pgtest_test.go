package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://postgres@/postgres?host=/tmp/x&port=5432", "postgres://postgres@/t1?host=/tmp/x&port=5432"},
		{"postgresql://u:p@localhost:5433", "postgresql://u:p@localhost:5433/t1"},
		{"host=/tmp/x user=postgres dbname=postgres", "host=/tmp/x user=postgres dbname=postgres dbname=t1"},
	} {
		got := WithDatabase(c.in, "t1")
		assert.Equal(t, c.want, got, c.in)
		cfg, err := pgx.ParseConfig(got)
		require.NoError(t, err)
		assert.Equal(t, "t1", cfg.Database)
	}
}

// TestFresh checks that each test gets its own empty database and that it
// is dropped afterwards.
func TestFresh(t *testing.T) {
	admin := adminURL(t)
	var names []string
	for range 2 {
		t.Run("db", func(t *testing.T) {
			p := Pool(t)
			var name string
			require.NoError(t, p.QueryRow(context.Background(), "SELECT current_database()").Scan(&name))
			var tables int
			require.NoError(t, p.QueryRow(context.Background(),
				"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables))
			assert.Zero(t, tables)
			_, err := p.Exec(context.Background(), "CREATE TABLE t (x int)")
			require.NoError(t, err)
			names = append(names, name)
		})
	}
	require.Len(t, names, 2)
	assert.NotEqual(t, names[0], names[1])
	conn, err := pgx.Connect(context.Background(), admin)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var left int
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_database WHERE datname = ANY($1)", names).Scan(&left))
	assert.Zero(t, left, "the test databases are dropped")
}

func adminURL(t *testing.T) string {
	u := os.Getenv(Env)
	if u == "" {
		t.Skip("pgtest: PAYDESK_PG is not set")
	}
	return u
}
