package main

// The network's catalogue: providers import (CyberPlat's operators.xml into
// providers.yaml).

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"paydesk/app"
	"paydesk/internal/atomicfile"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/operators"
)

func init() {
	register(&command{name: "providers import", args: "operators.xml [groups.xml] [commissions.xml]",
		summary: "write PayDesk's provider catalogue from CyberPlat's operator files (format 2.0); names what it leaves out",
		opts:    func() options { return &importOpts{} }})
}

// importOpts are the options of "providers import".
type importOpts struct {
	out, group, commOut string
}

func (o *importOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.out, "out", "", required("the catalogue `FILE` to write, such as providers.yaml"))
	fs.StringVar(&o.group, "group", "", "the `GROUP` (mobile, internet, tv, utilities) of operators groups.xml places in none (default: leave them out)")
	fs.StringVar(&o.commOut, "commission-out", "", "the schedule `FILE` written from commissions.xml (default: commissions.yaml beside --out)")
}

func (o *importOpts) run(_ context.Context, e *env, args []string) error {
	if len(args) < 1 || len(args) > 3 {
		return usageErrorf("give operators.xml, then groups.xml and commissions.xml if you have them")
	}
	if o.out == "" {
		return usageErrorf("--out is required")
	}
	f := app.OperatorFiles{Source: filepath.Base(args[0]), Group: gateway.Group(o.group)}
	switch f.Group {
	case "", gateway.Mobile, gateway.Internet, gateway.TV, gateway.Utilities:
	default:
		return usageErrorf("--group %q is not mobile, internet, tv or utilities", o.group)
	}
	var err error
	if f.Operators, err = os.ReadFile(args[0]); err != nil {
		return err
	}
	if len(args) > 1 {
		if f.Groups, err = os.ReadFile(args[1]); err != nil {
			return err
		}
	}
	if len(args) > 2 {
		if f.Commissions, err = os.ReadFile(args[2]); err != nil {
			return err
		}
	}
	im, err := app.ImportOperators(f)
	if err != nil {
		if im != nil {
			for _, n := range im.Result.Skipped {
				fmt.Fprintf(e.stderr, "left out: %s\n", n)
			}
		}
		return usageErrorf("%s", app.Message(err, "en"))
	}
	if err := atomicfile.Write(o.out, im.Catalogue, 0o644); err != nil {
		return err
	}
	if im.Commissions != nil {
		path := o.commOut
		if path == "" {
			path = filepath.Join(filepath.Dir(o.out), "commissions.yaml")
		}
		if err := atomicfile.Write(path, im.Commissions, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "commission schedule: %s\n", path)
	}
	r := im.Result
	fmt.Fprintf(e.stdout, "%d providers written to %s; %d operators left out\n", len(r.Catalogue.Providers), o.out, countIDs(r.Skipped))
	for _, n := range r.Skipped {
		fmt.Fprintf(e.stdout, "left out: %s\n", n)
	}
	for _, n := range r.Omitted {
		fmt.Fprintf(e.stdout, "without: %s\n", n)
	}
	return nil
}

func countIDs(notes []operators.Note) int {
	seen := map[string]bool{}
	for _, n := range notes {
		seen[n.ID] = true
	}
	return len(seen)
}
