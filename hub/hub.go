// Package hub is the server side of PayDesk's many-points view: desks send
// it signed batches of what happened (hub/wire), it applies each event
// exactly once into PostgreSQL and keeps the daily and monthly summaries
// the partners' reports read (through deltas written with each payment
// and folded into them in the background: fold.go).
//
// The hub is stateless: every decision about order is the database's (a
// batch is applied under a row lock on its point, whose last applied
// sequence number lives in that row), so several instances may serve one
// database.
package hub

import (
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"paydesk/internal/clock"
)

// Options are what a Hub is given.
type Options struct {
	Clock clock.Clock  // clock.Real{} when nil
	Log   *slog.Logger // slog.Default() when nil
	// BcryptCost is the cost of password hashes (bcrypt.DefaultCost when 0).
	BcryptCost int
	// Lanes is how many transactions of desks' batches the HTTP door runs
	// at once (4 when 0), Group how many batches arriving together one of
	// them takes at most (64 when 0).
	Lanes, Group int
}

// Hub serves one database.
type Hub struct {
	db    *pgxpool.Pool
	clock clock.Clock
	log   *slog.Logger
	cost  int
	// nobody is a hash of the hub's cost compared against when a login
	// is unknown, so that it takes as long as a wrong password.
	nobody []byte
	group  *grouper
	fold   *folder
}

// New returns a hub on db, whose schema Migrate has brought up to date.
// Close stops its background work.
func New(db *pgxpool.Pool, o Options) *Hub {
	h := &Hub{db: db, clock: o.Clock, log: o.Log, cost: o.BcryptCost}
	if h.clock == nil {
		h.clock = clock.Real{}
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.cost == 0 {
		h.cost = bcrypt.DefaultCost
	}
	h.nobody, _ = bcrypt.GenerateFromPassword([]byte("no such user"), h.cost)
	lanes, group := o.Lanes, o.Group
	if lanes <= 0 {
		lanes = 4
	}
	if group <= 0 {
		group = 64
	}
	h.group = newGrouper(h, lanes, group)
	h.fold = newFolder(h)
	return h
}
