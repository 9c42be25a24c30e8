package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"paydesk/app/config"
	"paydesk/fiscal"
	"paydesk/fiscal/emulator"
	"paydesk/fiscal/shtrih"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/receipts"
	"paydesk/store"
)

// Training cashiers seeded into a new training database (the README lists
// them): login, full name, role, PIN.
var TrainingCashiers = []struct {
	Login, Name string
	Role        store.Role
	PIN         string
}{
	{"kassir", "Кассир Иванова А.А.", store.RoleCashier, "1111"},
	{"manager", "Менеджер Петров П.П.", store.RoleManager, "2222"},
	{"admin", "Администратор Сидоров С.С.", store.RoleAdmin, "9999"},
}

// TrainingBalance is the dealer balance of a new training simulator.
const TrainingBalance money.Amount = 1_000_000_00

// Options tune Boot.
type Options struct {
	Clock clock.Clock
	Log   *slog.Logger
	HTTP  *http.Client
	// Step is passed to the till (tests, the crash test).
	Step func(step string, p *store.Payment)
	// Settle overrides the interactive status schedule.
	Settle []time.Duration
	// PINCost lowers the PIN hash cost (tests).
	PINCost int
	// EmulatorTCP serves the training register on TCP even where a
	// pseudo-terminal is available.
	EmulatorTCP bool
	// DeviceTimeout caps the register's per-command answer timeouts (up to
	// 120 s by the protocol), so tests and the soak see a power cut in
	// seconds [no cap].
	DeviceTimeout time.Duration
}

// Runtime is a booted till with what it runs on.
type Runtime struct {
	Config   *config.Config
	Till     *Till
	Store    *store.Store
	Sim      *sim.Sim           // training only
	Emulator *emulator.Emulator // training or fiscal.port = emulator
	SimURL   string             // the training gateway's base URL
	KKMPort  string             // the port the driver opened
	DataDir  string
	closers  []func() error
}

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
	var gw *gateway.Client
	var cat *gateway.Catalogue
	if !cfg.Training {
		// The keys and the catalogue first: a bad one refuses the start
		// before the data folder or the books are touched.
		if gw, err = cfg.Client(opt.Clock, opt.Log, opt.HTTP); err != nil {
			return nil, err
		}
		if cat, err = cfg.Catalogue(); err != nil {
			return nil, err
		}
	}
	if r.DataDir, err = cfg.DataPath(); err != nil {
		return nil, err
	}
	dbPath, err := cfg.StorePath()
	if err != nil {
		return nil, err
	}
	if r.Store, err = store.Open(ctx, dbPath, store.Options{Clock: opt.Clock, Log: opt.Log, PINCost: opt.PINCost}); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.Store.Close)

	var reg fiscal.Register
	agent, fee, err := agentOf(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Training {
		tdir := filepath.Join(r.DataDir, "training")
		if gw, cat, err = r.startSim(ctx, cfg, tdir, opt); err != nil {
			return nil, err
		}
		if reg, err = r.startEmulator(tdir, opt); err != nil {
			return nil, err
		}
		if err := r.seed(ctx); err != nil {
			return nil, err
		}
		if agent.Name == "" {
			agent = trainingAgent(agent.TaxSystem)
		}
	} else {
		switch cfg.Fiscal.Port {
		case "none":
		case "emulator":
			if reg, err = r.startEmulator(filepath.Join(r.DataDir, "emulator"), opt); err != nil {
				return nil, err
			}
		default:
			if reg, err = r.dial(cfg.Fiscal.Port, cfg.Fiscal.Baud, cfg.Fiscal.Password, opt); err != nil {
				return nil, err
			}
		}
	}
	r.Till = New(Deps{Store: r.Store, Gateway: gw, Catalogue: cat, Register: reg, Clock: opt.Clock, Log: opt.Log,
		Agent: agent, Fee: fee, Step: opt.Step, Settle: opt.Settle})
	if err := r.Till.Recover(ctx); err != nil {
		opt.Log.Warn("app: recovery left work for later", "err", err)
	}
	return r, nil
}

// trainingAgent is the payment agent of training receipts.
func trainingAgent(tax fiscal.TaxSystem) receipts.Agent {
	return receipts.Agent{PointName: "Учебная точка PayDesk", Name: `ООО "Учебный агент"`, INN: "7700000000",
		Address: "г. Москва, ул. Учебная, д. 1", Phone: "+74950000001", OperatorPhone: "+74950000002",
		Role: fiscal.PaymentSubagent, TaxSystem: tax}
}

