// Package training is PayDesk's training mode: the gateway simulator and
// the register emulator started in-process and speaking the real
// protocols, the training cashiers seeded into a new database, the
// training agent on the receipts, and the reconciliation of the books
// against the simulator and the emulator.
//
// The till core (package app) knows nothing of it: the entry points hand
// Start to app.Options.Training (a world.Start), and app asks it for a
// world.World (the network, the register's port, the agent, the cashiers)
// when the configuration is in training mode or names the built-in
// register (fiscal.port: emulator). This package imports nothing of app
// but the seam app/world, so the core's own tests can run in a training
// world.
package training

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"paydesk/app/world"
	"paydesk/fiscal"
	atolemu "paydesk/fiscal/atol/emulator"
	"paydesk/fiscal/emulator"
	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
	"paydesk/protocol/ipriv"
	"paydesk/receipts"
	"paydesk/store"
)

// Cashiers are seeded into a new training database (the README lists
// them): login, full name, role, PIN.
var Cashiers = []struct {
	Login, Name string
	Role        store.Role
	PIN         string
}{
	{"kassir", "Кассир Иванова А.А.", store.RoleCashier, "1111"},
	{"manager", "Менеджер Петров П.П.", store.RoleManager, "222222"},
	{"admin", "Администратор Сидоров С.С.", store.RoleAdmin, "999999"},
}

// Balance is the dealer balance of a new training simulator.
const Balance money.Amount = 1_000_000_00

// World is a running training world.
type World struct {
	// Sim is the gateway simulator (nil unless the world.Setup asked for
	// the network); URL its base address.
	Sim *sim.Sim
	URL string
	// Emulator is the register: a Shtrih-M one, or (Setup.Driver "atol")
	// ATOL an ATOL one, the other nil.
	Emulator *emulator.Emulator
	ATOL     *atolemu.Emulator

	gateway   *gateway.Client
	catalogue *gateway.Catalogue
	key       *ipriv.SecretKey // the training point's (the dealer's)
	port      string
	closers   []func() error
}

var _ world.Start = Start

