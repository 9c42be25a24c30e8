package hub

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/internal/pgtest"
)

// schema describes the public schema: every column with its type, default
// and nullability, every constraint and every index.
func schema(t *testing.T, db *pgxpool.Pool) []string {
	rows, err := db.Query(context.Background(), `
	    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
	      FROM information_schema.columns WHERE table_schema = 'public'
	    UNION ALL
	    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
	      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
	    UNION ALL
	    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
	    ORDER BY 1`)
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestMigrations(t *testing.T) {
	ms, err := loadMigrations()
	require.NoError(t, err)
	require.Equal(t, len(ms), Latest())
	ctx := context.Background()

	fresh := pgtest.Pool(t)
	require.NoError(t, Migrate(ctx, fresh))
	want := schema(t, fresh)
	require.NotEmpty(t, want)
	v, err := Version(ctx, fresh)
	require.NoError(t, err)
	assert.Equal(t, Latest(), v)
	require.NoError(t, Migrate(ctx, fresh), "migrating an up-to-date database does nothing")
	assert.Equal(t, want, schema(t, fresh))

	// From every earlier version, with data in it, to the latest.
	for from := 0; from < Latest(); from++ {
		db := pgtest.Pool(t)
		require.NoError(t, migrateTo(ctx, db, from))
		v, err := Version(ctx, db)
		require.NoError(t, err)
		require.Equal(t, from, v)
		if from >= 1 {
			_, err := db.Exec(ctx, "INSERT INTO partners (id, name, created_at) VALUES ('north', 'Север', now())")
			require.NoError(t, err)
		}
		require.NoError(t, Migrate(ctx, db), "from version %d", from)
		assert.Equal(t, want, schema(t, db), "from version %d", from)
		if from >= 1 {
			assert.EqualValues(t, 1, count(t, db, "SELECT count(*) FROM partners WHERE name = 'Север'"), "the data stays")
		}
	}

	// A database from a newer hub is refused and left alone.
	_, err = fresh.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'future.sql')", Latest()+1)
	require.NoError(t, err)
	err = Migrate(ctx, fresh)
	assert.ErrorIs(t, err, KindSchema)
}

// TestMigrateTogether starts several instances on a new database at once:
// one migrates, the others wait and find it done.
func TestMigrateTogether(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := pgxpool.New(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- Migrate(ctx, db)
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	db, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	assert.EqualValues(t, Latest(), count(t, db, "SELECT count(*) FROM schema_version"))
}
