package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
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

// options are one run of a command: its flags as the struct's fields, and
// what the command does with them. Every command has a type of its own.
type options interface {
	// flags registers the fields on fs, with their defaults and usage. A
	// usage ending in requiredNote or internalNote says so to the
	// generated synopsis (usage.go).
	flags(fs *flag.FlagSet)
	// run does the command once the flags are parsed; args are the
	// positional arguments, in order.
	run(ctx context.Context, e *env, args []string) error
}

// noFlags is embedded in the options of a command without flags.
type noFlags struct{}

func (noFlags) flags(*flag.FlagSet) {}

// command is one paydeskctl subcommand, such as "keys gen".
type command struct {
	name    string // words that select it, space separated
	args    string // its positional arguments for the synopsis, such as "SUM"
	summary string // one line for --help
	// opts returns the options of one run, before the flags are parsed.
	opts func() options
}

var commands = map[string]*command{}

// register adds a subcommand; called from init functions, one file per group.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("paydeskctl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// flagSet returns the command's flags bound to a new options value; parse
// errors and -h go to e.stderr with the generated usage.
func (c *command) flagSet(e *env) (*flag.FlagSet, options) {
	o := c.opts()
	fs := flag.NewFlagSet("paydeskctl "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	o.flags(fs)
	fs.Usage = func() { printUsage(fs.Output(), c, fs) }
	return fs, o
}

// exec parses args into the command's options and runs it.
func (c *command) exec(ctx context.Context, e *env, args []string) error {
	fs, o := c.flagSet(e)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	return o.run(ctx, e, pos)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return help(e, args)
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "paydeskctl: unknown command %q (see paydeskctl --help)\n", strings.Join(args[:min(2, len(args))], " "))
		return exitUsage
	}
	err := cmd.exec(ctx, e, rest)
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
		fs, _ := cmd.flagSet(e)
		fmt.Fprintf(e.stderr, "usage: %s\n", synopsis(cmd, fs))
	}
	return code
}

// help answers paydeskctl with no command, -h, --help and help: the list of
// commands, or with "help COMMAND" that command's usage.
func help(e *env, args []string) int {
	if len(args) > 1 && args[0] == "help" {
		if c, _ := lookup(args[1:]); c != nil {
			fs, _ := c.flagSet(e)
			printUsage(e.stdout, c, fs)
			return exitOK
		}
	}
	usage(e)
	if len(args) == 0 {
		return exitUsage
	}
	return exitOK
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

// noArgs refuses positional arguments with "unexpected argument", plus a
// hint when given.
func noArgs(args []string, hint string) error {
	if len(args) == 0 {
		return nil
	}
	if hint != "" {
		return usageErrorf("unexpected argument %q (%s)", args[0], hint)
	}
	return usageErrorf("unexpected argument %q", args[0])
}