// Start starts the world s asks for: the register emulator, and the
// gateway simulator when s.Network is set.
func Start(ctx context.Context, s world.Setup) (world.World, error) {
	w, err := start(s)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Of is the training world of a World that Start made (nil for another).
func Of(w world.World) *World {
	tw, _ := w.(*World)
	return tw
}

func start(s world.Setup) (w *World, err error) {
	if s.Clock == nil {
		s.Clock = clock.Real{}
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	w = &World{}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	if s.Network {
		if err := w.startSim(s); err != nil {
			return nil, err
		}
	}
	if s.Driver == ATOLDriver {
		err = w.startATOL(s)
	} else {
		err = w.startEmulator(s)
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// ATOLDriver is the Setup.Driver of a world whose register is an ATOL one
// (the driver's name, fiscal/atol.DriverName).
const ATOLDriver = "atol"

// startATOL runs an ATOL register emulator with its state and tape in the
// world's folder, registered for the setup's agent, on a pseudo-terminal
// (TCP on Windows).
func (w *World) startATOL(s world.Setup) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("training: emulator folder: %w", err)
	}
	st := atolemu.NewState()
	if s.INN != "" {
		st.Reg.INN = s.INN
	}
	st.Reg.Agent |= byte(s.Agent)
	st.Reg.Tax |= byte(s.TaxSystem)
	em, err := atolemu.Open(atolemu.Config{StatePath: filepath.Join(s.Dir, "atol-state.json"), TapePath: filepath.Join(s.Dir, "tape.txt"),
		Now: s.Clock.Now, Logger: s.Log, Initial: &st})
	if err != nil {
		return err
	}
	w.ATOL = em
	w.closers = append(w.closers, em.Close)
	return w.listen(s, em.ListenTCP, func(link string) (string, error) {
		p, err := em.ListenPTY(link)
		if err != nil {
			return "", err
		}
		return p.Link, nil
	})
}

// listen puts the register emulator on TCP (on Windows, or when the setup
// asks) or on a pseudo-terminal linked in the world's folder, and keeps
// the port a driver opens.
func (w *World) listen(s world.Setup, tcp func(addr string) (net.Addr, error), pty func(link string) (string, error)) error {
	if runtime.GOOS == "windows" || s.EmulatorTCP {
		addr, err := tcp("127.0.0.1:0")
		if err != nil {
			return err
		}
		w.port = "tcp://" + addr.String()
		return nil
	}
	link, err := pty(filepath.Join(s.Dir, "kkm"))
	if err != nil {
		return err
	}
	w.port = link
	return nil
}

// Network is the training gateway's client and catalogue (nil without
// Setup.Network).
func (w *World) Network() (*gateway.Client, *gateway.Catalogue) { return w.gateway, w.catalogue }

// Port is where the register emulator listens: a pseudo-terminal's path or
// tcp://address.
func (w *World) Port() string { return w.port }

// Agent is the payment agent of training receipts, with the configured tax
// system.
func (w *World) Agent(tax fiscal.TaxSystem) receipts.Agent {
	return receipts.Agent{PointName: "Учебная точка PayDesk", Name: `ООО "Учебный агент"`, INN: "7700000000",
		Address: "г. Москва, ул. Учебная, д. 1", Phone: "+74950000001", OperatorPhone: "+74950000002",
		Role: fiscal.PaymentSubagent, TaxSystem: tax}
}

// Key is the training point's secret key (the dealer's).
func (w *World) Key() *ipriv.SecretKey { return w.key }

// Seed adds the training cashiers with add when the books have none
// (exist says whether they have).
func (w *World) Seed(exist bool, add func(c store.Cashier, pin string) error) error {
	if exist {
		return nil
	}
	for _, c := range Cashiers {
		if err := add(store.Cashier{Login: c.Login, FullName: c.Name, Role: c.Role}, c.PIN); err != nil {
			return err
		}
	}
	return nil
}

// Close stops what Start started, in reverse order.
func (w *World) Close() error {
	var errs []error
	for i := len(w.closers) - 1; i >= 0; i-- {
		errs = append(errs, w.closers[i]())
	}
	w.closers = nil
	return errors.Join(errs...)
}

// startSim starts the training gateway on a loopback port.
func (w *World) startSim(s world.Setup) error {
	keys, err := sim.TrainingKeys(filepath.Join(s.Dir, "keys"), s.Clock.Now())
	if err != nil {
		return err
	}
	sc := keys.Config()
	sc.Clock, sc.Log = s.Clock, s.Log
	sc.Balance, sc.StateFile = Balance, filepath.Join(s.Dir, "gateway-state.json")
	var catalogue func(string) (*gateway.Catalogue, error)
	if s.Providers != "" {
		catalogue = func(base string) (*gateway.Catalogue, error) { return gateway.LoadCatalogue(s.Providers, base) }
	}
	srv, err := sim.Listen("127.0.0.1:0", sc, catalogue)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, srv.Close)
	w.Sim, w.URL, w.catalogue = srv.Sim, srv.URL, srv.Catalogue()
	w.key = keys.Dealer
	w.gateway, err = gateway.New(gateway.Config{SD: keys.SD, AP: keys.AP, OP: keys.OP, Key: keys.Dealer, Bank: keys.Bank.Public(),
		BalanceURL: srv.BalanceURL(), HTTP: s.HTTP, Clock: s.Clock, Log: s.Log, Timeout: 15 * time.Second})
	return err
}

// startEmulator runs a register emulator with its state and tape in the
// world's folder, on a pseudo-terminal (TCP on Windows).
func (w *World) startEmulator(s world.Setup) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("training: emulator folder: %w", err)
	}
	st := emulator.NewState(s.Clock.Now())
	if s.INN != "" {
		st.INN = s.INN
	}
	if s.Name != "" {
		st.UserName = s.Name
	}
	st.Reg.Agent |= s.Agent
	st.Reg.TaxSystems |= s.TaxSystem
	em, err := emulator.New(emulator.Config{StatePath: filepath.Join(s.Dir, "kkm-state.json"), TapePath: filepath.Join(s.Dir, "tape.txt"),
		Now: s.Clock.Now, Logger: s.Log, LineWidth: 32, Initial: &st})
	if err != nil {
		return err
	}
	w.Emulator = em
	w.closers = append(w.closers, em.Close)
	return w.listen(s, em.ListenTCP, func(link string) (string, error) {
		p, err := em.ListenPTY(link)
		if err != nil {
			return "", err
		}
		return p.Link, nil
	})
}
