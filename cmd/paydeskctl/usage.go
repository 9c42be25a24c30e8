package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Notes at the end of a flag's usage that the synopsis reads: a required
// flag is shown bare, an internal one not at all; the others in brackets.
const (
	requiredNote = " (required)"
	internalNote = " (internal)"
)

// required marks a flag's usage as required.
func required(usage string) string { return usage + requiredNote }

// usage writes the list of commands, each with its summary and synopsis.
func usage(e *env) {
	w := e.stdout
	fmt.Fprintln(w, "paydeskctl: PayDesk's command-line tool")
	fmt.Fprintln(w, "\nusage: paydeskctl COMMAND [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	width := 16
	for n := range commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fs, _ := c.flagSet(e)
		fmt.Fprintf(w, "  %-*s %s\n", width, n, c.summary)
		fmt.Fprintf(w, "  %-*s   %s\n", width, "", arguments(c, fs))
	}
	fmt.Fprintln(w, "\nFlags and arguments may be given in any order. Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 no answer.")
	fmt.Fprintln(w, "paydeskctl help COMMAND (or COMMAND -h) describes a command's flags.")
}

// synopsis is the command's line of usage: paydeskctl, its name and its
// arguments.
func synopsis(c *command, fs *flag.FlagSet) string {
	return strings.TrimSpace("paydeskctl " + c.name + " " + arguments(c, fs))
}

// arguments are the positional arguments, the required flags and then the
// others in brackets, each flag with the name of its value.
func arguments(c *command, fs *flag.FlagSet) string {
	var words []string
	if c.args != "" {
		words = append(words, c.args)
	}
	var optional []string
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasSuffix(f.Usage, internalNote) {
			return
		}
		w := "--" + f.Name
		if name, _ := flag.UnquoteUsage(f); name != "" {
			w += " " + name
		}
		if strings.HasSuffix(f.Usage, requiredNote) {
			words = append(words, w)
		} else {
			optional = append(optional, "["+w+"]")
		}
	})
	return strings.Join(append(words, optional...), " ")
}

// printUsage writes a command's usage: the synopsis, the summary and every
// flag with its usage and default.
func printUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis(c, fs), c.summary)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		if n++; n == 1 {
			fmt.Fprintln(w, "\nflags:")
		}
		name, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s%s\n", line, strings.ReplaceAll(text, "\n", "\n    \t"), defaultNote(f))
	})
}

// defaultNote shows a flag's default unless it is its type's zero value
// or the usage tells it in words.
func defaultNote(f *flag.Flag) string {
	if strings.Contains(f.Usage, "(default") {
		return ""
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if _, isString := g.Get().(string); isString {
			if f.DefValue == "" {
				return ""
			}
			return fmt.Sprintf(" (default %q)", f.DefValue)
		}
	}
	switch f.DefValue {
	case "", "0", "0s", "false":
		return ""
	}
	return " (default " + f.DefValue + ")"
}
