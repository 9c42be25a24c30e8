// Command paydeskhub is the hub of PayDesk's many-points view: a server on
// PostgreSQL that takes the desks' signed batches of events and keeps what
// the partners' reports read, and the commands that register partners,
// points and the people who sign in.
//
//	paydeskhub serve --db URL [--listen ADDR] [--lanes N] [--group N]
//	paydeskhub migrate --db URL
//	paydeskhub partner add --db URL --id ID [--name NAME]
//	paydeskhub point add --db URL --id ID --partner ID --key PUBKEYFILE [--serial N] [--name NAME] [--tz ZONE]
//	paydeskhub point list --db URL [--partner ID]
//	paydeskhub point key --db URL --id ID --key PUBKEYFILE [--serial N]
//	paydeskhub user add --db URL --login LOGIN --partner ID [--point ID] --password-file FILE
//
// --db defaults to $PAYDESK_HUB_DB. Messages are Russian unless
// PAYDESK_LANG=en. Exit codes: 0 success, 1 refused or failed (one line on
// stderr says why), 2 usage error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}
