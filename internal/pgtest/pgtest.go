// Package pgtest gives each test a fresh PostgreSQL database on the server
// named by PAYDESK_PG (a connection URL; `make test` sets it to a throwaway
// cluster of scripts/pg.sh). Without PAYDESK_PG the test is skipped with a
// message saying how to run it: the hub is never tested against a fake.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Env is the variable that names the server.
const Env = "PAYDESK_PG"

// URL creates a new empty database on the server for t, drops it when t
// ends, and returns its connection URL. It skips t when PAYDESK_PG is unset
// and fails it when the server cannot be reached.
func URL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		t.Skip("pgtest: PAYDESK_PG is not set: the PostgreSQL tests skip " +
			"(make test starts a throwaway cluster; by hand: export PAYDESK_PG=$(scripts/pg.sh start))")
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("pgtest: PAYDESK_PG: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect to PAYDESK_PG: %v", err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "paydesk_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(admin, name)
}

// WithDatabase returns the connection string conn (a URL or key=value
// pairs) naming the database name instead of its own.
func WithDatabase(conn, name string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		u.RawPath = ""
		return u.String()
	}
	return conn + " dbname=" + name
}

// Pool is URL opened as a pool, closed when t ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", url, err)
	}
	t.Cleanup(p.Close)
	return p
}
