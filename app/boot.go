package app

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"paydesk/app/config"
	"paydesk/app/world"
	"paydesk/fiscal"
	"paydesk/internal/clock"
	"paydesk/internal/i18n"
	"paydesk/money"
	"paydesk/protocol/ipriv"
	"paydesk/receipts"
	"paydesk/store"
)

// Options tune Boot.
type Options struct {
	Clock clock.Clock
	Log   *slog.Logger
	HTTP  *http.Client
	// Version is the desk's version, as the hub is told.
	Version string
	// Step is passed to the till (tests, the crash test).
	Step func(step string, p *store.Payment)
	// Settle overrides the interactive status schedule.
	Settle []time.Duration
	// PINCost lowers the PIN hash cost (tests).
	PINCost int
	// ReadOnly opens the books read-only and without the till's lock
	// (OpenBooks only): backups and checks beside a running till; every
	// write is refused.
	ReadOnly bool
	// EmulatorTCP serves the training register on TCP even where a
	// pseudo-terminal is available.
	EmulatorTCP bool
	// DeviceTimeout caps the register's per-command answer timeouts (up to
	// 120 s by the protocol), so tests and the soak see a power cut in
	// seconds [no cap].
	DeviceTimeout time.Duration
	// Network is the payment network when it is not CyberPlat's dealer
	// protocol as the configuration sets it up (a second network's
	// package makes one); training mode always uses the simulator's.
	Network Network
	// Training starts the built-in world (training.Start) when the
	// configuration is in training mode or its fiscal.port is "emulator";
	// without it those configurations are refused.
	Training world.Start
	// Adopt starts new books on a register that already holds receipts
	// (it worked with other software before): recorded and audited once;
	// otherwise empty books beside such a register are refused (guardEmpty).
	Adopt bool
	// Inspect boots without recovery, for checks that only read (db check
	// --device, --network): nothing pending is resolved, no queued receipt
	// printed.
	Inspect bool
	// RecoverLater leaves Recover to the caller (the window runs it in the
	// background, so that it draws at once and says what recovery found).
	RecoverLater bool
	// BooksKey seals the books instead of the key derived from the point's
	// secret key (booksKey): for a configuration with no key of its own,
	// such as a second network's.
	BooksKey []byte
}

// Runtime is a booted till with what it runs on.
type Runtime struct {
	Config  *config.Config
	Till    *Till
	World   world.World // the built-in world, in training mode or with fiscal.port = emulator
	KKMPort string      // the port the driver opened
	DataDir string
	// Shipper sends the books' events to the hub; nil without hub: in the
	// configuration.
	Shipper *Shipper
	books   *store.Store
	closers []func() error
}

// Ledger is a read-only view of the books, for audits that check them
// against the world outside (training's reconciliation).
type Ledger interface {
	Payments(ctx context.Context, f Filter) ([]*Payment, error)
	Shifts(ctx context.Context, from, to time.Time) ([]*Shift, error)
	ShiftTotals(ctx context.Context, sh *Shift) (Totals, error)
	CashOps(ctx context.Context, shiftID int64) ([]*store.CashOperation, error)
	VerifyAudit(ctx context.Context) (int, error)
}

// Ledger is the books, read-only.
func (r *Runtime) Ledger() Ledger { return r.books }

