package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"paydesk/hub"
	"paydesk/internal/i18n"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// env is what a command may touch of the outside world; tests replace it.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func (e *env) lang() string {
	if strings.HasPrefix(e.getenv("PAYDESK_LANG"), "en") {
		return i18n.EN
	}
	return i18n.RU
}

// failure is a failure of the command's own, with its message's key.
type failure struct {
	msg i18n.Msg
	err error
}

func (f *failure) Error() string { return f.msg.In(i18n.EN) }
func (f *failure) Msg() i18n.Msg { return f.msg }
func (f *failure) Unwrap() error { return f.err }

func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &failure{msg: i18n.M("hub.cli.read", "file", path, "err", err.Error()), err: err}
	}
	return b, nil
}

// usageError is a mistake in the command line.
type usageError string

func (u usageError) Error() string { return string(u) }

type command struct {
	name, synopsis string
	run            func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error
}

var commands = []command{
	{"serve", "--db URL [--listen ADDR] [--lanes N] [--group N] [--cert FILE --key FILE]", serve},
	{"migrate", "--db URL", migrate},
	{"partner add", "--db URL --id ID [--name NAME]", partnerAdd},
	{"point add", "--db URL --id ID --partner ID --key PUBKEYFILE [--serial N] [--name NAME] [--tz ZONE]", pointAdd},
	{"point list", "--db URL [--partner ID]", pointList},
	{"point key", "--db URL --id ID --key PUBKEYFILE [--serial N]", pointKey},
	{"user add", "--db URL --login LOGIN --partner ID [--point ID] --password-file FILE", userAdd},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  paydeskhub %s %s\n", c.name, c.synopsis)
	}
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		fs := flag.NewFlagSet("paydeskhub "+c.name, flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		err := c.run(ctx, e, fs, args[len(words):])
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, new(usageError)):
			fmt.Fprintf(e.stderr, "paydeskhub %s: %v\nusage: paydeskhub %s %s\n", c.name, err, c.name, c.synopsis)
			return exitUsage
		}
		fmt.Fprintf(e.stderr, "paydeskhub %s: %s\n", c.name, message(err, e.lang()))
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "paydeskhub: unknown command %q\n", strings.Join(args[:min(2, len(args))], " "))
	usage(e.stderr)
	return exitUsage
}

// message is err in lang when it names its message, else its English.
func message(err error, lang string) string {
	var s i18n.Speaker
	if errors.As(err, &s) {
		return s.Msg().In(lang)
	}
	return err.Error()
}

// parse parses the flags; a flag's mistake and positional arguments are
// usage errors.
func parse(fs *flag.FlagSet, args []string, required ...string) error {
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.PrintDefaults()
			return err
		}
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			return usageError("--" + name + " is required")
		}
	}
	return nil
}

func dbFlag(e *env, fs *flag.FlagSet) *string {
	return fs.String("db", e.getenv("PAYDESK_HUB_DB"), "the PostgreSQL URL (default $PAYDESK_HUB_DB)")
}

// open connects to the database and checks its schema is this hub's.
func open(ctx context.Context, url string, migrate bool) (*pgxpool.Pool, error) {
	db, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, &hub.Error{Op: "connect", Kind: hub.KindDatabase, Err: err}
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		db.Close()
		return nil, &hub.Error{Op: "connect", Kind: hub.KindDatabase, Err: err}
	}
	if migrate {
		err = hub.Migrate(ctx, db)
	} else if v, verr := hub.Version(ctx, db); verr != nil {
		err = verr
	} else if v != hub.Latest() {
		err = &hub.Error{Op: "connect", Kind: hub.KindSchema,
			Detail: fmt.Sprintf("version %d, this hub's is %d (paydeskhub migrate)", v, hub.Latest())}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func logger(e *env, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError(fmt.Sprintf("--log-level %q: debug, info, warn or error", level))
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: l})), nil
}

func serve(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	listen := fs.String("listen", "127.0.0.1:8480", "the address to serve HTTP on")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	grace := fs.Duration("grace", 10*time.Second, "how long requests in flight may finish on shutdown")
	lanes := fs.Int("lanes", 4, "transactions of desks' batches at once")
	group := fs.Int("group", 64, "batches arriving together that one transaction takes at most")
	certFile := fs.String("cert", "", "serve HTTPS with this certificate `FILE` (PEM, the chain after the server's own)")
	keyFile := fs.String("key", "", "the certificate's private key `FILE` (PEM)")
	if err := parse(fs, args, "db"); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return usageError("--cert and --key go together")
	}
	var tlsConfig *tls.Config
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return &failure{msg: i18n.M("hub.cli.tls", "cert", *certFile, "err", err.Error()), err: err}
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	log, err := logger(e, *level)
	if err != nil {
		return err
	}
	pool, err := open(ctx, *db, true)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *lanes < 1 || *group < 1 {
		return usageError("--lanes and --group must be 1 or more")
	}
	h := hub.New(pool, hub.Options{Log: log, Lanes: *lanes, Group: *group})
	defer h.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return &failure{msg: i18n.M("hub.cli.listen", "addr", *listen, "err", err.Error()), err: err}
	}
	srv := &http.Server{
		Handler:           h.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme, ln = "https", tls.NewListener(ln, tlsConfig)
	}
	fmt.Fprintf(e.stdout, "listening on %s://%s\n", scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "schema", hub.Latest())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests cut off at shutdown", "err", err)
	}
	<-done
	log.Info("stopped")
	return nil
}

