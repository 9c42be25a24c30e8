package main

// Bill QR codes: paydeskctl qr parse prints a GOST R 56042-2014 payment
// string's fields.

import (
	"context"
	"flag"
	"fmt"
	"io"

	"paydesk/qr"
)

func init() {
	register(&command{name: "qr parse", args: "TEXT|-",
		summary: "check a bill's payment QR string (GOST R 56042-2014) and print its fields; - reads the scanner's bytes from stdin",
		opts:    func() options { return &qrOpts{} }})
}

// qrOpts are the options of "qr parse".
type qrOpts struct {
	lang string
}

func (o *qrOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.lang, "lang", "ru", "the `LANGUAGE` of messages: ru or en")
}

func (o *qrOpts) run(_ context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give the payment string, or - to read it from stdin")
	}
	var p *qr.Payment
	var err error
	if args[0] == "-" {
		b, rerr := io.ReadAll(io.LimitReader(e.stdin, 64<<10))
		if rerr != nil {
			return rerr
		}
		p, err = qr.Parse(b)
	} else {
		p, err = qr.ParseText(args[0])
	}
	if err != nil {
		if qe, ok := err.(*qr.Error); ok {
			return usageErrorf("%s", qe.Text.In(o.lang))
		}
		return err
	}
	fmt.Fprint(e.stdout, p)
	for _, c := range p.Checks {
		fmt.Fprintf(e.stdout, "checked: %s\n", c)
	}
	for _, c := range p.Unchecked {
		fmt.Fprintf(e.stdout, "not checked: %s\n", c)
	}
	return nil
}
