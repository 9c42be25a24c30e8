// Package world is the seam between the till core and a built-in world it
// can run in instead of the real one: training mode's gateway simulator
// and register emulator (package app/training). The core asks a Start for a
// World when the configuration is in training mode or names the built-in
// register; the entry points hand it training.Start. Neither side imports
// the other.
package world

import (
	"context"
	"log/slog"
	"net/http"

	"paydesk/fiscal"
	"paydesk/internal/clock"
	"paydesk/protocol/gateway"
	"paydesk/protocol/ipriv"
	"paydesk/receipts"
	"paydesk/store"
)

// Setup is what the core asks of a world.
type Setup struct {
	// Dir holds the world's state, in the data folder, so that a restart
	// finds it as a real restart would.
	Dir string
	// Network asks for the gateway too, not only the register.
	Network bool
	// Providers is a provider catalogue file to serve ("" for the built-in).
	Providers string
	// EmulatorTCP serves the register on TCP even where a pseudo-terminal
	// is available.
	EmulatorTCP bool
	// Driver is the register family to emulate: "atol" for an ATOL
	// register, anything else for a Shtrih-M one (the default).
	Driver string
	// Registration a new register emulator is given, as a register
	// registered for this agent would be: INN, agent role and tax system
	// (zero values keep the emulator's own).
	INN       string
	Name      string // the user's name the register prints (1048)
	Agent     fiscal.AgentSign
	TaxSystem fiscal.TaxSystem
	Clock     clock.Clock
	Log       *slog.Logger
	HTTP      *http.Client
}

// World is a running built-in world.
type World interface {
	// Network is its gateway's client and catalogue (nil unless the setup
	// asked for it).
	Network() (*gateway.Client, *gateway.Catalogue)
	// Port is its register's port, opened as any other (fiscal.Open).
	Port() string
	// Agent is the payment agent its receipts name, with the configured
	// tax system.
	Agent(tax fiscal.TaxSystem) receipts.Agent
	// Key is the point's secret key in this world (nil when the setup
	// asked for no network): it signs what the point sends.
	Key() *ipriv.SecretKey
	// Seed adds its cashiers with add when the books have none (exist says
	// whether they have).
	Seed(exist bool, add func(c store.Cashier, pin string) error) error
	// Close stops it.
	Close() error
}

// Start starts a world.
type Start func(ctx context.Context, s Setup) (World, error)