// Close stops everything Boot started, in reverse order.
func (r *Runtime) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// Boot opens the store and connects the gateway and the register as the
// configuration says; in training mode it starts the gateway simulator and
// the register emulator in-process, their state kept beside the training
// database so that a restart finds them as a real restart would. It then
// runs Recover.
func Boot(ctx context.Context, cfg *config.Config, opt Options) (rt *Runtime, err error) {
	if opt.Clock == nil {
		opt.Clock = clock.Real{}
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{Config: cfg}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	sched, err := cfg.Schedules() // a bad file refuses the start before anything is touched
	if err != nil {
		return nil, err
	}
	network := opt.Network
	if !cfg.Training && network == nil {
		// The keys and the catalogue first: a bad one refuses the start
		// before the data folder or the books are touched.
		gw, err := cfg.Client(opt.Clock, opt.Log, opt.HTTP)
		if err != nil {
			return nil, err
		}
		cat, err := cfg.Catalogue()
		if err != nil {
			return nil, err
		}
		network = Dealer(gw, cat)
	}
	if r.DataDir, err = cfg.DataPath(); err != nil {
		return nil, err
	}
	dbPath, err := cfg.StorePath()
	if err != nil {
		return nil, err
	}
	key, err := booksKey(cfg, r.DataDir, opt, true)
	if err != nil {
		return nil, err
	}
	if r.books, err = store.Open(ctx, dbPath, store.Options{Clock: opt.Clock, Log: opt.Log, PINCost: opt.PINCost, Key: key}); err != nil {
		return nil, booksErr(err, dbPath)
	}
	r.closers = append(r.closers, r.books.Close)

	var reg fiscal.Register
	agent, fee, err := agentOf(cfg)
	if err != nil {
		return nil, err
	}
	if reg, err = r.register(ctx, cfg, opt); err != nil {
		return nil, err
	}
	if cfg.Training {
		network = Dealer(r.World.Network())
		exist, err := r.books.Cashiers(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.World.Seed(len(exist) > 0, func(c store.Cashier, pin string) error {
			_, err := r.books.AddCashier(ctx, "training", c, pin)
			return err
		}); err != nil {
			return nil, err
		}
		if agent.Name == "" {
			tax, fee := agent.TaxSystem, agent.FeeTax
			agent = r.World.Agent(tax)
			agent.FeeTax = fee
		}
	}
	if !cfg.Training && reg != nil {
		if err := r.guardEmpty(ctx, reg, dbPath, opt); err != nil {
			return nil, err
		}
	}
	r.Till = New(Deps{Store: r.books, Network: network, Register: reg, Clock: opt.Clock, Log: opt.Log,
		Agent: agent, Fee: fee, Schedules: sched, BalanceWarn: cfg.Gateway.BalanceWarning(), HubURL: cfg.Hub.URL, HubPoint: cfg.Hub.Point, Step: opt.Step, Settle: opt.Settle, Training: cfg.Training})
	if cfg.Hub.URL != "" && !opt.Inspect {
		var key *ipriv.SecretKey
		if cfg.Training && r.World != nil {
			key = r.World.Key()
		} else if key, err = cfg.SecretKey(); err != nil {
			return nil, err
		}
		sh, err := startShipper(r.Till, cfg, key, opt.HTTP, opt.Version)
		if err != nil {
			return nil, err
		}
		r.Shipper = sh
		r.closers = append(r.closers, sh.Close)
	}
	if opt.Inspect || opt.RecoverLater {
		return r, nil
	}
	if _, err := r.Till.Recover(ctx); err != nil {
		opt.Log.Warn("app: recovery left work for later", "err", err)
	}
	return r, nil
}

// OpenBooks opens only the books the configuration names, for reports and
// the database tools: a till with neither the gateway nor the register,
// which recovers nothing. Its payment methods refuse to work.
func OpenBooks(ctx context.Context, cfg *config.Config, opt Options) (*Runtime, error) {
	if opt.Clock == nil {
		opt.Clock = clock.Real{}
	}
	path, err := cfg.StorePath()
	if err != nil {
		return nil, err
	}
	r := &Runtime{Config: cfg}
	if r.DataDir, err = cfg.DataPath(); err != nil {
		return nil, err
	}
	open := store.Open
	if opt.ReadOnly {
		open = store.OpenReadOnly
	}
	key, err := booksKey(cfg, r.DataDir, opt, !opt.ReadOnly)
	if err != nil {
		if _, serr := os.Stat(path); opt.ReadOnly && errors.Is(serr, fs.ErrNotExist) {
			return nil, fail("open books", KindState, i18n.M("app.no_books", "path", path), serr)
		}
		return nil, err
	}
	if r.books, err = open(ctx, path, store.Options{Clock: opt.Clock, Log: opt.Log, PINCost: opt.PINCost, Key: key}); err != nil {
		if opt.ReadOnly && errors.Is(err, fs.ErrNotExist) {
			return nil, fail("open books", KindState, i18n.M("app.no_books", "path", path), err)
		}
		return nil, booksErr(err, path)
	}
	r.closers = append(r.closers, r.books.Close)
	r.Till = New(Deps{Store: r.books, Clock: opt.Clock, Log: opt.Log})
	return r, nil
}

func agentOf(cfg *config.Config) (receipts.Agent, money.Rate, error) {
	a := cfg.Agent
	ag := receipts.Agent{PointName: a.PointName, Name: a.Name, INN: a.INN, Address: a.Address, Phone: a.Phone,
		OperatorPhone: a.OperatorPhone, Role: fiscal.PaymentSubagent}
	if a.Role == "agent" {
		ag.Role = fiscal.PaymentAgent
	}
	ag.TaxSystem, ag.FeeTax = cfg.Taxes() // Load checked the names
	fee, err := money.ParseRate(a.Fee)
	return ag, fee, err
}

// startWorld starts the built-in world: all of it in training mode, the
// register alone for fiscal.port = emulator.
func (r *Runtime) startWorld(ctx context.Context, cfg *config.Config, opt Options) (world.World, error) {
	if opt.Training == nil {
		return nil, fail("boot", KindConfig, i18n.M("app.no_training"), nil)
	}
	s := world.Setup{Dir: filepath.Join(r.DataDir, "emulator"), EmulatorTCP: opt.EmulatorTCP, Clock: opt.Clock, Log: opt.Log, HTTP: opt.HTTP,
		Driver: DriverOf(cfg)}
	if a, _, err := agentOf(cfg); err == nil {
		s.INN, s.Name, s.Agent, s.TaxSystem = a.INN, a.Name, a.Role, a.TaxSystem
	}
	if cfg.Training {
		s.Dir, s.Network, s.Providers = filepath.Join(r.DataDir, "training"), true, cfg.Providers
	}
	w, err := opt.Training(ctx, s)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, w.Close)
	return w, nil
}

// Driver is the register driver of a configuration that names none
// (fiscal.Open); the entry points link the drivers in (packages
// fiscal/shtrih and fiscal/atol).
const Driver = "shtrih"

// DriverOf is the register driver cfg names (fiscal.driver), Driver when
// it names none; training and the built-in emulator emulate that family.
func DriverOf(cfg *config.Config) string {
	if cfg.Fiscal.Driver == "" {
		return Driver
	}
	return cfg.Fiscal.Driver
}

// dial returns the register at port, connected on first use and again
// after a link failure (see lazyRegister).
// register opens the register the configuration names (nil for port
// "none"), starting the built-in world first in training mode or for the
// emulator.
func (r *Runtime) register(ctx context.Context, cfg *config.Config, opt Options) (fiscal.Register, error) {
	port, baud, password := cfg.Fiscal.Port, cfg.Fiscal.Baud, cfg.Fiscal.Password
	if cfg.Training || port == "emulator" {
		w, err := r.startWorld(ctx, cfg, opt)
		if err != nil {
			return nil, err
		}
		r.World = w
		port, baud, password = w.Port(), 115200, 30
	}
	if port == "none" {
		return nil, nil
	}
	return r.dial(DriverOf(cfg), port, baud, password, opt)
}

func (r *Runtime) dial(driver, port string, baud int, password uint32, opt Options) (fiscal.Register, error) {
	r.KKMPort = port
	l := &lazyRegister{dial: func() (fiscal.Register, error) {
		return fiscal.Open(driver, fiscal.Config{Port: port, Baud: baud, Password: password, Log: opt.Log, MaxAnswerTimeout: opt.DeviceTimeout})
	}}
	r.closers = append(r.closers, l.Close)
	return l, nil
}