func migrate(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	if err := parse(fs, args, "db"); err != nil {
		return err
	}
	pool, err := open(ctx, *db, true)
	if err != nil {
		return err
	}
	pool.Close()
	fmt.Fprintf(e.stdout, "schema version %d\n", hub.Latest())
	return nil
}

// admin opens the hub for a registration command.
func admin(ctx context.Context, url string) (*hub.Hub, func(), error) {
	pool, err := open(ctx, url, false)
	if err != nil {
		return nil, nil, err
	}
	h := hub.New(pool, hub.Options{})
	return h, func() { h.Close(); pool.Close() }, nil
}

func partnerAdd(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	id := fs.String("id", "", "the partner's id")
	name := fs.String("name", "", "the partner's name (default: the id)")
	if err := parse(fs, args, "db", "id"); err != nil {
		return err
	}
	h, done, err := admin(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	if err := h.AddPartner(ctx, hub.Partner{ID: *id, Name: *name}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "partner %s added\n", *id)
	return nil
}

func pointAdd(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	id := fs.String("id", "", "the point's id (the desks' hub.point)")
	partner := fs.String("partner", "", "the partner the point belongs to")
	key := fs.String("key", "", "the point's public key file (pubkeys.key)")
	serial := fs.Uint("serial", 0, "the signing key's serial in the file (default: the first key)")
	name := fs.String("name", "", "the point's name (default: the id)")
	tz := fs.String("tz", hub.DefaultTZ, "the point's time zone (the day of its reports)")
	if err := parse(fs, args, "db", "id", "partner", "key"); err != nil {
		return err
	}
	file, err := readFile(*key)
	if err != nil {
		return err
	}
	h, done, err := admin(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	if err := h.AddPoint(ctx, hub.Point{ID: *id, Partner: *partner, Name: *name, TZ: *tz, Key: file, Serial: uint32(*serial)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "point %s added\n", *id)
	return nil
}

func pointKey(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	id := fs.String("id", "", "the point's id")
	key := fs.String("key", "", "the point's new public key file (pubkeys.key)")
	serial := fs.Uint("serial", 0, "the signing key's serial in the file (default: the first key)")
	if err := parse(fs, args, "db", "id", "key"); err != nil {
		return err
	}
	file, err := readFile(*key)
	if err != nil {
		return err
	}
	h, done, err := admin(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	if err := h.SetKey(ctx, *id, file, uint32(*serial)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "point %s: new key registered\n", *id)
	return nil
}

func pointList(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	partner := fs.String("partner", "", "only this partner's points")
	if err := parse(fs, args, "db"); err != nil {
		return err
	}
	h, done, err := admin(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	points, err := h.Points(ctx, *partner)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POINT\tPARTNER\tKEY\tLAST EVENT\tLAST SEEN\tNAME")
	for _, p := range points {
		seen := "-"
		if !p.LastSeen.IsZero() {
			seen = p.LastSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", p.ID, p.Partner, p.Serial, p.LastSeq, seen, p.Name)
	}
	return tw.Flush()
}

func userAdd(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	db := dbFlag(e, fs)
	login := fs.String("login", "", "the login")
	partner := fs.String("partner", "", "the partner")
	point := fs.String("point", "", "a point manager's point (none: the partner's own login)")
	pwFile := fs.String("password-file", "", "a file whose first line is the password")
	if err := parse(fs, args, "db", "login", "partner", "password-file"); err != nil {
		return err
	}
	b, err := readFile(*pwFile)
	if err != nil {
		return err
	}
	password, _, _ := strings.Cut(string(b), "\n")
	password = strings.TrimSuffix(password, "\r")
	role := hub.RolePartner
	if *point != "" {
		role = hub.RoleManager
	}
	h, done, err := admin(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	if err := h.AddUser(ctx, hub.User{Login: *login, Role: role, Partner: *partner, Point: *point}, password); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added (%s)\n", *login, role)
	return nil
}
