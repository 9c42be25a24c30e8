package main

import (
	"context"
	"errors"
	"flag"
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
		name:    "gateway-sim",
		summary: "run the payment gateway simulator until interrupted (makes a training key set when no keys are given)",
		opts:    func() options { return &gatewaySimOpts{} },
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

// gatewaySimOpts are the options of "gateway-sim".
type gatewaySimOpts struct {
	listen, providers             string
	dealerKeys, bankKey, bankPass string
	keysDir, stateFile            string
	balance, maxPay, dailyLimit   string
	statusDelay, trainLatency     time.Duration
	faults                        string
	sd, ap, op                    string
	quiet                         bool
}

func (o *gatewaySimOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8780", "`ADDR` to listen on (port 0: any free port)")
	fs.StringVar(&o.providers, "providers", "", "provider catalogue `FILE` (default: the built-in training catalogue)")
	fs.StringVar(&o.dealerKeys, "dealer-keys", "", "`FILE` of registered dealer public keys (with --bank-key)")
	fs.StringVar(&o.bankKey, "bank-key", "", "the bank's secret key `FILE` that signs the answers (with --dealer-keys)")
	fs.StringVar(&o.bankPass, "bank-passphrase-file", "", "`FILE` holding the bank key's passphrase")
	fs.StringVar(&o.keysDir, "keys-dir", "", "folder `DIR` of the training key set, made when missing (default: "+defaultTrainingDir()+")")
	fs.StringVar(&o.stateFile, "state", "", "state `FILE` keeping sessions and balance across restarts (default: memory only)")
	fs.StringVar(&o.balance, "balance", "100000.00", "the dealer's starting `BALANCE`")
	fs.StringVar(&o.maxPay, "max-payment", "", "largest payment `AMOUNT` (ERROR 81; default: none)")
	fs.StringVar(&o.dailyLimit, "daily-limit", "", "the point's daily limit `AMOUNT` on what is debited (ERROR 82; default: none)")
	fs.DurationVar(&o.statusDelay, "status-delay", 10*time.Second, "how long a paid session stays RESULT=3")
	fs.StringVar(&o.faults, "faults", "", "faults `SPEC` for every request, such as drop=pay,latency=2s "+
		"(latency=D, http500|drop|garble|badsig|wrongsession=OPS, refuse=OPS:CODE, stuck, fail; OPS: check+pay+status+balance or all)")
	fs.DurationVar(&o.trainLatency, "training-latency", sim.DefaultTrainingLatency, "delay of training numbers ending in 100")
	fs.StringVar(&o.sd, "sd", sim.TrainingSD, "dealer code `SD` accepted")
	fs.StringVar(&o.ap, "ap", sim.TrainingAP, "point code `AP` accepted")
	fs.StringVar(&o.op, "op", sim.TrainingOP, "operator code `OP` accepted")
	fs.BoolVar(&o.quiet, "quiet", false, "do not log each request")
}

func (o *gatewaySimOpts) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args, ""); err != nil {
		return err
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	training, err := o.keys(e, &cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	s, err := o.simulator(e, cfg, base)
	if err != nil {
		return err
	}
	defer s.Close()
	o.printStart(e, s, cfg, training, base)
	return serveSim(ctx, e, ln, s)
}

// config reads the flags into the simulator's configuration, all but the
// keys, the catalogue and the log.
func (o *gatewaySimOpts) config() (sim.Config, error) {
	bal, err := money.Parse(o.balance)
	if err != nil {
		return sim.Config{}, usageErrorf("--balance: %v", err)
	}
	var maxAmount money.Amount
	if o.maxPay != "" {
		if maxAmount, err = money.Parse(o.maxPay); err != nil {
			return sim.Config{}, usageErrorf("--max-payment: %v", err)
		}
	}
	if o.statusDelay < 0 || o.trainLatency < 0 {
		return sim.Config{}, usageErrorf("delays must not be negative")
	}
	faults, err := sim.ParseFaults(o.faults)
	if err != nil {
		return sim.Config{}, usageErrorf("--faults: %v", err)
	}
	if o.explicitKeys() && (o.dealerKeys == "" || o.bankKey == "") {
		return sim.Config{}, usageErrorf("give --dealer-keys and --bank-key together, or neither for a training key set")
	}
	if o.explicitKeys() && o.keysDir != "" {
		return sim.Config{}, usageErrorf("--keys-dir is for the training key set; it does not go with --dealer-keys and --bank-key")
	}
	var daily money.Amount
	if o.dailyLimit != "" {
		if daily, err = money.Parse(o.dailyLimit); err != nil {
			return sim.Config{}, usageErrorf("--daily-limit: %v", err)
		}
	}
	return sim.Config{SD: o.sd, AP: o.ap, OP: o.op, Clock: clock.Real{}, Balance: bal, MaxPayment: maxAmount, DailyLimit: daily,
		StatusDelay: o.statusDelay, TrainingLatency: o.trainLatency, StateFile: o.stateFile, Faults: faults}, nil
}

// explicitKeys says whether a key flag is given (else a training key set).
func (o *gatewaySimOpts) explicitKeys() bool {
	return o.dealerKeys != "" || o.bankKey != "" || o.bankPass != ""
}

// keys loads the given keys into cfg, or makes (or reuses) a training key
// set, which it returns.
func (o *gatewaySimOpts) keys(e *env, cfg *sim.Config) (*sim.Training, error) {
	if o.explicitKeys() {
		b, err := os.ReadFile(o.dealerKeys)
		if err != nil {
			return nil, err
		}
		if cfg.DealerKeys, err = ipriv.ParseKeyring(b); err != nil {
			return nil, fmt.Errorf("--dealer-keys %s: %w", o.dealerKeys, ipErr(err))
		}
		if cfg.BankKey, err = loadSecretKey(e, o.bankKey, o.bankPass); err != nil {
			return nil, fmt.Errorf("--bank-key %s: %w", o.bankKey, err)
		}
		return nil, nil
	}
	dir := o.keysDir
	if dir == "" {
		dir = defaultTrainingDir()
	}
	training, err := sim.TrainingKeys(dir, e.now())
	if err != nil {
		return nil, err
	}
	cfg.DealerKeys, cfg.BankKey = training.DealerKeys, training.Bank
	return training, nil
}

// simulator makes the simulator with its catalogue at base.
func (o *gatewaySimOpts) simulator(e *env, cfg sim.Config, base string) (*sim.Sim, error) {
	var err error
	if o.providers != "" {
		cfg.Catalogue, err = gateway.LoadCatalogue(o.providers, base)
	} else {
		cfg.Catalogue, err = gateway.DefaultCatalogue(base)
	}
	if err != nil {
		return nil, err
	}
	cfg.Log = slog.New(slog.DiscardHandler)
	if !o.quiet {
		cfg.Log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return sim.New(cfg)
}

func (o *gatewaySimOpts) printStart(e *env, s *sim.Sim, cfg sim.Config, training *sim.Training, base string) {
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
	fmt.Fprintf(e.stdout, "gateway-sim: balance %s, status delay %s; for a catalogue use base URL %s\n", s.Balance(), o.statusDelay, base)
	if o.faults != "" {
		fmt.Fprintf(e.stdout, "gateway-sim: faults %s\n", o.faults)
	}
	fmt.Fprintln(e.stdout, "gateway-sim: running; interrupt to stop")
}

// serveSim serves the simulator on ln until ctx ends, then shuts it down.
func serveSim(ctx context.Context, e *env, ln net.Listener, s *sim.Sim) error {
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
	err := srv.Shutdown(shut)
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	fmt.Fprintln(e.stdout, "gateway-sim: stopped")
	return err
}
