// Command paydeskctl is PayDesk's command-line tool: keys, signing and
// verification, simulators, headless payments, shifts, reports and database
// tools. Every subcommand registers itself in a file of its own (see register).
//
// Exit codes: 0 success, 1 the operation was refused or failed (one line on
// stderr says why), 2 usage error, 3 the peer did not answer.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "paydesk/fiscal/atol" // the ATOL driver, for fiscal.driver: atol
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, newEnv(), os.Args[1:])
	stop()
	os.Exit(code)
}
