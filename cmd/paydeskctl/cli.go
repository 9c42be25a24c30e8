package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNoAnswer = 3
)

// env is what a subcommand may touch of the outside world; tests replace it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	log    *slog.Logger
	// tty opens the controlling terminal for passphrase prompts.
	tty func() (*os.File, error)
}

func newEnv() *env {
	return &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		now:    time.Now,
		log:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		tty:    func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) },
	}
}

// command is one paydeskctl subcommand, such as "keys gen".
type command struct {
	name    string // words that select it, space separated
	args    string // synopsis of flags and arguments
	summary string // one line for --help
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]*command{}

// register adds a subcommand; called from init functions, one file per group.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("paydeskctl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// exitError carries an exit code other than 1 up to run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a usage error (exit 2).
func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// noAnswer marks an error as "the peer did not answer" (exit 3).
func noAnswer(err error) error { return &exitError{code: exitNoAnswer, err: err} }

// silent is returned by a command that already wrote its message.
type silent int

func (s silent) Error() string { return fmt.Sprintf("exit %d", int(s)) }

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "paydeskctl: unknown command %q (see paydeskctl --help)\n", strings.Join(args[:min(2, len(args))], " "))
		return exitUsage
	}
	err := cmd.run(ctx, e, rest)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var s silent
	if errors.As(err, &s) {
		return int(s)
	}
	code := exitFailed
	var xe *exitError
	if errors.As(err, &xe) {
		code = xe.code
	}
	fmt.Fprintf(e.stderr, "paydeskctl: %v\n", err)
	if code == exitUsage {
		fmt.Fprintf(e.stderr, "usage: paydeskctl %s %s\n", cmd.name, cmd.args)
	}
	return code
}

// lookup finds the longest command name that prefixes args.
func lookup(args []string) (*command, []string) {
	for n := min(3, len(args)); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "paydeskctl: PayDesk's command-line tool")
	fmt.Fprintln(w, "\nusage: paydeskctl COMMAND [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-16s %s\n", n, c.summary)
		fmt.Fprintf(w, "  %-16s   %s\n", "", c.args)
	}
	fmt.Fprintln(w, "\nFlags and arguments may be given in any order. Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 no answer.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("paydeskctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses args with flags and positional arguments mixed freely and
// returns the positional arguments in order.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			// A negative number where a value belongs is not an unknown flag.
			if n, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok && n != "" && strings.Trim(n, "0123456789.,") == "" {
				return nil, usageErrorf("-%s: a negative number; sums and counts are above zero", n)
			}
			return nil, &exitError{code: exitUsage, err: err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
