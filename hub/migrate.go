package hub

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's steps, NNN_name.sql, applied in order.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock is the advisory lock that lets one instance migrate while
// the others wait.
const migrateLock = 0x70617964 // "payd"

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := path.Base(f)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("hub: migration %s is not named NNN_name.sql", base)
		}
		b, err := migrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("hub: migration %s: version %d expected", m.name, i+1)
		}
	}
	return out, nil
}

// Latest is the schema version this hub's code is written for.
func Latest() int {
	ms, err := loadMigrations()
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	return len(ms)
}

// Migrate brings the database's schema to Latest, each step in its own
// transaction under an advisory lock, so that hub instances starting
// together migrate once. A database newer than the code is refused.
func Migrate(ctx context.Context, db *pgxpool.Pool) error {
	return migrateTo(ctx, db, Latest())
}

func migrateTo(ctx context.Context, db *pgxpool.Pool, target int) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	conn, err := db.Acquire(ctx)
	if err != nil {
		return dbError("migrate", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return dbError("migrate", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock) }()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
	    version    int PRIMARY KEY,
	    name       text NOT NULL,
	    applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return dbError("migrate", err)
	}
	current, err := version(ctx, conn.Conn())
	if err != nil {
		return err
	}
	if current > len(ms) {
		return &Error{Op: "migrate", Kind: KindSchema, Detail: fmt.Sprintf("the database is at version %d, this hub knows %d", current, len(ms))}
	}
	for _, m := range ms[current:target] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return dbError("migrate "+m.name, err)
		}
	}
	return nil
}

// Version returns the database's schema version (0 when new).
func Version(ctx context.Context, db *pgxpool.Pool) (int, error) {
	conn, err := db.Acquire(ctx)
	if err != nil {
		return 0, dbError("schema version", err)
	}
	defer conn.Release()
	return version(ctx, conn.Conn())
}

func version(ctx context.Context, conn *pgx.Conn) (int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_version') IS NOT NULL").Scan(&exists); err != nil {
		return 0, dbError("schema version", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v); err != nil {
		return 0, dbError("schema version", err)
	}
	return v, nil
}
