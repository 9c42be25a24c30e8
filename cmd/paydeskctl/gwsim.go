package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"paydesk/app/config"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/protocol/ipriv"
)

func init() {
	register(&command{
		name: "gateway-sim",
		args: "[--listen ADDR] [--providers FILE] [--dealer-keys FILE --bank-key FILE [--bank-passphrase-file F] | --keys-dir DIR] " +
			"[--state FILE] [--balance 100000.00] [--max-payment A] [--status-delay 10s] [--faults SPEC] [--sd N --ap N --op N] [--quiet]",
		summary: "run the payment gateway simulator until interrupted (makes a training key set when no keys are given)",
		run:     gatewaySim,
	})
}

// defaultTrainingDir is where gateway-sim keeps its training key set: in
// the user's PayDesk folder (config.UserDir), else the temporary folder.
func defaultTrainingDir() string {
	if d, err := config.UserDir(); err == nil {
		return filepath.Join(d, "training-keys")
	}
	return filepath.Join(os.TempDir(), "paydesk-training-keys")
}

func gatewaySim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "gateway-sim")
	listen := fs.String("listen", "127.0.0.1:8780", "`ADDR` to listen on (port 0: any free port)")
	providers := fs.String("providers", "", "provider catalogue `FILE` (default: the built-in training catalogue)")
	dealerKeys := fs.String("dealer-keys", "", "`FILE` of registered dealer public keys")
	bankKey := fs.String("bank-key", "", "the bank's secret key `FILE` that signs the answers")
	bankPass := fs.String("bank-passphrase-file", "", "`FILE` holding the bank key's passphrase")
	keysDir := fs.String("keys-dir", "", "folder of the training key set, made when missing (default: "+defaultTrainingDir()+")")
	stateFile := fs.String("state", "", "state `FILE` keeping sessions and balance across restarts (default: memory only)")
	balance := fs.String("balance", "100000.00", "the dealer's starting balance")
	maxPay := fs.String("max-payment", "", "largest payment AMOUNT (ERROR 81; default: none)")
	statusDelay := fs.Duration("status-delay", 10*time.Second, "how long a paid session stays RESULT=3")
	faultSpec := fs.String("faults", "", "faults for every request, such as drop=pay,latency=2s "+
		"(latency=D, http500|drop|garble|badsig|wrongsession=OPS, refuse=OPS:CODE, stuck, fail; OPS: check+pay+status+balance or all)")
	trainLatency := fs.Duration("training-latency", sim.DefaultTrainingLatency, "delay of training numbers ending in 100")
	sd := fs.String("sd", sim.TrainingSD, "dealer code SD accepted")
	ap := fs.String("ap", sim.TrainingAP, "point code AP accepted")
	opCode := fs.String("op", sim.TrainingOP, "operator code OP accepted")
	quiet := fs.Bool("quiet", false, "do not log each request")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected argument %q", pos[0])
	}
	bal, err := money.Parse(*balance)
	if err != nil {
		return usageErrorf("--balance: %v", err)
	}
	var maxAmount money.Amount
	if *maxPay != "" {
		if maxAmount, err = money.Parse(*maxPay); err != nil {
			return usageErrorf("--max-payment: %v", err)
		}
	}
	if *statusDelay < 0 || *trainLatency < 0 {
		return usageErrorf("delays must not be negative")
	}
	faults, err := sim.ParseFaults(*faultSpec)
	if err != nil {
		return usageErrorf("--faults: %v", err)
	}
	explicit := *dealerKeys != "" || *bankKey != "" || *bankPass != ""
	if explicit && (*dealerKeys == "" || *bankKey == "") {
		return usageErrorf("give --dealer-keys and --bank-key together, or neither for a training key set")
	}
	if explicit && *keysDir != "" {
		return usageErrorf("--keys-dir is for the training key set; it does not go with --dealer-keys and --bank-key")
	}

	cfg := sim.Config{SD: *sd, AP: *ap, OP: *opCode, Clock: clock.Real{}, Balance: bal, MaxPayment: maxAmount,
		StatusDelay: *statusDelay, TrainingLatency: *trainLatency, StateFile: *stateFile, Faults: faults}
	var training *sim.Training
	if explicit {
		b, err := os.ReadFile(*dealerKeys)
		if err != nil {
			return err
		}
		if cfg.DealerKeys, err = ipriv.ParseKeyring(b); err != nil {
			return fmt.Errorf("--dealer-keys %s: %w", *dealerKeys, ipErr(err))
		}
		if cfg.BankKey, err = loadSecretKey(e, *bankKey, *bankPass); err != nil {
			return fmt.Errorf("--bank-key %s: %w", *bankKey, err)
		}
	} else {
		dir := *keysDir
		if dir == "" {
			dir = defaultTrainingDir()
		}
		if training, err = sim.TrainingKeys(dir, e.now()); err != nil {
			return err
		}
		cfg.DealerKeys, cfg.BankKey = training.DealerKeys, training.Bank
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	if *providers != "" {
		cfg.Catalogue, err = gateway.LoadCatalogue(*providers, base)
	} else {
		cfg.Catalogue, err = gateway.DefaultCatalogue(base)
	}
	if err != nil {
		return err
	}
	cfg.Log = slog.New(slog.DiscardHandler)
	if !*quiet {
		cfg.Log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	s, err := sim.New(cfg)
	if err != nil {
		return err
	}
	defer s.Close()

	fmt.Fprintf(e.stdout, "gateway-sim: listening on %s\n", base)
	if training != nil {
		made := "reused"
		if training.Created {
			made = "created"
		}
		fmt.Fprintf(e.stdout, "gateway-sim: training keys %s in %s\n", made, training.Dir)
		fmt.Fprintf(e.stdout, "gateway-sim:   point SD=%s AP=%s OP=%s; dealer key %d: %s, passphrase in %s\n",
			cfg.SD, cfg.AP, cfg.OP, training.Dealer.Serial, training.SecretKeyFile, training.PassphraseFile)
		fmt.Fprintf(e.stdout, "gateway-sim:   bank key %d: public key in %s (ACCEPT_KEYS=%d)\n",
			training.BankSerial, training.PubKeysFile, training.BankSerial)
	}
	fmt.Fprintf(e.stdout, "gateway-sim: balance %s, status delay %s; for a catalogue use base URL %s\n", s.Balance(), *statusDelay, base)
	if *faultSpec != "" {
		fmt.Fprintf(e.stdout, "gateway-sim: faults %s\n", *faultSpec)
	}
	fmt.Fprintln(e.stdout, "gateway-sim: running; interrupt to stop")

	srv := &http.Server{Handler: s, ReadHeaderTimeout: 15 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shut)
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	fmt.Fprintln(e.stdout, "gateway-sim: stopped")
	return err
}