func agentOf(cfg *config.Config) (receipts.Agent, money.Rate, error) {
	a := cfg.Agent
	ag := receipts.Agent{PointName: a.PointName, Name: a.Name, INN: a.INN, Address: a.Address, Phone: a.Phone,
		OperatorPhone: a.OperatorPhone, Role: fiscal.PaymentSubagent, TaxSystem: fiscal.OSN}
	if a.Role == "agent" {
		ag.Role = fiscal.PaymentAgent
	}
	ag.TaxSystem = map[string]fiscal.TaxSystem{"osn": fiscal.OSN, "usn": fiscal.USNIncome, "usn-minus": fiscal.USNIncomeMinus,
		"eshn": fiscal.ESHN, "psn": fiscal.PSN}[a.TaxSystem]
	fee, err := money.ParseRate(a.Fee)
	return ag, fee, err
}

// startSim starts the training gateway on a loopback port.
func (r *Runtime) startSim(ctx context.Context, cfg *config.Config, dir string, opt Options) (*gateway.Client, *gateway.Catalogue, error) {
	keys, err := sim.TrainingKeys(filepath.Join(dir, "keys"), opt.Clock.Now())
	if err != nil {
		return nil, nil, err
	}
	sc := keys.Config()
	sc.Clock, sc.Log = opt.Clock, opt.Log
	sc.Balance, sc.StateFile = TrainingBalance, filepath.Join(dir, "gateway-state.json")
	var catalogue func(string) (*gateway.Catalogue, error)
	if cfg.Providers != "" {
		catalogue = func(base string) (*gateway.Catalogue, error) { return gateway.LoadCatalogue(cfg.Providers, base) }
	}
	srv, err := sim.Listen("127.0.0.1:0", sc, catalogue)
	if err != nil {
		return nil, nil, err
	}
	r.Sim, r.SimURL = srv.Sim, srv.URL
	r.closers = append(r.closers, srv.Close)
	cat := srv.Catalogue()
	client, err := gateway.New(gateway.Config{SD: keys.SD, AP: keys.AP, OP: keys.OP, Key: keys.Dealer, Bank: keys.Bank.Public(),
		BalanceURL: srv.BalanceURL(), HTTP: opt.HTTP, Clock: opt.Clock, Log: opt.Log, Timeout: 15 * time.Second})
	return client, cat, err
}

// startEmulator runs a register emulator with its state and tape in dir and
// connects the driver to it through a pseudo-terminal (TCP on Windows).
func (r *Runtime) startEmulator(dir string, opt Options) (fiscal.Register, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("app: emulator folder: %w", err)
	}
	em, err := emulator.New(emulator.Config{StatePath: filepath.Join(dir, "kkm-state.json"), TapePath: filepath.Join(dir, "tape.txt"),
		Now: opt.Clock.Now, Logger: opt.Log, LineWidth: 32})
	if err != nil {
		return nil, err
	}
	r.Emulator = em
	r.closers = append(r.closers, em.Close)
	port := ""
	if runtime.GOOS == "windows" || opt.EmulatorTCP {
		addr, err := em.ListenTCP("127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = "tcp://" + addr.String()
	} else {
		p, err := em.ListenPTY(filepath.Join(dir, "kkm"))
		if err != nil {
			return nil, err
		}
		port = p.Link
	}
	return r.dial(port, 115200, 30, opt)
}

// dial returns the register at port, connected on first use and again
// after a link failure (see lazyRegister).
func (r *Runtime) dial(port string, baud int, password uint32, opt Options) (fiscal.Register, error) {
	r.KKMPort = port
	l := &lazyRegister{dial: func() (fiscal.Register, error) {
		conn, err := shtrih.Dial(port, baud, 5*time.Second)
		if err != nil {
			return nil, err
		}
		return shtrih.New(conn, shtrih.Options{Password: password, Baud: baud, Logger: opt.Log, MaxAnswerTimeout: opt.DeviceTimeout}), nil
	}}
	r.closers = append(r.closers, l.Close)
	return l, nil
}

// seed adds the training cashiers to an empty training database.
func (r *Runtime) seed(ctx context.Context) error {
	cs, err := r.Store.Cashiers(ctx)
	if err != nil || len(cs) > 0 {
		return err
	}
	for _, c := range TrainingCashiers {
		if _, err := r.Store.AddCashier(ctx, "training", store.Cashier{Login: c.Login, FullName: c.Name, Role: c.Role}, c.PIN); err != nil {
			return err
		}
	}
	return nil
}
